"""Key operations store, replace and forget keys, and audit each one without the key."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from app.core.errors import AuthenticationError, SecretStoreError
from app.observability.redaction import clear_secrets, redact_text
from app.security.api_keys import ApiCredentials, load_credentials
from app.security.key_operations import KeyOperations
from app.security.memory_store import InMemorySecretStore

CREDENTIALS = ApiCredentials("key-AAAA-1111-BBBB", "secret-CCCC-2222", "pass-DDDD-3333")


@dataclass
class _Report:
    markets: int = 3
    permissions: Mapping[str, bool] | None = field(
        default_factory=lambda: {"reading": True, "trading": True, "withdrawals": False}
    )


class _Audit:
    def __init__(self) -> None:
        self.records: list[tuple[str, str, dict[str, Any]]] = []

    def __call__(self, kind: str, message: str, payload: dict[str, Any]) -> None:
        self.records.append((kind, message, payload))

    def dumped(self) -> str:
        return json.dumps(self.records)


def _operations(
    check_error: Exception | None = None,
) -> tuple[KeyOperations, InMemorySecretStore, _Audit]:
    store, audit = InMemorySecretStore(), _Audit()

    async def check(
        exchange_id: str, credentials: ApiCredentials, sandbox: bool, config: Mapping[str, Any]
    ) -> _Report:
        if check_error is not None:
            raise check_error
        return _Report()

    clock = iter(range(1000, 10_000, 1000))
    return KeyOperations(store, audit, check, clock=lambda: next(clock)), store, audit


@pytest.fixture(autouse=True)
def _forget_registered_secrets() -> Any:
    yield
    clear_secrets()


async def test_test_is_audited_and_registers_secrets_for_redaction() -> None:
    operations, _, audit = _operations()
    report = await operations.test("binance", CREDENTIALS, sandbox=True)
    assert report.markets == 3
    kind, _, payload = audit.records[0]
    assert kind == "key_tested" and payload["ok"] is True
    assert payload["permissions"]["withdrawals"] is False
    assert payload["masked_key"] == "***BBBB"
    for secret in CREDENTIALS.secret_values():
        assert secret not in redact_text(f"value {secret} here")
    assert CREDENTIALS.secret not in audit.dumped()


async def test_failed_test_is_audited_then_raised() -> None:
    operations, _, audit = _operations(AuthenticationError("binance: -2015"))
    with pytest.raises(AuthenticationError):
        await operations.test("binance", CREDENTIALS)
    assert audit.records[0][2]["ok"] is False
    assert audit.records[0][2]["error"] == "AuthenticationError"


def test_add_retire_remove_lifecycle() -> None:
    operations, store, audit = _operations()
    first = operations.add("okx", CREDENTIALS)
    assert first.reference == "okx:key-1000" and first.added_at == 1000
    assert load_credentials(store, first.reference) == CREDENTIALS
    second = operations.add("okx", ApiCredentials("key-EEEE-4444-FFFF", "secret-2"))
    assert second.reference != first.reference
    operations.retire("okx", first.reference, second.reference)
    assert store.get(first.reference) is None
    operations.remove("okx", second.reference)
    assert store.get(second.reference) is None
    assert [kind for kind, _, _ in audit.records] == [
        "key_added",
        "key_added",
        "key_replaced",
        "key_removed",
    ]
    assert audit.records[2][2] == {
        "exchange": "okx",
        "reference": second.reference,
        "replaced": first.reference,
    }
    for secret in CREDENTIALS.secret_values():
        assert secret not in audit.dumped()


def test_empty_secret_is_refused_and_nothing_is_audited() -> None:
    operations, store, audit = _operations()
    with pytest.raises(SecretStoreError, match="both the API key and the secret"):
        operations.add("binance", ApiCredentials("key-only-123456", " "))
    assert audit.records == []
    assert store.get("binance:key-1000") is None
