"""The first-run setup wizard: from a fresh install to saved settings in a few clicks.

Offline paper trading skips the exchange and key pages; paper skips the key page; testnet and
live need a key that passed "Test connection". Finish stores the key in the secret store
(never in a file) and writes the settings.
"""

from __future__ import annotations

import html
import logging
import weakref
from typing import Any

from PySide6.QtWidgets import QDialog, QWidget, QWizard

from app.config.paths import AppPaths
from app.config.schema import Settings
from app.config.settings import save_settings, with_changes
from app.core.enums import TradingMode
from app.core.errors import ConfigError, CryptobotError
from app.core.ports import SecretStorePort
from app.security.api_keys import mask
from app.security.key_operations import KeyOperations
from app.security.key_wiring import default_key_operations
from app.ui.wizard.credentials_form import CredentialsForm
from app.ui.wizard.forms import FoldersForm, MarketsForm, RiskForm
from app.ui.wizard.pages import (
    MODE_TEXT,
    ExchangePage,
    FormPage,
    KeysPage,
    ModePage,
    SummaryPage,
    WelcomePage,
)

logger = logging.getLogger(__name__)

WELCOME, MODE, EXCHANGE, KEYS, MARKETS, RISK, FOLDERS, SUMMARY = range(8)
PAGE_NAMES = ("welcome", "mode", "exchange", "keys", "markets", "risk", "folders", "summary")


