"""Key rotation: enter the new key, test it, replace; plus the 90-day reminder."""

from __future__ import annotations

import keyring
from pytestqt.qtbot import QtBot

from app.config.paths import resolve_paths
from app.config.schema import ExchangeSettings, Settings
from app.config.settings import database_url, load_settings, save_settings
from app.core.time import now_ms
from app.security.api_keys import ApiCredentials, load_credentials, save_credentials
from app.security.key_wiring import default_key_operations
from app.security.keyring_store import SERVICE_NAME, KeyringSecretStore
from app.storage.database import Database
from app.storage.repositories import AuditLog
from app.ui.key_rotation_dialog import KeyRotationDialog, rotation_reminder
from tests.emulator import ExchangeEmulator
from tests.emulator import fixtures as emulator_fixtures
from tests.ui.wizard_helpers import emulator_settings, enter_key, run_test

exchange_emulator = emulator_fixtures.exchange_emulator
exchange_emulator_factory = emulator_fixtures.exchange_emulator_factory

DAY_MS = 86_400_000
OLD_REFERENCE = "binance:key-1"


def _settings_with_old_key(emulator: ExchangeEmulator, added_at: int) -> Settings:
    base = emulator_settings(emulator, mode="live", live_confirmed=True)
    save_credentials(
        KeyringSecretStore(), OLD_REFERENCE, ApiCredentials("old-key-123456789", "old-secret")
    )
    return Settings(
        general=base.general,
        exchange=ExchangeSettings(
            id="binance",
            api_key_ref=OLD_REFERENCE,
            key_added_at=added_at,
            ccxt_config=base.exchange.ccxt_config,
        ),
    )


def test_rotation_tests_the_new_key_then_forgets_the_old(
    qtbot: QtBot, exchange_emulator: ExchangeEmulator
) -> None:
    paths = resolve_paths()
    settings = _settings_with_old_key(exchange_emulator, now_ms() - 100 * DAY_MS)
    save_settings(settings, paths)
    operations = default_key_operations(KeyringSecretStore(), paths, lambda: settings)
    dialog = KeyRotationDialog(settings, paths, operations)
    qtbot.addWidget(dialog)
    dialog.open()
    assert "***6789, added 100 days ago (due for rotation)" in dialog.current.text()
    assert not dialog.replace_button.isEnabled()
    assert not dialog.replace_key(), "an untested key is never stored"
    assert "Test the new key first" in dialog.error.text()

    enter_key(dialog.form, "wrong-key", exchange_emulator.api_secret)
    assert not run_test(qtbot, dialog.form)
    assert not dialog.replace_button.isEnabled()

    enter_key(dialog.form, exchange_emulator.api_key, exchange_emulator.api_secret)
    assert run_test(qtbot, dialog.form)
    assert dialog.replace_button.isEnabled()
    with qtbot.waitSignal(dialog.key_replaced, timeout=5000) as blocker:
        dialog.replace_button.click()
    saved = load_settings(paths).settings
    assert blocker.args[0] == saved == dialog.result_settings
    new_reference = saved.exchange.api_key_ref
    assert new_reference not in (None, OLD_REFERENCE)
    assert saved.exchange.key_added_at is not None
    assert rotation_reminder(saved) is None
    stored = load_credentials(KeyringSecretStore(), str(new_reference))
    assert stored.api_key == exchange_emulator.api_key
    assert keyring.get_password(SERVICE_NAME, OLD_REFERENCE) is None
    kinds = [e.kind for e in AuditLog(Database(database_url(saved, paths))).query()]
    assert kinds == ["key_tested", "key_tested", "key_added", "key_replaced"]


def test_reminder_after_ninety_days() -> None:
    now = 1_800_000_000_000
    settings = Settings(
        exchange=ExchangeSettings(api_key_ref="binance:key-1", key_added_at=now - 89 * DAY_MS)
    )
    assert rotation_reminder(settings, now) is None
    due = Settings(
        exchange=ExchangeSettings(api_key_ref="binance:key-1", key_added_at=now - 90 * DAY_MS)
    )
    message = rotation_reminder(due, now)
    assert message is not None and "binance API key is 90 days old" in message
    assert rotation_reminder(Settings(), now) is None
