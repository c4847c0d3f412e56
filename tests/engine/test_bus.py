"""Event bus dispatch and the coalescing hand-off queue to the UI."""

from __future__ import annotations

import threading
from decimal import Decimal

from app.core.enums import OrderType, Side
from app.core.events import Alert, Event, OrderUpdated, TickerUpdated
from app.core.models import Order
from app.engine.bus import CoalescingQueue, EventBus


def ticker(symbol: str, last: str, ts: int = 0) -> TickerUpdated:
    return TickerUpdated(timestamp=ts, exchange="paper", symbol=symbol, last=Decimal(last))


def test_handlers_receive_their_type_and_subclasses_and_failures_are_isolated() -> None:
    bus = EventBus()
    seen_all: list[Event] = []
    seen_tickers: list[TickerUpdated] = []

    def broken(event: Event) -> None:
        raise RuntimeError("boom")

    bus.subscribe(Event, broken)
    bus.subscribe(Event, seen_all.append)
    unsubscribe = bus.subscribe(TickerUpdated, seen_tickers.append)
    bus.publish(ticker("BTC/USDT", "1"))
    bus.publish(Alert(timestamp=0, level="error", title="t", message="m"))
    assert len(seen_all) == 2 and len(seen_tickers) == 1
    unsubscribe()
    bus.publish(ticker("BTC/USDT", "2"))
    assert len(seen_tickers) == 1 and len(seen_all) == 3


def test_queue_keeps_only_latest_ticker_per_symbol_but_every_alert() -> None:
    queue = CoalescingQueue()
    for n in range(1000):
        queue.put(ticker("BTC/USDT", str(n)))
        queue.put(ticker("ETH/USDT", str(n)))
    queue.put(Alert(timestamp=1, level="warning", title="a", message="1"))
    queue.put(Alert(timestamp=2, level="warning", title="a", message="2"))
    events = queue.drain()
    tickers = [e for e in events if isinstance(e, TickerUpdated)]
    assert [(t.symbol, t.last) for t in tickers] == [
        ("BTC/USDT", Decimal(999)),
        ("ETH/USDT", Decimal(999)),
    ]
    assert [e.message for e in events if isinstance(e, Alert)] == ["1", "2"]
    assert queue.coalesced == 1998 and queue.drain() == []


def test_order_updates_coalesce_per_client_order_id() -> None:
    queue = CoalescingQueue()
    order = Order("cb-1", "BTC/USDT", Side.BUY, OrderType.LIMIT, Decimal(1), Decimal(100))
    queue.put(OrderUpdated(timestamp=0, order=order))
    queue.put(OrderUpdated(timestamp=1, order=order.with_changes(filled=Decimal("0.5"))))
    queue.put(OrderUpdated(timestamp=1, order=order.with_changes(client_order_id="cb-2")))
    events = queue.drain()
    assert [e.order.client_order_id for e in events if isinstance(e, OrderUpdated)] == [
        "cb-1",
        "cb-2",
    ]
    assert next(e for e in events if isinstance(e, OrderUpdated)).order.filled == Decimal("0.5")


def test_queue_is_bounded_and_thread_safe() -> None:
    queue = CoalescingQueue(max_pending=100)

    def produce() -> None:
        for n in range(2000):
            queue.put(Alert(timestamp=n, level="info", title="x", message=str(n)))

    threads = [threading.Thread(target=produce) for _ in range(4)]
    for thread in threads:
        thread.start()
    drained = 0
    while any(t.is_alive() for t in threads):
        drained += len(queue.drain())
    for thread in threads:
        thread.join()
    drained += len(queue.drain())
    assert queue.received == 8000
    assert drained + queue.dropped == 8000
