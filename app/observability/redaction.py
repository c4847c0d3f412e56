"""Keep secrets out of every log output.

Two layers: values registered with :func:`register_secret` (API keys and secrets as they are
loaded from the keyring) are replaced by ``***`` wherever they appear, and any structured field
whose name looks like a credential (``api_key``, ``secret``, ``password``, ``token`` ...) is
masked whatever its value. :class:`RedactionFilter` applies both to each log record before any
handler formats it.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import traceback
from collections.abc import Mapping
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "***"

_CAMEL_RE = re.compile(r"([a-z0-9])([A-Z])")
_WORD_SPLIT_RE = re.compile(r"[^a-z0-9]+")
REDACTED_ATTR = "_cryptobot_redacted"
"""Set on a record once :class:`RedactionFilter` has cleaned it."""
_EXTRAS_ATTR = "_cryptobot_extras"
_SENSITIVE_WORDS = frozenset(
    {
        "key",
        "apikey",
        "token",
        "auth",
        "authorization",
        "cookie",
        "credential",
        "credentials",
        "signature",
        "privatekey",
        "pwd",
        "passwd",
    }
)
_SENSITIVE_PARTS = ("secret", "password", "passphrase")

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None


def register_secret(value: str) -> None:
    """Redact ``value`` (and its URL-encoded and escaped forms) from every log record from now on.

    Call it as soon as a credential is read (from the keyring or the setup wizard), before it
    can reach a log line. Blank values are ignored.

    Args:
        value: the secret text.
    """
    if not value or not value.strip():
        return
    with _lock:
        _secrets.update(variant for variant in _variants(value) if variant)
        _rebuild()


def forget_secret(value: str) -> None:
    """Stop redacting ``value`` (after the key was deleted from the keyring).

    Args:
        value: a value previously passed to :func:`register_secret`.
    """
    with _lock:
        _secrets.difference_update(_variants(value))
        _rebuild()


def clear_secrets() -> None:
    """Forget every registered secret."""
    with _lock:
        _secrets.clear()
        _rebuild()


def _variants(value: str) -> set[str]:
    """The forms a secret takes in logged text: raw, URL-encoded, escaped by repr() or JSON."""
    return {
        value,
        value.strip(),
        quote(value, safe=""),
        quote_plus(value),
        repr(value)[1:-1],
        value.encode("unicode_escape").decode("ascii"),
        json.dumps(value)[1:-1],
    }


def _rebuild() -> None:
    global _pattern
    ordered = sorted(_secrets, key=len, reverse=True)
    _pattern = re.compile("|".join(re.escape(item) for item in ordered)) if ordered else None


def redact_text(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    pattern = _pattern
    if pattern is None or not text:
        return text
    return pattern.sub(MASK, text)


@lru_cache(maxsize=4096)
def is_sensitive_name(name: str) -> bool:
    """True when a field name looks like it holds a credential.

    Matches words of snake_case, camelCase and kebab-case names: ``api_key``, ``apiKey``,
    ``X-MBX-APIKEY``, ``api_secret``, ``password``, ``passphrase``, ``access_token``,
    ``signature``, ``authorization``; not ``keyring_backend`` or ``symbol``.

    Args:
        name: the field name.
    """
    snake = _CAMEL_RE.sub(r"\1_\2", name).lower()
    words = [word for word in _WORD_SPLIT_RE.split(snake) if word]
    return any(
        word in _SENSITIVE_WORDS or any(part in word for part in _SENSITIVE_PARTS) for word in words
    )


def redact_value(value: Any) -> Any:
    """A copy of a structured value safe to log.

    Strings lose registered secrets; mappings have credential-named keys masked, recursively;
    lists, tuples and sets become lists; numbers, booleans and ``None`` are kept; anything else
    becomes its redacted ``str()``.

    Args:
        value: the value (typically a field passed with ``extra=``).
    """
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, Mapping):
        return {
            str(key): MASK if is_sensitive_name(str(key)) else redact_value(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(item) for item in value]
    if isinstance(value, bytes):
        return redact_text(value.decode("utf-8", errors="replace"))
    return redact_text(str(value))


@cache
def _standard_attributes() -> frozenset[str]:
    blank = logging.LogRecord("x", logging.INFO, __file__, 0, "", None, None)
    return frozenset(vars(blank)) | {"message", "asctime", "taskName"}


def extra_fields(record: logging.LogRecord) -> dict[str, Any]:
    """The fields a caller attached with ``extra=`` (private ``_``-prefixed ones excluded)."""
    cached: dict[str, Any] | None = vars(record).get(_EXTRAS_ATTR)
    if cached is not None:
        return dict(cached)
    standard = _standard_attributes()
    return {
        key: value
        for key, value in vars(record).items()
        if key not in standard and not key.startswith("_")
    }


class RedactionFilter(logging.Filter):
    """Removes secrets from a record's message, arguments, extras, exception and stack text.

    Attach one to every handler. The record is rewritten in place (the message is formatted
    once and its arguments dropped), so the work is done once however many handlers share it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; always lets it through."""
        if getattr(record, REDACTED_ATTR, False):
            return True
        record.msg = redact_text(_render_message(record))
        record.args = None
        if hasattr(record, "message"):  # already formatted by a handler that ran earlier
            record.message = record.msg
        exc_info = record.exc_info
        if exc_info and exc_info[1] is not None and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(exc_info[1])).rstrip()
        record.exc_info = None
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        extras = {
            key: MASK if is_sensitive_name(key) else redact_value(value)
            for key, value in extra_fields(record).items()
        }
        for key, value in extras.items():
            setattr(record, key, value)
        setattr(record, _EXTRAS_ATTR, extras)
        setattr(record, REDACTED_ATTR, True)
        return True


def _render_message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a bad format string must not hide the record (or leak its args)
        return f"{record.msg} (unformattable arguments: {record.args!r})"
