"""Settings dialog: same checks as the wizard, logging, the live gate and key removal."""

from __future__ import annotations

from decimal import Decimal

import keyring
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.config.paths import AppPaths, resolve_paths
from app.config.schema import ExchangeSettings, GeneralSettings, Settings
from app.config.settings import database_url, load_settings, save_settings
from app.core.enums import TradingMode
from app.security.api_keys import ApiCredentials, save_credentials
from app.security.key_wiring import default_key_operations
from app.security.keyring_store import SERVICE_NAME, KeyringSecretStore
from app.storage.database import Database
from app.storage.repositories import AuditLog
from app.ui.live_gate import LIVE_CONFIRMATION_PHRASE
from app.ui.settings_dialog import SettingsDialog
from app.ui.wizard.logging_form import parse_component_levels

REFERENCE = "binance:key-1"


def _dialog(qtbot: QtBot, settings: Settings) -> tuple[SettingsDialog, AppPaths]:
    paths = resolve_paths()
    save_settings(settings, paths)
    operations = default_key_operations(KeyringSecretStore(), paths, lambda: settings)
    dialog = SettingsDialog(settings, paths, operations)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog, paths


def test_edits_are_validated_then_saved(qtbot: QtBot) -> None:
    dialog, paths = _dialog(qtbot, Settings())
    dialog.markets.symbols.setText("BTC-USDT")
    dialog.risk.select("custom")
    dialog.risk.fields["daily_loss_pct"].setText("101")
    dialog.logging_form.components.setPlainText("app.exchange = LOUD\nnot a line")
    dialog.folders.data_folder.setText("data")
    assert not dialog.save()
    errors = dialog.error.text()
    assert "'BTC-USDT' is not a symbol" in errors
    assert "Daily loss limit (%): must be between 0 and 100, got 101" in errors
    assert "Component levels, line 1: level must be one of" in errors
    assert "line 2: write it as 'app.exchange = DEBUG'" in errors
    assert "Data folder: use a full path" in errors
    assert load_settings(paths).settings == Settings()

    dialog.markets.symbols.setText("BTC/USDT, ETH/BTC")
    dialog.risk.fields["daily_loss_pct"].setText("1.5")
    dialog.logging_form.components.setPlainText("app.exchange = debug\n# comment\nccxt=WARNING")
    dialog.logging_form.retention.setValue(7)
    dialog.folders.data_folder.setText(str(paths.data_dir))
    with qtbot.waitSignal(dialog.settings_saved, timeout=1000):
        assert dialog.save()
    saved = load_settings(paths).settings
    assert saved.general.symbols == ("BTC/USDT", "ETH/BTC")
    assert saved.risk.daily_loss_pct == Decimal("1.5")
    assert saved.logging.component_levels == {"app.exchange": "DEBUG", "ccxt": "WARNING"}
    assert saved.logging.retention_days == 7
    assert saved.database.url is None


def test_live_needs_the_typed_confirmation_and_a_key(qtbot: QtBot) -> None:
    dialog, paths = _dialog(qtbot, Settings(general=GeneralSettings(mode=TradingMode.PAPER)))
    dialog.mode.setCurrentIndex(dialog.mode.findData(TradingMode.LIVE))
    gate = dialog.live_gate
    assert gate is not None and gate.isVisible()
    gate.reject()
    assert dialog.chosen_mode() is TradingMode.PAPER, "cancelling the gate restores the mode"

    dialog.mode.setCurrentIndex(dialog.mode.findData(TradingMode.LIVE))
    gate = dialog.live_gate
    assert gate is not None
    gate.confirmation.field.setText(LIVE_CONFIRMATION_PHRASE)
    gate.switch_button.click()
    assert dialog.chosen_mode() is TradingMode.LIVE
    assert not dialog.save()
    assert "live needs an API key; add one on the Exchange tab" in dialog.error.text()
    assert load_settings(paths).settings.general.mode is TradingMode.PAPER


def test_testnet_without_key_is_refused(qtbot: QtBot) -> None:
    dialog, _ = _dialog(qtbot, Settings())
    dialog.mode.setCurrentIndex(dialog.mode.findData(TradingMode.TESTNET))
    assert not dialog.save()
    assert "testnet needs an API key" in dialog.error.text()


def test_remove_key_forgets_it_audits_and_saves(qtbot: QtBot) -> None:
    save_credentials(KeyringSecretStore(), REFERENCE, ApiCredentials("k" * 20, "s" * 20))
    settings = Settings(
        general=GeneralSettings(mode=TradingMode.LIVE, live_confirmed=True),
        exchange=ExchangeSettings(id="binance", api_key_ref=REFERENCE, key_added_at=1),
    )
    dialog, paths = _dialog(qtbot, settings)
    assert "***kkkk" in dialog.key_label.text()
    assert dialog.save(), dialog.error.text()
    dialog, paths = _dialog(qtbot, load_settings(paths).settings)
    dialog.remove_button.click()
    question = dialog.remove_question
    assert question is not None and question.isVisible()
    question.button(QMessageBox.StandardButton.Cancel).click()
    assert keyring.get_password(SERVICE_NAME, REFERENCE) is not None
    dialog.remove_button.click()
    question = dialog.remove_question
    assert question is not None
    with qtbot.waitSignal(dialog.settings_saved, timeout=1000):
        question.button(QMessageBox.StandardButton.Yes).click()
    assert keyring.get_password(SERVICE_NAME, REFERENCE) is None
    saved = load_settings(paths).settings
    assert saved.exchange.api_key_ref is None and saved.exchange.key_added_at is None
    assert "No API key is stored" in dialog.key_label.text()
    assert not dialog.remove_button.isEnabled()
    entries = AuditLog(Database(database_url(saved, paths))).query(kind="key_removed")
    assert [e.payload["reference"] for e in entries] == [REFERENCE]


def test_key_for_another_exchange_is_refused(qtbot: QtBot) -> None:
    save_credentials(KeyringSecretStore(), REFERENCE, ApiCredentials("k" * 20, "s" * 20))
    settings = Settings(
        general=GeneralSettings(mode=TradingMode.TESTNET),
        exchange=ExchangeSettings(id="binance", sandbox=True, api_key_ref=REFERENCE),
    )
    dialog, _ = _dialog(qtbot, settings)
    dialog.picker.select("bybit")
    assert not dialog.save()
    assert "the stored key is for binance" in dialog.error.text()


def test_component_level_parsing() -> None:
    levels, problems = parse_component_levels("a.b = info\n\n1bad = DEBUG\na.b = ERROR")
    assert levels == {"a.b": "INFO"}
    assert "line 3: '1bad' is not a logger name" in problems[0]
    assert "line 4: a.b is listed twice" in problems[1]


def test_rotate_key_from_the_exchange_tab_updates_the_dialog(qtbot: QtBot) -> None:
    save_credentials(KeyringSecretStore(), REFERENCE, ApiCredentials("k" * 20, "s" * 20))
    settings = Settings(exchange=ExchangeSettings(id="binance", api_key_ref=REFERENCE))
    dialog, _ = _dialog(qtbot, settings)
    assert dialog.rotate_button.text() == "Rotate key…"
    rotation = dialog.open_key_dialog()
    assert rotation.isVisible() and "***kkkk" in rotation.current.text()
    rotation.reject()
    dialog.remove_key()
    assert dialog.rotate_button.text() == "Add key…"
    adding = dialog.open_key_dialog()
    assert "No API key is stored" in adding.current.text()
    adding.reject()
