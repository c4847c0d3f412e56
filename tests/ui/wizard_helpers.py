"""Helpers for the wizard, settings and key dialog tests: emulator-backed settings, page driving."""

from __future__ import annotations

import weakref
from typing import Any

from pytestqt.qtbot import QtBot

from app.config.paths import AppPaths, resolve_paths
from app.config.schema import Settings
from app.config.settings import settings_from_dict, settings_to_dict
from app.security.key_operations import KeyOperations
from app.security.key_wiring import default_key_operations
from app.security.keyring_store import KeyringSecretStore
from app.ui.wizard import SetupWizard
from app.ui.wizard.credentials_form import CredentialsForm
from tests.emulator import ExchangeEmulator

TEST_TIMEOUT_MS = 15_000


def emulator_settings(emulator: ExchangeEmulator, **general: Any) -> Settings:
    """Default settings whose binance connection goes to ``emulator`` (no keys in them)."""
    config = emulator.ccxt_config()
    config.pop("apiKey")
    config.pop("secret")
    data = settings_to_dict(Settings())
    data["exchange"].update(id="binance", ccxt_config=config)
    data["general"].update(general)
    return settings_from_dict(data)


def make_wizard(qtbot: QtBot, settings: Settings) -> tuple[SetupWizard, AppPaths, KeyOperations]:
    """A shown wizard on the keyring (the tests' in-memory one), audited in the app database."""
    paths = resolve_paths()
    holder: weakref.WeakValueDictionary[str, SetupWizard] = weakref.WeakValueDictionary()

    def current() -> Settings:
        wizard = holder.get("wizard")
        return settings if wizard is None else wizard.audit_settings

    operations = default_key_operations(KeyringSecretStore(), paths, current)
    wizard = SetupWizard(settings, paths, operations)
    holder["wizard"] = wizard
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard, paths, operations


def run_test(qtbot: QtBot, form: CredentialsForm) -> bool:
    """Press Test connection and wait for the outcome; True when it passed."""
    with qtbot.waitSignal(form.test_finished, timeout=TEST_TIMEOUT_MS) as blocker:
        form.test_button.click()
    return bool(blocker.args[0])


def enter_key(form: CredentialsForm, key: str, secret: str) -> None:
    """Type a key pair as a user would (edits forget an earlier test)."""
    form.api_key.clear()
    form.secret.clear()
    form.api_key.insert(key)
    form.secret.insert(secret)
