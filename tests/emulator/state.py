"""Shared state of one emulator: venue, candles, credentials, clock (guarded by one lock)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from decimal import Decimal

from app.core.money import ZERO, round_price, to_decimal
from app.core.time import now_ms
from tests.emulator.auth import Authenticator
from tests.emulator.candles import INTERVAL_MS, CandleSeries
from tests.emulator.markets import MarketSpec, fmt
from tests.emulator.venue import Venue

DAY_MS = 86_400_000


@dataclass(slots=True)
class State:
    """Everything the REST and websocket handlers read or change.

    Handlers and control methods hold :attr:`lock` while they touch the state; no code awaits
    while holding it.
    """

    venue: Venue
    auth: Authenticator
    candles: dict[tuple[str, str], CandleSeries] = field(default_factory=dict)
    pinned_prices: set[str] = field(default_factory=set)
    time_offset_ms: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)

    def server_time(self) -> int:
        """Venue clock in ms: the real clock plus the injected skew."""
        return now_ms() + self.time_offset_ms

    def market(self, market_id: str) -> MarketSpec:
        """Listed symbol ``market_id`` (raises -1121 when unknown)."""
        return self.venue.market(market_id)

    def series_for(self, market_id: str) -> list[CandleSeries]:
        """Loaded series of a symbol, most recent first, then finest interval first."""
        found = [s for (sym, _), s in self.candles.items() if sym == market_id]
        return sorted(found, key=lambda s: (-s.last_open_time, INTERVAL_MS[s.interval]))

    def add_series(self, market_id: str, series: CandleSeries) -> None:
        """Store a series; its last close becomes the price unless a test pinned the price."""
        self.market(market_id)
        self.candles[(market_id, series.interval)] = series
        self.price_from(market_id, series)

    def price_from(self, market_id: str, series: CandleSeries) -> None:
        """Set the price of ``market_id`` to the last close of ``series`` (unless pinned)."""
        if market_id not in self.pinned_prices:
            tick = self.market(market_id).tick_size
            self.venue.prices[market_id] = round_price(to_decimal(series.last_close), tick)

    def last_price(self, market_id: str) -> Decimal | None:
        """Current price of a symbol (None before any candles or set_price)."""
        return self.venue.prices.get(market_id)

    def ticker_json(self, market_id: str) -> dict[str, object]:
        """Body of ``GET /api/v3/ticker/24hr`` for one symbol."""
        spec = self.market(market_id)
        last = self.last_price(market_id) or ZERO
        spread = spec.tick_size if last > spec.tick_size else ZERO
        now = self.server_time()
        open_, high, low, volume = last, last, last, ZERO
        series = self.series_for(market_id)
        if series:
            raw_open, raw_high, raw_low, raw_volume = series[0].stats_since(
                series[0].last_open_time - DAY_MS + 1
            )
            open_ = round_price(to_decimal(raw_open), spec.tick_size)
            high = max(round_price(to_decimal(raw_high), spec.tick_size), last)
            low = min(round_price(to_decimal(raw_low), spec.tick_size), last)
            volume = to_decimal(round(raw_volume, 8))
        change = last - open_
        percent = (change / open_ * 100).quantize(Decimal("0.001")) if open_ else ZERO
        return {
            "symbol": market_id,
            "priceChange": fmt(change),
            "priceChangePercent": str(percent),
            "weightedAvgPrice": fmt(last),
            "prevClosePrice": fmt(open_),
            "lastPrice": fmt(last),
            "lastQty": fmt(ZERO),
            "bidPrice": fmt(last - spread),
            "bidQty": "1.00000000",
            "askPrice": fmt(last + spread),
            "askQty": "1.00000000",
            "openPrice": fmt(open_),
            "highPrice": fmt(high),
            "lowPrice": fmt(low),
            "volume": fmt(volume),
            "quoteVolume": fmt((volume * last).quantize(Decimal("0.00000001"))),
            "openTime": now - DAY_MS,
            "closeTime": now,
            "firstId": -1,
            "lastId": -1,
            "count": 0,
        }
