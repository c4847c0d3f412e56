"""The live-trading gate: switching to real money needs the user to type an exact sentence.

The same widget sits on the wizard's mode page and in :class:`LiveGateDialog`, which the
settings dialog and the main window open before anything is switched to live.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

LIVE_CONFIRMATION_PHRASE = "I understand this trades real money"
"""What the user must type, exactly, to enable live trading."""

LIVE_WARNING = (
    "<b>Live mode sends real orders with real money.</b> Losses are yours: strategies can "
    "lose, exchanges can fail, and past results do not predict future ones. The engine always "
    "starts stopped; nothing trades until you press Start."
)


def phrase_matches(text: str) -> bool:
    """True when ``text`` is the confirmation phrase (surrounding spaces ignored, case exact)."""
    return text.strip() == LIVE_CONFIRMATION_PHRASE


class LiveConfirmationWidget(QWidget):
    """Warning text plus a field where the confirmation phrase must be typed.

    Signals:
        confirmed_changed(bool): the typed text started or stopped matching the phrase.
    """

    confirmed_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        warning = QLabel(LIVE_WARNING)
        warning.setWordWrap(True)
        warning.setObjectName("liveWarning")
        warning.setStyleSheet("color: #ef5350;")
        prompt = QLabel(f"To continue, type: <b>{LIVE_CONFIRMATION_PHRASE}</b>")
        prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.field = QLineEdit()
        self.field.setObjectName("liveConfirmation")
        self.field.setPlaceholderText(LIVE_CONFIRMATION_PHRASE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(warning)
        layout.addWidget(prompt)
        layout.addWidget(self.field)
        self._confirmed = False
        self.field.textChanged.connect(self._on_text_changed)

    def is_confirmed(self) -> bool:
        """True when the phrase has been typed exactly."""
        return self._confirmed

    def clear(self) -> None:
        """Forget what was typed."""
        self.field.clear()

    def _on_text_changed(self, text: str) -> None:
        confirmed = phrase_matches(text)
        if confirmed != self._confirmed:
            self._confirmed = confirmed
            self.confirmed_changed.emit(confirmed)


class LiveGateDialog(QDialog):
    """Asks for the typed confirmation before switching to live trading.

    The "Switch to live" button stays disabled until the phrase is typed exactly; the dialog
    is accepted only then. Open it with ``open()`` and connect ``accepted``/``rejected``.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Switch to live trading")
        self.setObjectName("liveGateDialog")
        self.confirmation = LiveConfirmationWidget()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.switch_button = self.buttons.addButton(
            "Switch to live", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.switch_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.confirmation.confirmed_changed.connect(self.switch_button.setEnabled)
        layout = QVBoxLayout(self)
        layout.addWidget(self.confirmation)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())

    def accept(self) -> None:
        """Close with "accepted" only when the phrase was typed."""
        if self.confirmation.is_confirmed():
            super().accept()
