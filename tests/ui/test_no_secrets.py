"""After a full wizard run and a trading session, no secret is in any file the app wrote.

The wizard stores a key tested against the exchange emulator; a passphrase key goes through the
same key operations; then the engine trades on the emulator's testnet with the key read back
from the keyring, logging at DEBUG. Every file under CRYPTOBOT_HOME (settings and backup, the
SQLite databases with their WAL files, every log file) is scanned for the key, the secret and
the passphrase.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.config.settings import load_settings
from app.core.enums import OrderType, Side, TradingMode
from app.core.errors import RiskRejected
from app.engine.builder import build_engine
from app.engine.specs import StrategySpec
from app.observability.logging_config import LoggingHandle, configure_logging
from app.observability.redaction import clear_secrets
from app.security.api_keys import ApiCredentials
from app.security.keyring_store import KeyringSecretStore
from app.ui.wizard import SetupWizard
from tests.emulator import ExchangeEmulator
from tests.emulator import fixtures as emulator_fixtures
from tests.ui.wizard_helpers import emulator_settings, enter_key, make_wizard, run_test

exchange_emulator = emulator_fixtures.exchange_emulator
exchange_emulator_factory = emulator_fixtures.exchange_emulator_factory

PASSPHRASE = "passphrase-Zq81-never-logged"
FUTURE_TIMEOUT_S = 20.0


@pytest.fixture()
def debug_logs(isolated_home: Path) -> Iterator[LoggingHandle]:
    """The app's real log handlers at DEBUG into CRYPTOBOT_HOME/logs (undone afterwards)."""
    handle = configure_logging(isolated_home / "logs", level="DEBUG", console=False)
    yield handle
    handle.close()
    clear_secrets()


def _finish_wizard_with_key(qtbot: QtBot, emulator: ExchangeEmulator) -> SetupWizard:
    wizard, _, _ = make_wizard(qtbot, emulator_settings(emulator))
    wizard.welcome_page.accept_box.setChecked(True)
    wizard.next()
    wizard.mode_page.select(TradingMode.TESTNET)
    wizard.next()
    wizard.exchange_page.picker.select("binance")
    wizard.next()
    enter_key(wizard.credentials, "wrong-" + emulator.api_key[6:], emulator.api_secret)
    assert not run_test(qtbot, wizard.credentials)
    enter_key(wizard.credentials, emulator.api_key, emulator.api_secret)
    assert run_test(qtbot, wizard.credentials), wizard.credentials.status.text()
    for _ in range(4):
        wizard.next()
    wizard.accept()
    assert wizard.result_settings is not None, wizard.summary_page.error.text()
    return wizard


def _passphrase_key_operations(qtbot: QtBot, emulator: ExchangeEmulator) -> SetupWizard:
    wizard, _, operations = make_wizard(qtbot, emulator_settings(emulator))
    credentials = ApiCredentials(emulator.api_key, emulator.api_secret, PASSPHRASE)
    form = wizard.credentials
    form.set_target(
        "binance",
        needs_passphrase=True,
        ccxt_config=wizard.initial.exchange.ccxt_config,
    )
    enter_key(form, credentials.api_key, credentials.secret)
    form.passphrase.insert(PASSPHRASE)
    assert run_test(qtbot, form), form.status.text()
    stored = operations.add("binance", form.credentials())
    operations.retire("binance", stored.reference, "binance:none")
    logging.getLogger("app.test").info("credentials in use: %s", credentials)
    return wizard


def _trade_on_testnet(emulator: ExchangeEmulator, isolated_home: Path) -> None:
    from app.config.paths import resolve_paths

    paths = resolve_paths()
    settings = load_settings(paths).settings
    assert settings.general.mode is TradingMode.TESTNET
    facade = build_engine(settings, paths, secret_store=KeyringSecretStore())
    try:
        facade.start().result(FUTURE_TIMEOUT_S)
        spec = StrategySpec(
            "sma_cross", "BTC/USDT", "1h", {}, {"kind": "fixed_quote", "amount": "100"}
        )
        facade.start_strategy(spec).result(FUTURE_TIMEOUT_S)
        price = emulator.snapshot().prices["BTCUSDT"]
        placed = None
        deadline = time.monotonic() + FUTURE_TIMEOUT_S
        while placed is None and time.monotonic() < deadline:
            emulator.set_price("BTC/USDT", price)  # a ticker, so the order can be valued
            try:
                placed = facade.place_order(
                    "BTC/USDT", Side.BUY, OrderType.MARKET, Decimal("0.001")
                ).result(FUTURE_TIMEOUT_S)
            except RiskRejected:
                time.sleep(0.1)
        assert placed is not None, "the engine never learned the price"
        assert placed.client_order_id in emulator.snapshot().orders
        facade.stop().result(FUTURE_TIMEOUT_S)
    finally:
        facade.shutdown()


def test_no_secret_in_settings_database_or_logs(
    qtbot: QtBot,
    exchange_emulator: ExchangeEmulator,
    isolated_home: Path,
    debug_logs: LoggingHandle,
) -> None:
    emulator = exchange_emulator
    # Keep the widgets referenced and collect garbage here: a Qt object must never be
    # collected by the engine thread.
    widgets = [
        _finish_wizard_with_key(qtbot, emulator),
        _passphrase_key_operations(qtbot, emulator),
    ]
    gc.collect()
    _trade_on_testnet(emulator, isolated_home)
    assert all(widget.result_settings is not None for widget in widgets[:1])

    files = [path for path in isolated_home.rglob("*") if path.is_file()]
    names = {path.name for path in files}
    assert "settings.toml" in names
    assert "cryptobot.sqlite" in names
    assert "cryptobot.jsonl" in names
    log_text = (isolated_home / "logs" / "cryptobot.jsonl").read_text(encoding="utf-8")
    assert "connection test passed" in log_text, "the scan must cover a log of the key test"
    assert "***" in log_text, "the credentials' repr was logged, masked"

    secrets = {
        "API key": emulator.api_key.encode(),
        "secret": emulator.api_secret.encode(),
        "passphrase": PASSPHRASE.encode(),
    }
    leaks = [
        f"{what} in {path.relative_to(isolated_home)}"
        for path in files
        for what, value in secrets.items()
        if value in path.read_bytes()
    ]
    assert leaks == []
