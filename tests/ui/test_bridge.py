"""The bridge turns queued engine events into typed Qt signals on the GUI thread."""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from decimal import Decimal

from pytestqt.qtbot import QtBot

from app.core.enums import OrderStatus, OrderType, Side, TradingMode
from app.core.events import (
    Alert,
    EngineStateChanged,
    FillReceived,
    OrderUpdated,
    TickerUpdated,
)
from app.core.models import Fill, Order
from app.engine.bus import CoalescingQueue
from app.ui.bridge import EngineBridge, when_done


def _order(coid: str, status: OrderStatus, filled: str = "0") -> Order:
    return Order(
        coid, "BTC/USDT", Side.BUY, OrderType.LIMIT, Decimal("0.5"), Decimal("20000"),
        status=status, filled=Decimal(filled),
    )  # fmt: skip


def test_drain_batches_orders_before_fills_and_keeps_latest_order_state(qtbot: QtBot) -> None:
    queue = CoalescingQueue()
    bridge = EngineBridge(queue)
    seen: list[tuple[str, object]] = []
    bridge.orders.connect(lambda batch: seen.append(("orders", batch)))
    bridge.fills.connect(lambda batch: seen.append(("fills", batch)))
    bridge.engine_state.connect(lambda event: seen.append(("engine", event)))

    queue.put(OrderUpdated(timestamp=1, order=_order("a", OrderStatus.OPEN)))
    fill = Fill("t1", "a", "BTC/USDT", Side.BUY, Decimal("20000"), Decimal("0.5"),
                Decimal("0.01"), "USDT", 2)  # fmt: skip
    queue.put(FillReceived(timestamp=2, fill=fill))
    queue.put(OrderUpdated(timestamp=3, order=_order("a", OrderStatus.FILLED, "0.5")))
    queue.put(EngineStateChanged(timestamp=4, running=True, mode=TradingMode.OFFLINE))

    assert bridge.drain() == 3
    kinds = [kind for kind, _ in seen]
    assert kinds == ["engine", "orders", "fills"]
    orders = dict(seen)["orders"]
    assert isinstance(orders, list)
    assert [order.status for order in orders] == [OrderStatus.FILLED]
    assert dict(seen)["fills"] == [fill]
    assert bridge.drain() == 0


def test_timer_drains_events_put_by_another_thread(qtbot: QtBot) -> None:
    queue = CoalescingQueue()
    bridge = EngineBridge(queue, interval_ms=10)
    alerts: list[Alert] = []
    bridge.alert.connect(alerts.append)
    bridge.start()

    def produce() -> None:
        for number in range(50):
            queue.put(Alert(timestamp=number, level="error", title="t", message=str(number)))
            queue.put(TickerUpdated(timestamp=number, exchange="x", symbol="BTC/USDT",
                                    last=Decimal(number)))  # fmt: skip

    tickers: list[list[TickerUpdated]] = []
    bridge.tickers.connect(tickers.append)
    thread = threading.Thread(target=produce)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: len(alerts) == 50, timeout=3000)
    bridge.stop()
    assert [alert.message for alert in alerts] == [str(n) for n in range(50)]
    assert tickers[-1][-1].last == Decimal(49)
    assert sum(len(batch) for batch in tickers) < 50  # coalesced to the latest per symbol


def test_when_done_delivers_result_and_error_on_the_gui_thread(qtbot: QtBot) -> None:
    pool = concurrent.futures.ThreadPoolExecutor(1)
    results: list[tuple[str, object, bool]] = []
    gui_thread = threading.current_thread()

    def record(kind: str) -> Callable[[object], None]:
        return lambda value: results.append((kind, value, threading.current_thread() is gui_thread))

    when_done(pool.submit(lambda: 42), record("ok"), record("error"))
    when_done(pool.submit(lambda: 1 / 0), record("ok"), record("error"))
    qtbot.waitUntil(lambda: len(results) == 2, timeout=3000)
    pool.shutdown()
    assert results[0] == ("ok", 42, True)
    assert results[1][0] == "error"
    assert isinstance(results[1][1], ZeroDivisionError)
    assert results[1][2] is True
