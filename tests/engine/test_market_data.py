"""Market data: closed-candle detection, reconnect signalling, the replay driver's lock step."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from app.core.enums import OrderStatus, OrderType, Side
from app.core.errors import NetworkError
from app.core.events import (
    CandleClosed,
    CandleUpdated,
    ConnectionStateChanged,
    Event,
    TickerUpdated,
)
from app.core.models import Candle
from app.engine.market_data import LiveMarketData, closed_and_forming
from app.engine.replay_driver import ReplayDriver
from app.engine.strategy_window import CandleWindow
from app.exchange.paper import PaperExchange
from app.exchange.paper_ledger import InMemoryLedger
from app.exchange.replay import ReplayFeed
from app.exchange.replay_data import ReplaySeries

MINUTE = 60_000


def _candle(minute: int, close: float = 100.0) -> Candle:
    return Candle(minute * MINUTE, close, close + 1, close - 1, close, 1.0)


class ScriptedVenue:
    """The network boundary: candle polls answer from a script; None means a timeout."""

    exchange_id = "venue"

    def __init__(self, polls: list[list[Candle] | None]) -> None:
        self.polls = polls
        self.requests: list[tuple[int | None, int | None]] = []

    async def fetch_ohlcv(
        self, symbol: str, timeframe: str, since: int | None = None, limit: int | None = None
    ) -> Sequence[Candle]:
        self.requests.append((since, limit))
        answer = self.polls.pop(0)
        if answer is None:
            raise NetworkError("venue: read timed out")
        return [c for c in answer if since is None or c.timestamp >= since]

    async def watch_ticker(self, symbol: str) -> Decimal:
        answer = self.polls.pop(0)
        if answer is None:
            raise NetworkError("venue: websocket dropped")
        return Decimal(str(answer[-1].close))


async def test_a_candle_closes_once_when_a_newer_one_starts() -> None:
    venue = ScriptedVenue(
        [
            [_candle(0), _candle(1), _candle(2)],  # history: 0 and 1 closed, 2 forming
            [_candle(2, 101.0)],  # 2 still forming
            [_candle(2, 102.0), _candle(3)],  # 3 started: 2 closed
            [_candle(3), _candle(4), _candle(5)],  # 3 and 4 closed at once
        ]
    )
    events: list[Event] = []
    sunk: list[CandleClosed] = []

    async def sink(event: CandleClosed) -> None:
        sunk.append(event)

    market = LiveMarketData(venue, events.append, sink, clock=lambda: 0)  # type: ignore[arg-type]
    assert await market.poll_candles("BTC/USDT", "1m") == []
    assert await market.poll_candles("BTC/USDT", "1m") == []
    assert [c.close for c in await market.poll_candles("BTC/USDT", "1m")] == [102.0]
    assert [c.timestamp for c in await market.poll_candles("BTC/USDT", "1m")] == [
        3 * MINUTE,
        4 * MINUTE,
    ]
    assert [e.candle.timestamp for e in sunk] == [2 * MINUTE, 3 * MINUTE, 4 * MINUTE]
    assert [e.timestamp for e in sunk] == [3 * MINUTE, 4 * MINUTE, 5 * MINUTE]
    assert [e.candle for e in events if isinstance(e, CandleClosed)] == [e.candle for e in sunk]
    forming = [e.candle.timestamp for e in events if isinstance(e, CandleUpdated)]
    assert forming == [2 * MINUTE, 2 * MINUTE, 3 * MINUTE, 5 * MINUTE]
    assert venue.requests[1] == (MINUTE + 1, None)  # asks only for what it has not seen closed


async def test_a_failed_read_reports_the_connection_down_then_up_again() -> None:
    venue = ScriptedVenue([[_candle(0), _candle(1)], None, [_candle(1), _candle(2)]])
    events: list[Event] = []

    async def sink(event: CandleClosed) -> None:
        return None

    market = LiveMarketData(venue, events.append, sink, clock=lambda: 0)  # type: ignore[arg-type]
    await market.poll_candles("BTC/USDT", "1m")
    with pytest.raises(NetworkError):
        await market.poll_candles("BTC/USDT", "1m")
    assert market.connected is False
    await market.poll_candles("BTC/USDT", "1m")
    states = [(e.connected, e.detail) for e in events if isinstance(e, ConnectionStateChanged)]
    assert [s[0] for s in states] == [True, False, True]
    assert "timed out" in states[1][1]
    assert market.last_closed("BTC/USDT", "1m") == MINUTE


async def test_ticker_loop_publishes_prices_and_raises_for_the_supervisor_on_a_drop() -> None:
    venue = ScriptedVenue([[_candle(0, 100.5)], [_candle(0, 100.75)], None])
    events: list[Event] = []

    async def sink(event: CandleClosed) -> None:
        return None

    market = LiveMarketData(venue, events.append, sink, clock=lambda: 7)  # type: ignore[arg-type]
    with pytest.raises(NetworkError):
        await market.run_tickers("BTC/USDT")
    prices = [e.last for e in events if isinstance(e, TickerUpdated)]
    assert prices == [Decimal("100.5"), Decimal("100.75")]
    assert isinstance(events[-1], ConnectionStateChanged) and not events[-1].connected


def test_closed_and_forming_orders_by_time() -> None:
    closed, forming = closed_and_forming([_candle(2), _candle(0), _candle(1)])
    assert [c.timestamp for c in closed] == [0, MINUTE]
    assert forming.timestamp == 2 * MINUTE


def test_candle_window_keeps_the_newest_rows_in_order() -> None:
    window = CandleWindow(3)
    for minute in range(10):
        assert window.append(_candle(minute, float(minute)))
    assert not window.append(_candle(5))
    frame = window.frame()
    assert frame["close"].tolist() == [7.0, 8.0, 9.0]
    assert frame["timestamp"].tolist() == [7 * MINUTE, 8 * MINUTE, 9 * MINUTE]
    assert str(frame["timestamp"].dtype) == "int64"


def _series() -> ReplaySeries:
    opens = [100.0, 110.0, 120.0, 130.0]
    ohlcv = np.array([[o, o + 5, o - 5, o + 2, 1.0] for o in opens])
    return ReplaySeries("BTC/USDT", "1m", np.arange(4, dtype=np.int64) * MINUTE, ohlcv)


async def test_replay_driver_fills_an_order_placed_at_a_close_at_the_next_open_at_full_speed(
    tmp_path: Path,
) -> None:
    feed = ReplayFeed([_series()])
    driver = ReplayDriver(feed)
    paper = PaperExchange(
        driver, InMemoryLedger(), feed.clock, initial_balances={"USDT": Decimal(10_000)},
        slippage=Decimal(0), fee_rate=Decimal("0.001"), match_on_reads=False,
    )  # fmt: skip
    await paper.load_markets()
    fills = []

    async def on_tick(event: TickerUpdated) -> None:
        fills.extend(paper.on_price(event.symbol, event.last, event.timestamp))

    driver.add_tick_hook(on_tick)
    placed = []

    async def on_close(event: CandleClosed) -> None:
        if event.candle.timestamp == 0:
            await asyncio.sleep(0.01)  # a slow strategy must not let the replay run ahead
            placed.append(
                await paper.create_order("cb-1", "BTC/USDT", Side.BUY, OrderType.MARKET, Decimal(1))
            )

    published: list[Event] = []
    await driver.run(published.append, on_close)
    assert driver.finished
    [fill] = fills
    assert fill.price == Decimal(110) and fill.timestamp == MINUTE  # bar 1's open
    assert (await paper.fetch_order("BTC/USDT", "cb-1")).status is OrderStatus.FILLED
    closes = [e for e in published if isinstance(e, CandleClosed)]
    assert len(closes) == 4 and driver.played == len(published)


async def test_replay_driver_paces_to_the_speed() -> None:
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)

    driver = ReplayDriver(ReplayFeed([_series()]), speed=60.0, sleep=fake_sleep)

    async def on_close(event: CandleClosed) -> None:
        return None

    await driver.run(lambda _event: None, on_close)
    assert sum(waits) == pytest.approx(4.0)  # 4 one-minute bars, first open to last close, at 60x
