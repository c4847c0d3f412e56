"""The setup wizard with API keys, tested against the exchange emulator (real ccxt over HTTP)."""

from __future__ import annotations

import json

import keyring
from pytestqt.qtbot import QtBot

from app.config.schema import ExchangeSettings, Settings
from app.config.settings import database_url, load_settings
from app.core.enums import TradingMode
from app.security.api_keys import load_credentials
from app.security.keyring_store import SERVICE_NAME, KeyringSecretStore
from app.storage.database import Database
from app.storage.repositories import AuditLog
from app.ui.wizard.catalog import exchange_catalog
from app.ui.wizard.wizard import EXCHANGE, KEYS, MARKETS, MODE, SUMMARY
from tests.emulator import ExchangeEmulator
from tests.emulator import fixtures as emulator_fixtures
from tests.ui.wizard_helpers import emulator_settings, enter_key, make_wizard, run_test

exchange_emulator = emulator_fixtures.exchange_emulator
exchange_emulator_factory = emulator_fixtures.exchange_emulator_factory


def test_live_path_with_key_test_against_the_emulator(
    qtbot: QtBot, exchange_emulator: ExchangeEmulator
) -> None:
    emulator = exchange_emulator
    wizard, paths, _ = make_wizard(qtbot, emulator_settings(emulator))
    wizard.welcome_page.accept_box.setChecked(True)
    wizard.next()

    wizard.mode_page.select(TradingMode.LIVE)
    assert wizard.mode_page.live.isVisible()
    wizard.next()
    assert wizard.currentId() == MODE
    assert "I understand this trades real money" in wizard.mode_page.error.text()
    wizard.mode_page.live.field.setText("i understand this trades real money")
    wizard.next()
    assert wizard.currentId() == MODE, "the phrase must be typed exactly"
    wizard.mode_page.live.field.setText("I understand this trades real money")
    wizard.next()
    assert wizard.currentId() == EXCHANGE

    picker = wizard.exchange_page.picker
    picker.search.setText("binan")
    assert "binance" in picker.visible_ids()
    assert "kraken" not in picker.visible_ids()
    assert picker.select("binance")
    wizard.next()
    assert wizard.currentId() == KEYS
    form = wizard.credentials
    assert not form.passphrase.isVisibleTo(form), "binance keys have no passphrase"

    wizard.next()
    assert wizard.currentId() == KEYS
    errors = wizard.keys_page.error.text()
    assert "API key: paste the key" in errors and "Secret: paste the secret" in errors

    enter_key(form, "not-the-key", emulator.api_secret)
    wizard.next()
    assert "press 'Test connection'" in wizard.keys_page.error.text()
    assert not run_test(qtbot, form)
    assert "rejected the key" in form.status.text()
    wizard.next()
    assert wizard.currentId() == KEYS

    emulator.set_permissions(enable_withdrawals=True)
    enter_key(form, emulator.api_key, emulator.api_secret)
    assert not run_test(qtbot, form)
    assert "allowed to withdraw funds" in form.status.text()
    wizard.next()
    assert wizard.currentId() == KEYS, "a key that can withdraw is refused"

    emulator.set_permissions(enable_withdrawals=False)
    assert run_test(qtbot, form)
    status = form.status.text()
    assert "Connected to binance: 3 markets" in status
    assert "USDT 10000" in status and "BTC 0.5" in status
    assert "withdrawals disabled" in status
    wizard.next()
    assert wizard.currentId() == MARKETS

    wizard.markets.symbols.setText("BTC/USDT, DOGE/USDT")
    wizard.next()
    assert "DOGE/USDT not listed on this exchange" in wizard.markets_page.error.text()
    wizard.markets.symbols.setText("BTC/USDT, ETH/BTC")
    wizard.next()
    wizard.risk.select("moderate")
    wizard.next()
    wizard.next()
    assert wizard.currentId() == SUMMARY
    assert emulator.api_key not in wizard.summary_page.summary.text()
    wizard.accept()
    assert wizard.summary_page.error.text() == ""

    saved = load_settings(paths).settings
    assert saved == wizard.result_settings
    assert saved.general.mode is TradingMode.LIVE and saved.general.live_confirmed
    assert saved.exchange.id == "binance" and not saved.exchange.sandbox
    reference = saved.exchange.api_key_ref
    assert reference is not None and reference.startswith("binance:")
    assert saved.exchange.key_added_at is not None
    stored = load_credentials(KeyringSecretStore(), reference)
    assert (stored.api_key, stored.secret) == (emulator.api_key, emulator.api_secret)
    assert emulator.api_secret not in paths.settings_file.read_text(encoding="utf-8")

    entries = AuditLog(Database(database_url(saved, paths))).query()
    kinds = [entry.kind for entry in entries]
    assert kinds == ["key_tested", "key_tested", "key_tested", "key_added"]
    assert [entry.payload.get("ok") for entry in entries[:3]] == [False, False, True]
    assert entries[1].payload["error"] == "PermissionDenied"
    assert entries[3].payload["reference"] == reference
    dumped = json.dumps([(e.message, e.payload) for e in entries])
    assert emulator.api_key not in dumped and emulator.api_secret not in dumped


def test_testnet_needs_an_exchange_with_a_sandbox(qtbot: QtBot) -> None:
    wizard, _, _ = make_wizard(qtbot, Settings())
    wizard.welcome_page.accept_box.setChecked(True)
    wizard.next()
    wizard.mode_page.select(TradingMode.TESTNET)
    wizard.next()
    without_sandbox = next(
        item.id for item in exchange_catalog() if not item.has_sandbox and not item.recommended
    )
    wizard.exchange_page.picker.select(without_sandbox)
    wizard.next()
    assert wizard.currentId() == EXCHANGE
    assert "has no testnet" in wizard.exchange_page.error.text()
    wizard.exchange_page.picker.select("binance")
    wizard.next()
    assert wizard.currentId() == KEYS


def test_rerunning_the_wizard_replaces_the_old_key(
    qtbot: QtBot, exchange_emulator: ExchangeEmulator
) -> None:
    emulator = exchange_emulator
    old_reference = "binance:key-1"
    keyring.set_password(SERVICE_NAME, old_reference, '{"api_key": "old", "secret": "old"}')
    settings = emulator_settings(emulator, mode="testnet")
    settings = Settings(
        general=settings.general,
        exchange=ExchangeSettings(
            id="binance",
            sandbox=True,
            api_key_ref=old_reference,
            key_added_at=1,
            ccxt_config=settings.exchange.ccxt_config,
        ),
    )
    wizard, paths, _ = make_wizard(qtbot, settings)
    wizard.welcome_page.accept_box.setChecked(True)
    wizard.next()
    assert wizard.mode_page.mode() is TradingMode.TESTNET
    wizard.next()
    wizard.next()
    enter_key(wizard.credentials, emulator.api_key, emulator.api_secret)
    assert run_test(qtbot, wizard.credentials), wizard.credentials.status.text()
    for _ in range(4):
        wizard.next()
    assert wizard.currentId() == SUMMARY
    wizard.accept()
    saved = load_settings(paths).settings
    assert saved.exchange.sandbox
    assert saved.exchange.api_key_ref not in (None, old_reference)
    assert keyring.get_password(SERVICE_NAME, old_reference) is None
    kinds = [e.kind for e in AuditLog(Database(database_url(saved, paths))).query()]
    assert kinds[-1] == "key_replaced"
