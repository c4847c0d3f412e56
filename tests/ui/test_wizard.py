"""The setup wizard, offline path: every page's validation, then the saved settings."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.config.paths import resolve_paths
from app.config.schema import Settings
from app.config.settings import load_settings
from app.core.enums import TradingMode
from app.security.keyring_store import KeyringSecretStore
from app.ui.wizard import SetupWizard, run_setup_wizard
from app.ui.wizard.wizard import (
    EXCHANGE,
    FOLDERS,
    MARKETS,
    MODE,
    RISK,
    SUMMARY,
    WELCOME,
)
from tests.ui.wizard_helpers import make_wizard


def test_offline_path_validates_every_page_and_saves(qtbot: QtBot, tmp_path: Path) -> None:
    wizard, paths, _ = make_wizard(qtbot, Settings())
    assert wizard.currentId() == WELCOME

    wizard.next()
    assert wizard.currentId() == WELCOME
    assert "accept the risks" in wizard.welcome_page.error.text()
    wizard.welcome_page.accept_box.setChecked(True)
    wizard.next()
    assert wizard.currentId() == MODE
    assert wizard.mode_page.mode() is TradingMode.OFFLINE

    wizard.next()
    assert wizard.currentId() == MARKETS, "offline mode needs no exchange or key"
    wizard.markets.symbols.setText("")
    wizard.next()
    assert wizard.currentId() == MARKETS
    assert "at least one symbol" in wizard.markets_page.error.text()
    wizard.markets.symbols.setText("BTC/USDT, BTCUSDT, ETH/USDT, eth/usdt")
    wizard.markets.quote.setText("us dollars")
    wizard.next()
    errors = wizard.markets_page.error.text()
    assert "'BTCUSDT' is not a symbol like BTC/USDT" in errors
    assert "ETH/USDT listed more than once" in errors
    assert "Quote currency: must be a currency code" in errors
    wizard.markets.symbols.setText("btc/usdt, ETH/USDT, SOL/USDT")
    wizard.markets.quote.setText("usdt")
    wizard.next()
    assert wizard.currentId() == RISK

    wizard.risk.select("custom")
    wizard.risk.fields["daily_loss_pct"].setText("250")
    wizard.risk.fields["max_position_pct"].setText("ten")
    wizard.risk.fields["risk_per_trade_pct"].setText("")
    wizard.next()
    assert wizard.currentId() == RISK
    errors = wizard.risk_page.error.text()
    assert "Largest position (% of equity): 'ten' is not a number" in errors
    assert "Risk per trade (%): enter a percentage" in errors
    wizard.risk.fields["max_position_pct"].setText("20")
    wizard.risk.fields["risk_per_trade_pct"].setText("0")
    wizard.next()
    errors = wizard.risk_page.error.text()
    assert "Daily loss limit (%): must be between 0 and 100, got 250" in errors
    assert "Risk per trade (%): must be between 0 and 100, got 0" in errors
    wizard.risk.fields["daily_loss_pct"].setText("4")
    wizard.risk.fields["risk_per_trade_pct"].setText("0.75")
    wizard.next()
    assert wizard.currentId() == FOLDERS

    a_file = tmp_path / "not-a-folder.txt"
    a_file.write_text("x", encoding="utf-8")
    for bad, message in (
        ("", "Data folder: choose a folder"),
        ("relative/data", "use a full path"),
        (str(a_file), "is a file, not a folder"),
    ):
        wizard.folders.data_folder.setText(bad)
        wizard.next()
        assert wizard.currentId() == FOLDERS
        assert message in wizard.folders_page.error.text()
    data_folder = tmp_path / "my data"
    wizard.folders.data_folder.setText(str(data_folder))
    wizard.folders.level.setCurrentText("DEBUG")
    wizard.next()
    assert wizard.currentId() == SUMMARY
    summary = wizard.summary_page.summary.text()
    assert "Offline paper trading" in summary
    assert "BTC/USDT, ETH/USDT, SOL/USDT" in summary
    assert "engine starts stopped" in summary

    wizard.accept()
    assert not wizard.summary_page.error.text()
    saved = wizard.result_settings
    assert saved is not None
    loaded = load_settings(paths)
    assert not loaded.first_run
    assert loaded.settings == saved
    general = saved.general
    assert general.mode is TradingMode.OFFLINE
    assert general.first_run_done and not general.live_confirmed
    assert general.quote_currency == "USDT"
    assert general.symbols == ("BTC/USDT", "ETH/USDT", "SOL/USDT")
    assert saved.risk.daily_loss_pct == Decimal(4)
    assert saved.risk.max_position_pct == Decimal(20)
    assert saved.risk.risk_per_trade_pct == Decimal("0.75")
    assert saved.logging.level == "DEBUG"
    assert saved.database.url == f"sqlite:///{(data_folder / 'cryptobot.sqlite').as_posix()}"
    assert saved.exchange.api_key_ref is None
    assert tomllib.loads(paths.settings_file.read_text(encoding="utf-8"))["general"]["mode"] == (
        "offline"
    )


def test_presets_fill_the_three_limits_and_keep_the_others(qtbot: QtBot) -> None:
    wizard, _, _ = make_wizard(qtbot, Settings())
    wizard.risk.select("conservative")
    limits, problems = wizard.risk.result()
    assert problems == [] and limits is not None
    assert (limits.daily_loss_pct, limits.max_position_pct, limits.risk_per_trade_pct) == (
        Decimal(2),
        Decimal(10),
        Decimal("0.5"),
    )
    assert limits.max_drawdown_pct == Settings().risk.max_drawdown_pct
    assert not wizard.risk.fields["daily_loss_pct"].isEnabled()
    wizard.risk.select("moderate")
    assert wizard.risk.fields["daily_loss_pct"].text() == "5"


def test_paper_mode_asks_for_an_exchange_but_no_key(qtbot: QtBot) -> None:
    wizard, _, _ = make_wizard(qtbot, Settings())
    wizard.welcome_page.accept_box.setChecked(True)
    wizard.next()
    wizard.mode_page.select(TradingMode.PAPER)
    wizard.next()
    assert wizard.currentId() == EXCHANGE
    wizard.exchange_page.picker.select("kraken")
    wizard.next()
    assert wizard.currentId() == MARKETS


def test_cancel_saves_nothing(qtbot: QtBot) -> None:
    wizard, paths, _ = make_wizard(qtbot, Settings())
    wizard.welcome_page.accept_box.setChecked(True)
    wizard.next()
    wizard.reject()
    assert wizard.result_settings is None
    assert not paths.settings_file.exists()


def test_run_setup_wizard_returns_the_saved_settings_or_none(qtbot: QtBot) -> None:
    paths = resolve_paths()

    def finish_offline() -> None:
        wizard = QApplication.activeModalWidget()
        assert isinstance(wizard, SetupWizard)
        wizard.welcome_page.accept_box.setChecked(True)
        while wizard.currentId() != SUMMARY:
            wizard.next()
        wizard.accept()

    QTimer.singleShot(0, finish_offline)
    saved = run_setup_wizard(None, Settings(), paths, KeyringSecretStore())
    assert saved is not None and saved.general.first_run_done
    assert load_settings(paths).settings == saved

    def cancel() -> None:
        wizard = QApplication.activeModalWidget()
        assert isinstance(wizard, SetupWizard)
        wizard.reject()

    QTimer.singleShot(0, cancel)
    assert run_setup_wizard(None, saved, paths, KeyringSecretStore()) is None
