"""watch_ohlcv over ccxt.pro against the emulator, and the paper exchange's delegation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from app.core.errors import NetworkError, StreamNotSupported
from app.core.models import Candle
from app.exchange.ccxt_adapter import CcxtExchange
from app.exchange.paper import PaperExchange
from app.exchange.paper_ledger import InMemoryLedger
from tests.emulator.emulator import ExchangeEmulator
from tests.exchange.conftest import ManualClock, SettablePrices

MakeCcxt = Callable[..., CcxtExchange]
SYMBOL = "BTC/USDT"
HOUR = 3_600_000


async def _until_bar(
    exchange: CcxtExchange | PaperExchange, opened: int, close: float
) -> list[Candle]:
    """Every candle pushed until the bar opening at ``opened`` arrives with ``close``."""
    seen: list[Candle] = []
    async with asyncio.timeout(5):
        while not any(c.timestamp == opened and c.close == close for c in seen):
            seen += await exchange.watch_ohlcv(SYMBOL, "1h")
    return seen


async def test_pushed_candles_match_rest_without_polling(
    make_ccxt: MakeCcxt, exchange_emulator: ExchangeEmulator
) -> None:
    exchange = make_ccxt()
    rest = await exchange.fetch_ohlcv(SYMBOL, "1h", limit=2)
    exchange_emulator.reset_counters()
    first = await asyncio.wait_for(exchange.watch_ohlcv(SYMBOL, "1h"), 5)
    assert first == [rest[-1]]  # the forming bar, as REST shows it
    await asyncio.to_thread(exchange_emulator.set_price, SYMBOL, "31000.50")
    await asyncio.to_thread(exchange_emulator.close_candle, SYMBOL, "1h")
    await asyncio.to_thread(exchange_emulator.set_price, SYMBOL, "31100.00")
    seen = await _until_bar(exchange, rest[-1].timestamp + HOUR, 31100.0)
    assert exchange_emulator.calls("GET /api/v3/klines") == 0
    assert exchange_emulator.calls("GET /api/v3/exchangeInfo") == 0  # markets reused
    closed = [c for c in seen if c.timestamp == rest[-1].timestamp][-1]
    served = await exchange.fetch_ohlcv(SYMBOL, "1h", since=rest[-1].timestamp, limit=1)
    assert closed == served[0]
    assert closed.close == 31000.5
    assert all(c.timestamp in (closed.timestamp, closed.timestamp + HOUR) for c in seen)


async def test_a_dropped_candle_websocket_raises_and_the_next_call_reconnects(
    make_ccxt: MakeCcxt, exchange_emulator: ExchangeEmulator
) -> None:
    exchange = make_ccxt()
    await exchange.load_markets()
    await asyncio.wait_for(exchange.watch_ohlcv(SYMBOL, "1h"), 5)
    pending = asyncio.create_task(exchange.watch_ohlcv(SYMBOL, "1h"))
    await asyncio.sleep(0.05)
    assert await asyncio.to_thread(exchange_emulator.drop_websockets) == 1
    with pytest.raises(NetworkError, match="watch_ohlcv BTC/USDT 1h"):
        await asyncio.wait_for(pending, 5)
    again = await asyncio.wait_for(exchange.watch_ohlcv(SYMBOL, "1h"), 5)
    assert len(again) == 1
    assert exchange_emulator.calls("WS SUBSCRIBE") == 2


async def test_a_refused_subscription_is_a_network_error(
    make_ccxt: MakeCcxt, exchange_emulator: ExchangeEmulator
) -> None:
    exchange = make_ccxt()
    exchange_emulator.inject("WS", "drop_websocket", times=None)
    with pytest.raises(NetworkError):
        await asyncio.wait_for(exchange.watch_ohlcv(SYMBOL, "1h"), 5)


async def test_no_candle_stream_when_websockets_are_off(
    make_ccxt: MakeCcxt, exchange_emulator: ExchangeEmulator
) -> None:
    exchange = make_ccxt(use_websocket=False)
    with pytest.raises(StreamNotSupported, match="websockets are turned off"):
        await exchange.watch_ohlcv(SYMBOL, "1h")
    assert exchange_emulator.calls() == 0


async def test_paper_exchange_streams_candles_of_its_live_price_source(
    make_ccxt: MakeCcxt, exchange_emulator: ExchangeEmulator, clock: ManualClock
) -> None:
    paper = PaperExchange(make_ccxt(), InMemoryLedger(), clock)
    first = await asyncio.wait_for(paper.watch_ohlcv(SYMBOL, "1h"), 5)
    await asyncio.to_thread(exchange_emulator.close_candle, SYMBOL, "1h")
    await asyncio.to_thread(exchange_emulator.set_price, SYMBOL, "30000")
    seen = await _until_bar(paper, first[-1].timestamp + HOUR, 30000.0)
    assert seen[0].timestamp == first[-1].timestamp


async def test_paper_exchange_without_a_streaming_source_says_so(
    prices: SettablePrices, clock: ManualClock
) -> None:
    paper = PaperExchange(prices, InMemoryLedger(), clock)
    with pytest.raises(StreamNotSupported, match="prices pushes no candles"):
        await paper.watch_ohlcv(SYMBOL, "1h")
