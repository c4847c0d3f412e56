"""The supervised workers of one engine: market data, orders, reconciliation, audit, balances.

Offline, the replay driver plays the stored candles; otherwise each watched market gets a ticker
worker and a candle worker of its own (started once, however often it is asked for).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

from app.core.events import CandleClosed
from app.engine.engine_parts import EngineParts
from app.engine.market_data import LiveMarketData
from app.engine.specs import StrategySpec
from app.engine.supervisor import Supervisor


class EngineWorkers:
    """Starts an engine's workers under its supervisor and follows the watched markets.

    Args:
        parts: the wired components (read when the workers start, so late edits count).
        supervisor: runs and restarts the workers.
        on_candle_closed: candle sink (the engine's strategy step).
        refresh_balances: fetches and publishes the balances (the balance worker's step).
    """

    def __init__(
        self,
        parts: EngineParts,
        supervisor: Supervisor,
        on_candle_closed: Callable[[CandleClosed], Awaitable[None]],
        refresh_balances: Callable[[], Awaitable[None]],
    ) -> None:
        self._parts = parts
        self._supervisor = supervisor
        self._on_candle_closed = on_candle_closed
        self._refresh_balances = refresh_balances
        self.live: LiveMarketData | None = None
        self._watched: set[tuple[str, str]] = set()
        self._tickers: set[str] = set()

    def start(self, specs: Iterable[StrategySpec]) -> None:
        """Start every worker; live, follow the watch-list and the markets of ``specs``."""
        parts = self._parts
        supervisor = self._supervisor
        self._watched.clear()
        self._tickers.clear()
        if parts.replay is not None:
            replay = parts.replay

            async def play() -> None:
                await replay.run(parts.bus.publish, self._on_candle_closed)

            supervisor.start("market_data", play)
        else:
            self.live = LiveMarketData(
                parts.exchange,
                parts.bus.publish,
                self._on_candle_closed,
                candle_poll=parts.candle_poll,
                clock=parts.clock,
            )
            for symbol in parts.symbols:
                self.watch(symbol, parts.timeframe)
            for spec in specs:
                self.watch(spec.symbol, spec.timeframe)
        supervisor.start("orders", lambda: parts.tracker.run(parts.poll_interval))
        supervisor.start("reconciliation", lambda: parts.reconciler.run(parts.reconcile_interval))
        supervisor.start("audit", parts.audit.run)
        if parts.replay is None:
            supervisor.start("balances", self._poll_balances)

    def watch(self, symbol: str, timeframe: str) -> None:
        """Follow the ticker and candles of a market (live only; no-op when already followed)."""
        live = self.live
        if live is None or (symbol, timeframe) in self._watched:
            return
        self._watch_ticker(symbol)
        self._watched.add((symbol, timeframe))
        self._supervisor.start(
            f"candles:{symbol}:{timeframe}", lambda: live.run_candles(symbol, timeframe)
        )

    def _watch_ticker(self, symbol: str) -> None:
        live = self.live
        if live is None or symbol in self._tickers:
            return
        self._tickers.add(symbol)
        self._supervisor.start(f"ticker:{symbol}", lambda: live.run_tickers(symbol))

    async def _poll_balances(self) -> None:
        """Worker: refresh the balances every ``balance_interval`` seconds."""
        while True:
            await asyncio.sleep(self._parts.balance_interval)
            await self._refresh_balances()
