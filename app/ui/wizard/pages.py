"""The setup wizard's pages. Each refuses "Next" with a sentence naming what to fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.core.enums import TradingMode
from app.security.keyring_store import KeyringSecretStore, keyring_status
from app.ui.form_kit import error_label
from app.ui.live_gate import LIVE_CONFIRMATION_PHRASE, LiveConfirmationWidget
from app.ui.wizard.catalog import exchange_info
from app.ui.wizard.credentials_form import CredentialsForm
from app.ui.wizard.exchange_picker import ExchangePicker

if TYPE_CHECKING:
    from app.ui.wizard.wizard import SetupWizard

DISCLAIMER = (
    "<p>Cryptobot trades crypto currencies automatically. Crypto prices move fast and can fall "
    "to zero; automated strategies can lose money quickly, exchanges can fail or freeze "
    "withdrawals, and a backtest never guarantees future results.</p>"
    "<p>Start with paper trading. Only trade money you can afford to lose. You alone are "
    "responsible for every order the app places on your behalf.</p>"
)

MODE_TEXT: dict[TradingMode, str] = {
    TradingMode.OFFLINE: "Offline paper trading on demo data: no account, no network "
    "(recommended to start)",
    TradingMode.PAPER: "Paper trading on live prices: simulated orders, real market data",
    TradingMode.TESTNET: "Testnet: real orders on the exchange's sandbox with testnet keys",
    TradingMode.LIVE: "Live: real orders with real money",
}


class WizardPage(QWizardPage):
    """A page with an error line at the bottom (red, empty when all is well)."""

    def __init__(self, title: str, subtitle: str = "") -> None:
        super().__init__()
        self.setTitle(title)
        if subtitle:
            self.setSubTitle(subtitle)
        self.body = QVBoxLayout(self)
        self.error = error_label("pageError")

    def finish_layout(self) -> None:
        """Add the error line under the page's own widgets."""
        self.body.addStretch(1)
        self.body.addWidget(self.error)

    def refuse(self, problems: list[str]) -> bool:
        """Show ``problems`` (one per line); True when there are none."""
        self.error.setText("\n".join(problems))
        return not problems

    def setup(self) -> SetupWizard:
        """The wizard this page belongs to."""
        return self.wizard()  # type: ignore[return-value]


class WelcomePage(WizardPage):
    """Welcome and the risk disclaimer, which must be accepted."""

    def __init__(self) -> None:
        super().__init__("Welcome to Cryptobot", "Please read this before you continue.")
        text = QLabel(DISCLAIMER)
        text.setWordWrap(True)
        steps = QLabel(
            "Setup takes about a minute: choose how to trade (offline paper trading needs no "
            "account), the exchange and its API key if you trade on one, the symbols to watch "
            "and your risk limits. You can change everything later in Settings."
        )
        steps.setObjectName("muted")
        steps.setWordWrap(True)
        self.accept_box = QCheckBox("I have read this and accept the risks of trading")
        self.accept_box.setObjectName("acceptRisk")
        self.body.addWidget(text)
        self.body.addWidget(steps)
        self.body.addSpacing(12)
        self.body.addWidget(self.accept_box)
        self.finish_layout()

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        """Refuse to continue until the disclaimer is accepted."""
        if self.accept_box.isChecked():
            return self.refuse([])
        return self.refuse(["Tick 'I have read this and accept the risks' to continue."])


class ModePage(WizardPage):
    """Offline / paper / testnet / live; live needs the typed confirmation."""

    def __init__(self) -> None:
        super().__init__("Trading mode", "Where should orders go? You can change this later.")
        self.group = QButtonGroup(self)
        self.buttons: dict[TradingMode, QRadioButton] = {}
        for mode, text in MODE_TEXT.items():
            button = QRadioButton(text)
            button.setObjectName(f"mode_{mode.value}")
            self.group.addButton(button)
            self.buttons[mode] = button
            self.body.addWidget(button)
        note = QLabel(
            "Whatever you choose, the engine starts stopped: nothing trades until you press "
            "Start. Live trading always asks you to type a confirmation first."
        )
        note.setObjectName("muted")
        note.setWordWrap(True)
        self.body.addSpacing(8)
        self.body.addWidget(note)
        self.live = LiveConfirmationWidget()
        self.body.addWidget(self.live)
        self.finish_layout()
        self.group.buttonToggled.connect(self._on_toggled)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        """Live is never pre-confirmed: the phrase is typed each time."""
        self.live.clear()
        self._on_toggled()

    def mode(self) -> TradingMode:
        """The chosen mode (offline until one is chosen)."""
        return next(
            (mode for mode, button in self.buttons.items() if button.isChecked()),
            TradingMode.OFFLINE,
        )

    def select(self, mode: TradingMode) -> None:
        """Choose ``mode``."""
        self.buttons[mode].setChecked(True)

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        """Live needs the exact confirmation phrase."""
        if self.mode() is TradingMode.LIVE and not self.live.is_confirmed():
            return self.refuse(
                [f"Live trading: type '{LIVE_CONFIRMATION_PHRASE}' exactly, or choose paper."]
            )
        return self.refuse([])

    def _on_toggled(self, *_args: object) -> None:
        is_live = any(b.isChecked() for m, b in self.buttons.items() if m is TradingMode.LIVE)
        self.live.setVisible(is_live)
        self.error.clear()


