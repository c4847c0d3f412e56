"""The chart follows the engine: candles, live bars, fill markers and open-order lines."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from app.backtest import run_backtest
from app.core.enums import OrderType, Side
from app.core.events import TickerUpdated
from app.core.models import Order
from app.engine.facade import EngineFacade
from app.storage.candle_csv import read_candle_csv
from app.ui.backtest_results import chart_trades
from app.ui.bridge import EngineBridge
from app.ui.chart import ChartPanel
from app.ui.chart_feed import ChartFeed
from tests.ui.shell_support import SMA_SPEC, offline_engine, wait_result


@pytest.fixture()
def engine() -> Iterator[EngineFacade]:
    facade, _paths, _settings = offline_engine(speed=3600.0 * 50)
    wait_result(facade.start())
    yield facade
    facade.shutdown()


def test_chart_shows_engine_candles_live_bars_fills_and_order_lines(
    qtbot: QtBot, engine: EngineFacade
) -> None:
    bridge = EngineBridge(engine.events, interval_ms=20)
    panel = ChartPanel(["BTC/USDT"])
    qtbot.addWidget(panel)
    bridge.setParent(panel)
    panel.set_timeframes(["1h"], "1h")
    feed = ChartFeed(engine, bridge, panel, panel)
    tickers: list[TickerUpdated] = []
    bridge.tickers.connect(tickers.extend)
    bridge.start()

    wait_result(engine.start_strategy(SMA_SPEC))
    feed.reload()
    qtbot.waitUntil(lambda: len(engine.fills()) >= 2, timeout=15000)
    before = feed.bars
    qtbot.waitUntil(lambda: feed.bars > before + 5, timeout=10000)  # live bars appended
    series = panel.chart.series
    assert list(series.timestamps) == sorted(set(series.timestamps))
    engine_last = engine.candles("BTC/USDT", "1h", 1)
    qtbot.waitUntil(
        lambda: int(panel.chart.series.timestamps[-1]) >= int(engine_last["timestamp"].iloc[-1]),
        timeout=5000,
    )

    wait_result(engine.stop_strategy(engine.strategies()[0].strategy_id))
    qtbot.waitUntil(
        lambda: (
            {(m.timestamp, m.side) for m in panel.chart.trade_markers.markers}
            == {(f.timestamp, f.side) for f in engine.fills()}
        ),
        timeout=5000,
    )

    price = (tickers[-1].last * Decimal("0.97")).quantize(Decimal("0.01"))
    order = wait_result(
        engine.place_order("BTC/USDT", Side.BUY, OrderType.LIMIT, Decimal("0.001"), price)
    )
    assert isinstance(order, Order)
    qtbot.waitUntil(
        lambda: (
            [line.client_order_id for line in panel.chart.order_lines.orders]
            == [order.client_order_id]
        ),
        timeout=5000,
    )
    assert panel.chart.order_lines.orders[0].price == float(price)
    wait_result(engine.cancel_order(order.client_order_id))
    qtbot.waitUntil(lambda: panel.chart.order_lines.orders == [], timeout=5000)


def test_chart_without_history_starts_from_live_bars(qtbot: QtBot, engine: EngineFacade) -> None:
    bridge = EngineBridge(engine.events, interval_ms=20)
    panel = ChartPanel(["BTC/USDT"])
    qtbot.addWidget(panel)
    bridge.setParent(panel)
    panel.set_timeframes(["1h"], "1h")
    feed = ChartFeed(engine, bridge, panel, panel)
    feed.reload()
    bridge.start()
    qtbot.waitUntil(lambda: feed.bars >= 10, timeout=10000)
    stamps = list(panel.chart.series.timestamps)
    assert stamps == sorted(set(stamps))
    assert all((b - a) % 3_600_000 == 0 for a, b in itertools.pairwise(stamps))


def test_backtest_trades_are_marked_on_the_chart(qtbot: QtBot, data_dir: Path) -> None:
    facade, _paths, _settings = offline_engine(speed=3600.0)
    try:
        bridge = EngineBridge(facade.events, interval_ms=20)
        panel = ChartPanel(["BTC/USDT"])
        qtbot.addWidget(panel)
        bridge.setParent(panel)
        feed = ChartFeed(facade, bridge, panel, panel)
        candles = read_candle_csv(data_dir / "btc_usdt_1h.csv")
        result = run_backtest("sma_cross", candles, cash=10_000, fee=0.001, size=0.1)
        feed.show_frame(candles)
        feed.show_backtest_trades(chart_trades(result.trades))
        points = panel.chart.trade_markers.scatter.data
        assert len(points) == 2 * len(result.trades) > 0
        first = result.trades[0]
        entry_bar = int(np.searchsorted(candles["timestamp"].to_numpy(), first.entry_time))
        assert (points["x"][0], points["y"][0]) == (entry_bar, float(first.entry_price))
        assert points["y"][1] == float(first.exit_price)
    finally:
        facade.shutdown()
