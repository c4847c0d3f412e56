"""Websocket market-data payloads (Binance spot stream shapes) built from the state."""

from __future__ import annotations

from dataclasses import dataclass

from tests.emulator.candles import INTERVAL_MS, CandleSeries
from tests.emulator.state import State

Message = tuple[str, dict[str, object]]
"""A stream name and the event payload to send on it."""


@dataclass(frozen=True, slots=True)
class StreamName:
    """A parsed stream name: ``btcusdt@miniTicker``, ``btcusdt@ticker``, ``btcusdt@kline_1h``."""

    market_id: str
    kind: str
    interval: str | None = None

    @classmethod
    def parse(cls, name: str) -> StreamName | None:
        """The parsed name, or None when the emulator does not serve that stream."""
        symbol, _, channel = name.partition("@")
        if not symbol or not channel:
            return None
        if channel in ("miniTicker", "ticker"):
            return cls(symbol.upper(), channel)
        if channel.startswith("kline_") and channel[6:] in INTERVAL_MS:
            return cls(symbol.upper(), "kline", channel[6:])
        return None


def mini_ticker(state: State, market_id: str) -> dict[str, object]:
    """A ``24hrMiniTicker`` event."""
    t = state.ticker_json(market_id)
    return {
        "e": "24hrMiniTicker",
        "E": state.server_time(),
        "s": market_id,
        "c": t["lastPrice"],
        "o": t["openPrice"],
        "h": t["highPrice"],
        "l": t["lowPrice"],
        "v": t["volume"],
        "q": t["quoteVolume"],
    }


def full_ticker(state: State, market_id: str) -> dict[str, object]:
    """A ``24hrTicker`` event."""
    t = state.ticker_json(market_id)
    return {
        "e": "24hrTicker",
        "E": state.server_time(),
        "s": market_id,
        "p": t["priceChange"],
        "P": t["priceChangePercent"],
        "w": t["weightedAvgPrice"],
        "x": t["prevClosePrice"],
        "c": t["lastPrice"],
        "Q": t["lastQty"],
        "b": t["bidPrice"],
        "B": t["bidQty"],
        "a": t["askPrice"],
        "A": t["askQty"],
        "o": t["openPrice"],
        "h": t["highPrice"],
        "l": t["lowPrice"],
        "v": t["volume"],
        "q": t["quoteVolume"],
        "O": t["openTime"],
        "C": t["closeTime"],
        "F": -1,
        "L": -1,
        "n": 0,
    }


def kline_event(
    state: State, market_id: str, series: CandleSeries, index: int, *, closed: bool
) -> dict[str, object]:
    """A ``kline`` event for row ``index`` of ``series`` (``x`` tells whether it closed)."""
    row = series.row_json(index)
    return {
        "e": "kline",
        "E": state.server_time(),
        "s": market_id,
        "k": {
            "t": row[0],
            "T": row[6],
            "s": market_id,
            "i": series.interval,
            "f": -1,
            "L": -1,
            "o": row[1],
            "c": row[4],
            "h": row[2],
            "l": row[3],
            "v": row[5],
            "n": 0,
            "x": closed,
            "q": row[7],
            "V": row[9],
            "Q": row[10],
            "B": "0",
        },
    }


def snapshot_message(state: State, stream: StreamName) -> dict[str, object] | None:
    """The event sent right after a subscription (None when there is nothing to show)."""
    if stream.market_id not in state.venue.markets:
        return None
    if stream.kind == "miniTicker":
        return mini_ticker(state, stream.market_id)
    if stream.kind == "ticker":
        return full_ticker(state, stream.market_id)
    series = state.candles.get((stream.market_id, stream.interval or ""))
    if series is None:
        return None
    return kline_event(state, stream.market_id, series, len(series.stamps) - 1, closed=False)


def price_messages(state: State, market_id: str) -> list[Message]:
    """Events after the price of ``market_id`` moved: tickers and every forming kline."""
    lower = market_id.lower()
    messages: list[Message] = [
        (f"{lower}@miniTicker", mini_ticker(state, market_id)),
        (f"{lower}@ticker", full_ticker(state, market_id)),
    ]
    for (symbol, interval), series in sorted(state.candles.items()):
        if symbol == market_id:
            last = len(series.stamps) - 1
            event = kline_event(state, market_id, series, last, closed=False)
            messages.append((f"{lower}@kline_{interval}", event))
    return messages
