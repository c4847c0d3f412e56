"""Secret registry, name-based masking and the redaction filter on single records."""

from __future__ import annotations

import json
import logging
import sys
from decimal import Decimal

import pytest

from app.observability.redaction import (
    MASK,
    RedactionFilter,
    clear_secrets,
    forget_secret,
    is_sensitive_name,
    redact_text,
    redact_value,
    register_secret,
)

SECRET = "sk_live_4f9a/b+c=="


def make_record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("app.test", logging.INFO, __file__, 1, msg, args or None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_registered_secret_and_its_url_encodings_are_masked() -> None:
    register_secret(SECRET)
    text = f"key={SECRET} q=sk_live_4f9a%2Fb%2Bc%3D%3D form=sk_live_4f9a%2Fb%2Bc%3D%3D"
    assert redact_text(text) == f"key={MASK} q={MASK} form={MASK}"


def test_escaped_forms_are_masked() -> None:
    secret = 'pa"ss\\word\u00e9'
    register_secret(secret)
    assert redact_text(repr({"k": secret})) == "{'k': '***'}"
    assert redact_text(json.dumps({"k": secret})) == '{"k": "***"}'


def test_nothing_is_masked_before_registration_or_after_forgetting() -> None:
    assert redact_text(f"x {SECRET}") == f"x {SECRET}"
    register_secret(SECRET)
    forget_secret(SECRET)
    assert redact_text(f"x {SECRET}") == f"x {SECRET}"
    register_secret(SECRET)
    clear_secrets()
    assert redact_text(SECRET) == SECRET


def test_blank_values_are_not_registered() -> None:
    register_secret("")
    register_secret("   ")
    assert redact_text("a b c") == "a b c"


def test_longer_secret_wins_over_a_prefix() -> None:
    register_secret("abcd")
    register_secret("abcdefgh")
    assert redact_text("abcdefgh abcd") == f"{MASK} {MASK}"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("api_key", True),
        ("apiKey", True),
        ("X-MBX-APIKEY", True),
        ("api_secret", True),
        ("secret", True),
        ("password", True),
        ("passphrase", True),
        ("access_token", True),
        ("signature", True),
        ("Authorization", True),
        ("symbol", False),
        ("keyring_backend", False),
        ("correlation_id", False),
        ("client_order_id", False),
    ],
)
def test_sensitive_names(name: str, expected: bool) -> None:
    assert is_sensitive_name(name) is expected


def test_redact_value_walks_nested_structures() -> None:
    register_secret(SECRET)
    value = {
        "request": {"url": f"https://x/?k={SECRET}", "headers": {"X-MBX-APIKEY": "plain"}},
        "items": [SECRET, ("a", SECRET)],
        "amount": Decimal("1.5"),
        "count": 3,
        "flag": None,
    }
    assert redact_value(value) == {
        "request": {"url": f"https://x/?k={MASK}", "headers": {"X-MBX-APIKEY": MASK}},
        "items": [MASK, ["a", MASK]],
        "amount": Decimal("1.5"),
        "count": 3,
        "flag": None,
    }


def test_redact_value_stringifies_unknown_objects() -> None:
    register_secret(SECRET)

    class Credentials:
        def __str__(self) -> str:
            return f"Credentials({SECRET})"

    assert redact_value(Credentials()) == f"Credentials({MASK})"
    assert redact_value(SECRET.encode()) == MASK


def test_filter_formats_message_and_drops_args() -> None:
    register_secret(SECRET)
    record = make_record("connecting with %s to %s", SECRET, "binance")
    assert RedactionFilter().filter(record) is True
    assert record.getMessage() == f"connecting with {MASK} to binance"
    assert record.args is None


def test_filter_masks_extras_and_exception_text() -> None:
    register_secret(SECRET)
    try:
        raise ValueError(f"rejected {SECRET}")
    except ValueError:
        exc_info = sys.exc_info()
    record = make_record("failed", api_secret="not-registered", detail={"token": "t", "u": SECRET})
    record.exc_info = exc_info
    RedactionFilter().filter(record)
    assert record.api_secret == MASK
    assert record.detail == {"token": MASK, "u": MASK}
    assert record.exc_info is None
    assert record.exc_text is not None
    assert "ValueError: rejected ***" in record.exc_text
    assert SECRET not in record.exc_text


def test_filter_survives_a_bad_format_string_without_leaking() -> None:
    register_secret(SECRET)
    record = make_record("%d orders", SECRET)
    RedactionFilter().filter(record)
    assert SECRET not in record.getMessage()
    assert "unformattable" in record.getMessage()


def test_filter_is_idempotent_across_handlers() -> None:
    register_secret(SECRET)
    record = make_record("value %s", SECRET)
    RedactionFilter().filter(record)
    RedactionFilter().filter(record)
    assert record.getMessage() == f"value {MASK}"
