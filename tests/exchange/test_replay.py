"""Replay feed: candles become live-like events; offline mode trades on them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from app.core.enums import OrderStatus, OrderType, Side
from app.core.errors import DataError, ExchangeUnavailable
from app.core.events import CandleClosed, CandleUpdated, Event, TickerUpdated
from app.exchange.factory import open_offline_exchange
from app.exchange.paper_ledger import InMemoryLedger
from app.exchange.replay import ReplayFeed
from app.exchange.replay_data import ReplaySeries, load_csv_series, load_directory

HOUR = 3_600_000


def series(rows: list[tuple[float, float, float, float]], symbol: str = "BTC/USDT") -> ReplaySeries:
    ts = np.array([i * HOUR for i in range(len(rows))], dtype=np.int64)
    ohlcv = np.array([[*r, 10.0] for r in rows], dtype=np.float64)
    return ReplaySeries(symbol, "1h", ts, ohlcv)


def test_each_candle_walks_open_extremes_close_then_closes() -> None:
    feed = ReplayFeed([series([(100, 110, 95, 105), (105, 108, 90, 92)])])
    events = list(feed.events())
    ticks = [e for e in events if isinstance(e, TickerUpdated)]
    assert [t.last for t in ticks] == [
        Decimal(x) for x in ("100", "95", "110", "105", "105", "108", "90", "92")
    ]
    assert [t.timestamp for t in ticks[:4]] == [0, 900_000, 1_800_000, 2_700_000]
    closed = [e for e in events if isinstance(e, CandleClosed)]
    assert [(c.timestamp, c.candle.close) for c in closed] == [(HOUR, 105.0), (2 * HOUR, 92.0)]
    # the forming candle grows tick by tick and never exceeds the final high/low
    forming = [e.candle for e in events if isinstance(e, CandleUpdated)][:4]
    assert [(c.high, c.low, c.close) for c in forming] == [
        (100, 100, 100),
        (100, 95, 95),
        (110, 95, 110),
        (110, 95, 105),
    ]
    assert forming[-1].volume == 10.0
    # a candle's events come before the close event, in time order
    assert [e.timestamp for e in events] == sorted(e.timestamp for e in events)


def test_symbols_are_merged_in_time_order() -> None:
    feed = ReplayFeed([series([(1, 1, 1, 1)] * 3), series([(2, 2, 2, 2)] * 3, "ETH/USDT")])
    events = list(feed.events())
    assert len(events) == 2 * 3 * 9
    assert [e.timestamp for e in events] == sorted(e.timestamp for e in events)
    assert {e.symbol for e in events if isinstance(e, TickerUpdated)} == {"BTC/USDT", "ETH/USDT"}


async def test_speed_paces_playback_in_real_time() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    feed = ReplayFeed([series([(1, 2, 0.5, 1.5)] * 2)], speed=3600.0, sleep=sleep)
    received: list[Event] = []
    feed.subscribe(received.append)
    await feed.run()
    assert len(received) == 18
    assert sum(slept) == pytest.approx(2.0)  # two hours of bars at 3600x
    assert feed.clock.now_ms() == 2 * HOUR
    assert feed.finished


async def test_candles_are_visible_only_once_closed(data_dir: Path) -> None:
    btc = load_csv_series(data_dir / "btc_usdt_1h.csv")
    start = int(btc.timestamps[100])
    feed = ReplayFeed([btc], start_ms=start)
    history = await feed.fetch_ohlcv("BTC/USDT", "1h")
    assert len(history) == 100 and history[-1].timestamp < start
    assert await feed.fetch_ticker("BTC/USDT") == Decimal(repr(float(btc.ohlcv[99, 3])))
    last = await feed.fetch_ohlcv("BTC/USDT", "1h", limit=5)
    assert [c.timestamp for c in last] == [c.timestamp for c in history[-5:]]


async def test_watch_ticker_starts_playback_and_reports_the_end() -> None:
    feed = ReplayFeed([series([(100, 110, 95, 105)])])
    assert await feed.watch_ticker("BTC/USDT") == Decimal(100)
    assert await feed.watch_ticker("BTC/USDT") == Decimal(95)
    await feed.start()
    with pytest.raises(ExchangeUnavailable, match="replay data has ended"):
        await feed.watch_ticker("BTC/USDT")
    await feed.close()


DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo"


async def test_offline_mode_trades_the_bundled_demo_data_without_network() -> None:
    demo = DEMO
    feed = ReplayFeed(load_directory(demo, "1h"), exchange_id="binance")
    paper = await open_offline_exchange(
        feed, InMemoryLedger(), initial_balances={"USDT": Decimal(10000)}
    )
    markets = await paper.load_markets()
    assert set(markets) == {"BTC/USDT", "ETH/USDT"}
    first = await paper.watch_ticker("BTC/USDT")  # starts the replay
    buy = await paper.create_order("o1", "BTC/USDT", Side.BUY, OrderType.MARKET, Decimal("0.01"))
    limit = markets["BTC/USDT"].round_price(first * Decimal("0.9"))
    await paper.create_order("o2", "BTC/USDT", Side.BUY, OrderType.LIMIT, Decimal("0.01"), limit)
    await feed.start()  # play to the end, as fast as possible
    done = await paper.fetch_order("BTC/USDT", buy.client_order_id)
    assert done.status is OrderStatus.FILLED
    assert done.created_at <= done.updated_at  # replay timestamps, not wall-clock
    rested = await paper.fetch_order("BTC/USDT", "o2")
    assert rested.status is OrderStatus.FILLED and rested.average_price == limit
    balances = await paper.fetch_balance()
    assert balances["BTC"].free == Decimal("0.02")
    await paper.close()


def test_bad_files_are_reported_by_name(tmp_path: Path) -> None:
    bad = tmp_path / "btc_usdt_1h.csv"
    bad.write_text("time,o,h,l,c,v\n1,2,3,4,5,6\n")
    with pytest.raises(DataError, match="expected columns"):
        load_csv_series(bad)
    with pytest.raises(DataError, match="no candle files"):
        load_directory(tmp_path / "missing")
    odd = tmp_path / "prices.csv"
    odd.write_text("timestamp,open,high,low,close,volume\n")
    with pytest.raises(DataError, match="<base>_<quote>_<timeframe>"):
        load_csv_series(odd)
