"""Test connection failures each give the user a reason they can act on."""

from __future__ import annotations

import socket
from typing import Any

from pytestqt.qtbot import QtBot

from app.core.errors import (
    AuthenticationError,
    ClockSkewError,
    NetworkError,
    PermissionDenied,
)
from app.security.key_operations import KeyOperations
from app.security.key_wiring import ccxt_connection_check
from app.security.memory_store import InMemorySecretStore
from app.ui.connection_test import describe_connection_error
from app.ui.wizard.credentials_form import CredentialsForm
from tests.emulator import ExchangeEmulator
from tests.emulator import fixtures as emulator_fixtures
from tests.ui.wizard_helpers import emulator_settings, enter_key, run_test

exchange_emulator = emulator_fixtures.exchange_emulator
exchange_emulator_factory = emulator_fixtures.exchange_emulator_factory


class _Audit:
    def __init__(self) -> None:
        self.records: list[tuple[str, str, dict[str, object]]] = []

    def __call__(self, kind: str, message: str, payload: dict[str, object]) -> None:
        self.records.append((kind, message, payload))


def _form(qtbot: QtBot, config: dict[str, object]) -> tuple[CredentialsForm, _Audit]:
    audit = _Audit()
    form = CredentialsForm(KeyOperations(InMemorySecretStore(), audit, ccxt_connection_check))
    qtbot.addWidget(form)
    form.set_target("binance", needs_passphrase=False, ccxt_config=config)
    return form, audit


def test_clock_skew_is_named(qtbot: QtBot, exchange_emulator: ExchangeEmulator) -> None:
    exchange_emulator.set_time_offset(-120_000)
    form, audit = _form(qtbot, emulator_settings(exchange_emulator).exchange.ccxt_config)
    enter_key(form, exchange_emulator.api_key, exchange_emulator.api_secret)
    assert not run_test(qtbot, form)
    assert form.status.text().startswith("Clock out of sync")
    assert audit.records[-1][2]["error"] == "ClockSkewError"


def test_ip_not_allowed_is_named(qtbot: QtBot, exchange_emulator: ExchangeEmulator) -> None:
    exchange_emulator.set_permissions(ip_allowed=False)
    form, _ = _form(qtbot, emulator_settings(exchange_emulator).exchange.ccxt_config)
    enter_key(form, exchange_emulator.api_key, exchange_emulator.api_secret)
    assert not run_test(qtbot, form)
    assert "IP address is on the key's allow-list" in form.status.text()


def test_unreachable_exchange_is_a_network_problem(
    qtbot: QtBot, exchange_emulator: ExchangeEmulator
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    config = emulator_settings(exchange_emulator).exchange.ccxt_config
    dead = exchange_emulator.base_url.rsplit(":", 1)[0] + f":{closed_port}"
    config = _rebase(config, exchange_emulator.base_url, dead)
    form, _ = _form(qtbot, config)
    enter_key(form, exchange_emulator.api_key, exchange_emulator.api_secret)
    assert not run_test(qtbot, form)
    assert form.status.text().startswith("Could not reach the exchange")


def test_missing_passphrase_is_refused_before_any_request(qtbot: QtBot) -> None:
    form, audit = _form(qtbot, {})
    form.set_target("okx", needs_passphrase=True)
    enter_key(form, "key", "secret")
    assert form.test_connection() is None
    assert "Passphrase: okx keys need the passphrase" in form.status.text()
    assert audit.records == []


def test_editing_the_key_forgets_a_passed_test(
    qtbot: QtBot, exchange_emulator: ExchangeEmulator
) -> None:
    form, _ = _form(qtbot, emulator_settings(exchange_emulator).exchange.ccxt_config)
    enter_key(form, exchange_emulator.api_key, exchange_emulator.api_secret)
    assert run_test(qtbot, form)
    assert form.tested_ok
    form.secret.textEdited.emit("changed")
    assert not form.tested_ok


def test_error_descriptions_name_the_fix() -> None:
    assert "NTP" in describe_connection_error(ClockSkewError("binance: -1021"))
    assert "withdraw" in describe_connection_error(
        PermissionDenied("binance: this API key is allowed to withdraw funds")
    )
    assert "allow-list" in describe_connection_error(AuthenticationError("binance: -2015"))
    assert "internet connection" in describe_connection_error(NetworkError("timeout"))
    assert "ValueError" in describe_connection_error(ValueError("boom"))


def _rebase(value: Any, old: str, new: str) -> Any:
    if isinstance(value, dict):
        return {key: _rebase(item, old, new) for key, item in value.items()}
    if isinstance(value, str):
        return value.replace(old, new)
    return value


def test_key_without_reading_rights_is_rejected_by_the_venue(
    qtbot: QtBot, exchange_emulator: ExchangeEmulator
) -> None:
    exchange_emulator.set_permissions(enable_reading=False)
    form, audit = _form(qtbot, emulator_settings(exchange_emulator).exchange.ccxt_config)
    enter_key(form, exchange_emulator.api_key, exchange_emulator.api_secret)
    assert not run_test(qtbot, form)
    assert form.status.text().startswith("The exchange rejected the key")
    assert "permissions" in form.status.text()
    assert audit.records[-1][2]["error"] == "AuthenticationError"
