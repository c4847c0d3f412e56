"""Tray notifications for fills, breaker trips and errors, each switchable."""

from __future__ import annotations

from decimal import Decimal

from pytestqt.qtbot import QtBot

from app.config.paths import resolve_paths
from app.core.enums import BreakerState, Side
from app.core.events import Alert, BreakerStateChanged, FillReceived
from app.core.models import Fill
from app.engine.bus import CoalescingQueue
from app.ui.app import app_icon, configure_qsettings
from app.ui.bridge import EngineBridge
from app.ui.notifications import NotificationKind, Notifier


def _fill(number: int) -> Fill:
    return Fill(f"t{number}", f"c{number}", "BTC/USDT", Side.BUY, Decimal("19126.94"),
                Decimal("0.0261"), Decimal("0.01"), "USDT", number)  # fmt: skip


def _breaker(new: BreakerState) -> BreakerStateChanged:
    return BreakerStateChanged(
        timestamp=1, breaker="daily_loss", old_state=BreakerState.ACTIVE, new_state=new,
        reason="daily loss 3.2 % reached the 3 % limit",
    )  # fmt: skip


def test_fills_breaker_trips_and_errors_are_notified_per_preference(qtbot: QtBot) -> None:
    configure_qsettings(resolve_paths())
    queue = CoalescingQueue()
    bridge = EngineBridge(queue)
    notifier = Notifier(bridge, app_icon())

    for number in range(7):
        queue.put(FillReceived(timestamp=number, fill=_fill(number)))
    queue.put(_breaker(BreakerState.HALTED))
    queue.put(_breaker(BreakerState.ACTIVE))  # recovery is not announced
    queue.put(Alert(timestamp=2, level="info", title="Reconciled", message="all good"))
    queue.put(Alert(timestamp=3, level="error", title="Order unknown", message="c9: timeout"))
    bridge.drain()

    history = notifier.history
    assert [note.kind for note in history] == [
        NotificationKind.BREAKERS, NotificationKind.ERRORS, NotificationKind.FILLS,
    ]  # fmt: skip
    fills = history[2]
    assert fills.title == "7 fills"
    assert "BUY 0.0261 BTC/USDT @ 19,126.94" in fills.message
    assert "… and 2 more" in fills.message
    assert history[0].title == "Breaker daily_loss: HALTED"

    notifier.set_on(NotificationKind.FILLS, False)
    assert Notifier(bridge, app_icon()).is_on(NotificationKind.FILLS) is False  # remembered
    queue.put(FillReceived(timestamp=9, fill=_fill(9)))
    bridge.drain()
    assert len(notifier.history) == 3

    notifier.enabled = False
    queue.put(_breaker(BreakerState.HALTED))
    bridge.drain()
    assert len(notifier.history) == 3
