"""Desktop notifications (tray messages) for fills, breaker trips and errors, each switchable."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QSystemTrayIcon

from app.core.enums import BreakerState
from app.core.events import Alert, BreakerStateChanged
from app.core.models import Fill
from app.ui.bridge import EngineBridge
from app.ui.models.formatting import format_decimal

logger = logging.getLogger(__name__)

_MAX_HISTORY = 200


class NotificationKind(StrEnum):
    """What a notification is about; each kind can be switched off."""

    FILLS = "fills"
    BREAKERS = "breakers"
    ERRORS = "errors"


@dataclass(frozen=True, slots=True)
class Notification:
    """One message shown to the user."""

    kind: NotificationKind
    title: str
    message: str


class Notifier(QObject):
    """Shows tray messages for engine events according to the user's preferences.

    Preferences live in QSettings under ``notifications/<kind>`` (all on by default);
    ``enabled`` switches everything off (``general.notifications`` in the settings file).
    Without a system tray the messages are only kept in :attr:`history` and logged.

    Args:
        bridge: the event bridge.
        icon: tray icon.
        enabled: master switch.
        parent: owning object.
    """

    def __init__(
        self,
        bridge: EngineBridge,
        icon: QIcon,
        enabled: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.enabled = enabled
        self.history: list[Notification] = []
        self._settings = QSettings()
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(icon, self)
            self.tray.setToolTip("Cryptobot")
            self.tray.show()
        bridge.fills.connect(self.on_fills)
        bridge.breaker.connect(self.on_breaker)
        bridge.alert.connect(self.on_alert)

    def is_on(self, kind: NotificationKind) -> bool:
        """Whether ``kind`` is shown."""
        value = self._settings.value(f"notifications/{kind.value}", True)
        return self.enabled and value not in (False, "false", "0", 0)

    def set_on(self, kind: NotificationKind, on: bool) -> None:
        """Switch ``kind`` on or off (remembered)."""
        self._settings.setValue(f"notifications/{kind.value}", on)

    def notify(self, kind: NotificationKind, title: str, message: str) -> bool:
        """Show a message if ``kind`` is on.

        Returns:
            True when it was shown.
        """
        if not self.is_on(kind):
            return False
        self.history.append(Notification(kind, title, message))
        del self.history[:-_MAX_HISTORY]
        logger.info("notification: %s: %s", title, message)
        if self.tray is not None:
            icon = (
                QSystemTrayIcon.MessageIcon.Critical
                if kind is not NotificationKind.FILLS
                else QSystemTrayIcon.MessageIcon.Information
            )
            self.tray.showMessage(title, message, icon, 8000)
        return True

    def on_fills(self, fills: Sequence[Fill]) -> None:
        """Fills arrived (one drain's fills become one message)."""
        if not fills:
            return
        lines = [
            f"{fill.side.value.upper()} {format_decimal(fill.amount)} {fill.symbol} "
            f"@ {format_decimal(fill.price)}"
            for fill in fills[:5]
        ]
        if len(fills) > 5:
            lines.append(f"… and {len(fills) - 5} more")
        title = "Order filled" if len(fills) == 1 else f"{len(fills)} fills"
        self.notify(NotificationKind.FILLS, title, "\n".join(lines))

    def on_breaker(self, event: BreakerStateChanged) -> None:
        """A breaker tripped (moving back to active is not announced)."""
        if event.new_state is BreakerState.ACTIVE:
            return
        self.notify(
            NotificationKind.BREAKERS,
            f"Breaker {event.breaker}: {event.new_state.value.upper()}",
            event.reason,
        )

    def on_alert(self, event: Alert) -> None:
        """An engine alert (errors and warnings are shown)."""
        if event.level.lower() in ("error", "critical", "warning"):
            self.notify(NotificationKind.ERRORS, event.title, event.message)

    def on_error(self, title: str, message: str) -> None:
        """An application error (from the exception hook)."""
        self.notify(NotificationKind.ERRORS, title, message)