class ExchangePage(WizardPage):
    """Which exchange (prices for paper; orders for testnet and live)."""

    def __init__(self) -> None:
        super().__init__("Exchange", "Pick the exchange whose prices and account you will use.")
        self.picker = ExchangePicker()
        self.body.addWidget(self.picker, 1)
        self.body.addWidget(self.error)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        """Select the exchange of the current settings."""
        if self.picker.selected_id() is None:
            self.picker.select(self.setup().initial.exchange.id)

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        """An exchange must be chosen; testnet needs one with a sandbox."""
        exchange_id = self.picker.selected_id()
        if exchange_id is None:
            return self.refuse(["Exchange: choose an exchange from the list."])
        info = exchange_info(exchange_id)
        if self.setup().mode() is TradingMode.TESTNET and info is not None and not info.has_sandbox:
            return self.refuse(
                [
                    f"Exchange: {info.name} has no testnet; choose one marked 'sandbox', or go "
                    "back and pick paper trading."
                ]
            )
        return self.refuse([])


class KeysPage(WizardPage):
    """API key, secret and passphrase, which must pass Test connection."""

    def __init__(self, form: CredentialsForm) -> None:
        super().__init__("API key", "Connect Cryptobot to your exchange account.")
        advice = QLabel(
            "On the exchange's API management page, create a key with <b>reading and trading "
            "rights only</b>. A key that can withdraw funds is refused. The key is kept in the "
            "system keyring, never in a file."
        )
        advice.setWordWrap(True)
        self.body.addWidget(advice)
        self.keyring = QLabel("")
        self.keyring.setObjectName("muted")
        self.keyring.setWordWrap(True)
        self.form = form
        self.body.addWidget(self.keyring)
        self.body.addWidget(form)
        self.finish_layout()

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        """Point the form at the chosen exchange and show where the key will be kept."""
        setup = self.setup()
        exchange_id = setup.exchange_id()
        initial = setup.initial.exchange
        self.form.set_exchange(
            exchange_id,
            sandbox=setup.mode() is TradingMode.TESTNET,
            ccxt_config=initial.ccxt_config if initial.id == exchange_id else None,
        )
        self.keyring.setText(self._keyring_text())

    def _keyring_text(self) -> str:
        if not isinstance(self.setup().operations.store, KeyringSecretStore):
            return "The key will be kept in the encrypted key file."
        return keyring_status().message

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        """Every field filled, and a passed connection test of exactly these values."""
        problems = self.form.problems()
        if problems:
            return self.refuse(problems)
        if self.form.tester.busy:
            return self.refuse(["Test connection: wait for the test to finish."])
        if not self.form.tested_ok:
            return self.refuse(
                ["Test connection: press 'Test connection'; the key must pass before it is saved."]
            )
        return self.refuse([])


class FormPage(WizardPage):
    """A page showing one form section; ``check`` returns its problems."""

    def __init__(self, title: str, subtitle: str, form: QWidget) -> None:
        super().__init__(title, subtitle)
        self.form = form
        self.body.addWidget(form)
        self.finish_layout()

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        """Refuse while the form has problems."""
        return self.refuse(self.setup().form_problems(self))


class SummaryPage(WizardPage):
    """Everything chosen, then Finish saves it."""

    def __init__(self) -> None:
        super().__init__("Summary", "Check your choices; Finish saves them.")
        self.summary = QLabel("")
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        self.body.addWidget(self.summary)
        self.finish_layout()

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        """Describe the choices."""
        self.summary.setText(self.setup().summary_html())

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        """Save the key and the settings; stay here with the reason when that fails."""
        return self.refuse(self.setup().save())