class SetupWizard(QWizard):
    """The setup wizard; after Finish, :attr:`result_settings` holds the saved settings.

    Args:
        settings: the settings to start from (defaults on a first run).
        paths: the application's directories (settings file, data and log folders).
        operations: key store/test/audit operations.
        parent: owning window.
    """

    def __init__(
        self,
        settings: Settings,
        paths: AppPaths,
        operations: KeyOperations,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("setupWizard")
        self.setWindowTitle("Cryptobot setup")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.initial = settings
        self.paths = paths
        self.operations = operations
        self.result_settings: Settings | None = None
        self.audit_settings = settings
        """The choices so far, refreshed on the GUI thread at each page change (their database
        receives the audit records, which may be written from the key-test thread)."""
        self.markets = MarketsForm()
        self.risk = RiskForm()
        self.folders = FoldersForm(paths)
        self.credentials = CredentialsForm(operations)
        self.markets.load(settings)
        self.risk.load(settings.risk)
        if not settings.general.first_run_done and self.risk.choice() == "custom":
            self.risk.select("conservative")
        self.folders.load(settings)
        self.welcome_page = WelcomePage()
        self.mode_page = ModePage()
        self.exchange_page = ExchangePage()
        self.keys_page = KeysPage(self.credentials)
        self.markets_page = FormPage(
            "Markets", "The quote currency and the symbols you want to watch.", self.markets
        )
        self.risk_page = FormPage(
            "Risk limits", "How much may the app lose before it stops trading?", self.risk
        )
        self.folders_page = FormPage(
            "Folders and logging", "Where data and logs are kept.", self.folders
        )
        self.summary_page = SummaryPage()
        self.mode_page.select(settings.general.mode)
        pages = (
            self.welcome_page,
            self.mode_page,
            self.exchange_page,
            self.keys_page,
            self.markets_page,
            self.risk_page,
            self.folders_page,
            self.summary_page,
        )
        for page_id, page in enumerate(pages):
            self.setPage(page_id, page)
        self.setStartId(WELCOME)
        self.currentIdChanged.connect(self._refresh_audit_settings)
        self.resize(780, 560)

    # ------------------------------------------------------------------ choices
    def mode(self) -> TradingMode:
        """The trading mode chosen on the mode page."""
        return self.mode_page.mode()

    def exchange_id(self) -> str:
        """The exchange chosen (the settings' one until the exchange page is used)."""
        return self.exchange_page.picker.selected_id() or self.initial.exchange.id

    def nextId(self) -> int:  # noqa: N802 - Qt override
        """Skip the pages the chosen mode does not need."""
        current = self.currentId()
        mode = self.mode_page.mode() if current >= MODE else self.initial.general.mode
        if current == MODE:
            return MARKETS if mode is TradingMode.OFFLINE else EXCHANGE
        if current == EXCHANGE:
            return KEYS if mode.uses_real_orders else MARKETS
        if current == SUMMARY:
            return -1
        return current + 1

    def form_problems(self, page: FormPage) -> list[str]:
        """Problems of the form on ``page``."""
        if page.form is self.markets:
            listed = None
            report = self.credentials.report
            if self.mode().uses_real_orders and report is not None:
                listed = report.symbols
            return self.markets.problems(listed)
        if page.form is self.risk:
            return self.risk.result()[1]
        return self.folders.problems()

    def chosen_settings(self) -> Settings:
        """The settings the wizard would save (without the key reference).

        Raises:
            ConfigError: a value is invalid.
        """
        mode = self.mode()
        limits, problems = self.risk.result()
        if limits is None:
            raise ConfigError("; ".join(problems))
        exchange: dict[str, Any] = {}
        if mode is not TradingMode.OFFLINE:
            exchange = {"id": self.exchange_id(), "sandbox": mode is TradingMode.TESTNET}
            if self.exchange_id() != self.initial.exchange.id:
                exchange["ccxt_config"] = {}
        general = {
            **self.markets.changes(),
            "mode": mode.value,
            "first_run_done": True,
            "live_confirmed": mode is TradingMode.LIVE and self.mode_page.live.is_confirmed(),
        }
        return with_changes(
            self.initial,
            {
                "general": general,
                "exchange": exchange,
                "risk": limits.to_mapping(),
                "database": self.folders.database_changes(),
                "logging": {"level": self.folders.level.currentText()},
            },
        )

    def summary_html(self) -> str:
        """The choices as a short HTML list for the summary page."""
        try:
            settings = self.chosen_settings()
        except ConfigError as exc:
            return html.escape(str(exc))
        mode = settings.general.mode
        rows = [("Mode", MODE_TEXT[mode])]
        if mode is not TradingMode.OFFLINE:
            rows.append(("Exchange", settings.exchange.id))
        if mode.uses_real_orders:
            rows.append(("API key", f"{mask(self.credentials.credentials().api_key)} (keyring)"))
        risk = settings.risk
        rows += [
            ("Quote currency", settings.general.quote_currency),
            ("Symbols", ", ".join(settings.general.symbols)),
            (
                "Risk",
                f"{self.risk.choice()}: daily loss {risk.daily_loss_pct} %, position "
                f"{risk.max_position_pct} %, risk per trade {risk.risk_per_trade_pct} %",
            ),
            ("Data folder", self.folders.data_folder.text()),
            ("Log level", settings.logging.level),
        ]
        items = "".join(
            f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td><td>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        return f"<table>{items}</table><p>The engine starts stopped: press Start to trade.</p>"

    def _refresh_audit_settings(self, _page_id: int) -> None:
        try:
            self.audit_settings = self.chosen_settings()
        except ConfigError:
            return

    # ------------------------------------------------------------------ finish
    def save(self) -> list[str]:
        """Store the key (testnet/live), write the settings, then forget a replaced key.

        Returns:
            The problems; empty when everything was saved.
        """
        old_reference = self.initial.exchange.api_key_ref
        try:
            settings = self.chosen_settings()
            self.audit_settings = settings
            if settings.general.mode.uses_real_orders:
                stored = self.operations.add(settings.exchange.id, self.credentials.credentials())
                settings = with_changes(
                    settings,
                    {
                        "exchange": {
                            "api_key_ref": stored.reference,
                            "key_added_at": stored.added_at,
                        }
                    },
                )
            save_settings(settings, self.paths)
        except CryptobotError as exc:
            logger.warning("setup wizard could not save: %s", exc)
            return [str(exc)]
        self.result_settings = settings
        new_reference = settings.exchange.api_key_ref
        if old_reference and new_reference and new_reference != old_reference:
            try:
                self.operations.retire(self.initial.exchange.id, old_reference, new_reference)
            except CryptobotError as exc:
                logger.warning("the replaced key %s was not deleted: %s", old_reference, exc)
        logger.info("setup wizard finished: mode %s", settings.general.mode)
        return []

    def done(self, result: int) -> None:
        """Close; the connection-test worker is released."""
        self.credentials.tester.shutdown()
        super().done(result)


def run_setup_wizard(
    parent: QWidget | None,
    settings: Settings,
    paths: AppPaths,
    secret_store: SecretStorePort,
    *,
    operations: KeyOperations | None = None,
) -> Settings | None:
    """Show the setup wizard modally; the saved settings, or None when cancelled.

    Args:
        parent: owning window (None on first run).
        settings: the settings to start from.
        paths: the application's directories.
        secret_store: where the API key goes (keyring or encrypted key file).
        operations: key operations to use (default: real ones on ``secret_store``, audited
            in the app database).

    Returns:
        The settings written to disk, or None when the user cancelled.
    """
    holder: weakref.WeakValueDictionary[str, SetupWizard] = weakref.WeakValueDictionary()

    def current() -> Settings:
        wizard = holder.get("wizard")
        return settings if wizard is None else wizard.audit_settings

    ops = operations or default_key_operations(secret_store, paths, current)
    wizard = SetupWizard(settings, paths, ops, parent)
    holder["wizard"] = wizard
    accepted = wizard.exec() == QDialog.DialogCode.Accepted
    return wizard.result_settings if accepted else None
