"""The engine: one account's workers, order path and state, driven on the engine loop.

Every method here runs on the engine thread (the facade hands commands over). ``start``
connects, restores and reconciles, then starts the supervised workers (market data, order
polling, reconciliation, audit flushing, balances); ``stop`` stops strategies, cancels the
workers, flushes the audit log and closes the exchange. The engine is created stopped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from decimal import Decimal

from app.core.enums import OrderType, Side
from app.core.errors import EngineError, ExchangeError, StorageError
from app.core.events import (
    BalanceUpdated,
    CandleClosed,
    EngineStateChanged,
    EquityUpdated,
    Event,
    FillReceived,
    OrderUpdated,
    TickerUpdated,
    WorkerHealthChanged,
)
from app.core.models import Balance, Order
from app.engine.account import Account
from app.engine.bus import CoalescingQueue
from app.engine.candle_book import CandleBook
from app.engine.engine_parts import EngineParts
from app.engine.equity import EquityCurve
from app.engine.order_desk import OrderDesk
from app.engine.read_model import ReadModel
from app.engine.specs import StrategySpec
from app.engine.strategy_runner import StrategyRunner
from app.engine.supervisor import Supervisor
from app.engine.workers import EngineWorkers
from app.observability.metrics import default_registry
from app.risk.limits import RiskLimits

logger = logging.getLogger(__name__)

RECENT_ORDERS = 500
"""Stored orders shown on start (newest)."""
CHART_HISTORY = 1000
"""Candles of each watch-list market loaded on start."""


class Engine:
    """One account's trading engine (see the module docstring).

    Args:
        parts: the wired components.
        queue: hand-off of every bus event to the UI.
    """

    def __init__(self, parts: EngineParts, queue: CoalescingQueue) -> None:
        self.parts = parts
        self.mode = parts.mode
        self.bus = parts.bus
        self.queue = queue
        self.exchange = parts.exchange
        self.risk = parts.risk
        self.candles = CandleBook()
        self.view = ReadModel()
        self.equity = EquityCurve()
        self.supervisor = Supervisor(self.bus.publish)
        self.account = Account(parts.portfolio, parts.tracker, self.view, self.candles)
        self.runner = StrategyRunner(
            parts.executor,
            parts.risk,
            self.account,
            self.bus.publish,
            parts.registry,
            window=parts.window,
        )
        self.desk = OrderDesk(
            parts.exchange,
            parts.executor,
            parts.risk,
            self.account,
            self.bus.publish,
            last_prices=self.candles.last_prices,
            positions=lambda: {p.symbol: p.quantity for p in parts.portfolio.positions},
            clock=parts.clock,
        )
        self.workers = EngineWorkers(
            parts, self.supervisor, self.on_candle_closed, self._refresh_balances
        )
        self._close_seconds = default_registry().histogram(
            "cryptobot_candle_close_seconds",
            "Seconds from a candle close to the strategies having acted on it (orders sent)",
        )
        self.running = False
        self._loaded = False
        self._restored: set[str] = set()
        self.bus.subscribe(Event, queue.put)
        self.bus.subscribe(Event, self.view.on_event)
        self.bus.subscribe(TickerUpdated, self.candles.on_event)
        self.bus.subscribe(CandleClosed, self.candles.on_event)
        self.bus.subscribe(OrderUpdated, self.runner.on_order_updated)
        self.bus.subscribe(FillReceived, self.runner.on_fill)
        self.bus.subscribe(FillReceived, self._on_fill)
        self.bus.subscribe(WorkerHealthChanged, self._on_health)
        if parts.replay is not None and parts.paper is not None:
            parts.replay.add_tick_hook(self._match_paper)

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Connect, restore, reconcile, then start the workers (no-op when running).

        Raises:
            ExchangeError: the exchange could not be reached (nothing was started).
            StorageError: the database failed.
        """
        if self.running:
            return
        parts = self.parts
        markets = await self.exchange.load_markets()
        self.view.set_markets(markets)
        if not self._loaded:
            parts.tracker.load()  # replays the stored fills into the portfolio: once only
            self._loaded = True
            stored = list(reversed(parts.orders.list_all(parts.tracker.venue, RECENT_ORDERS)))
            self.view.seed(stored, parts.tracker.fills(), parts.portfolio.positions)
        try:
            await parts.reconciler.reconcile()
        except ExchangeError as exc:
            logger.warning("start-up reconciliation incomplete: %s", exc)
        await self._refresh_balances()
        parts.portfolio.cash = self.view.quote_balance(parts.quote_currency)
        for symbol in parts.symbols:
            await self._seed_chart(symbol, parts.timeframe)
        for strategy_id, spec in self.runner.specs().items():
            self._restore(strategy_id)
            await self._seed(strategy_id, spec)
        self.workers.start(self.runner.specs().values())
        self.running = True
        self._refresh()
        self.bus.publish(EngineStateChanged(timestamp=parts.clock(), running=True, mode=self.mode))
        logger.info("engine started in %s mode on %s", self.mode, self.exchange.exchange_id)

    async def stop(self) -> None:
        """Stop strategies and workers, flush the audit log and close the exchange."""
        parts = self.parts
        self.runner.stop_all(parts.clock())
        await self.supervisor.stop_all()
        try:
            parts.audit.flush()
        finally:
            try:
                await self.exchange.close()
            finally:
                was_running, self.running = self.running, False
                self._refresh()
                if was_running:
                    self.bus.publish(
                        EngineStateChanged(timestamp=parts.clock(), running=False, mode=self.mode)
                    )
        logger.info("engine stopped")

    def close_storage(self) -> None:
        """Write the last audit records and release database connections (after :meth:`stop`).

        Raises:
            StorageError: the last audit records could not be written.
        """
        try:
            self.parts.audit.close()
        finally:
            for close in self.parts.closers:
                close()

    def _restore(self, strategy_id: str) -> None:
        """Give a strategy instance back its position and trades from an earlier run."""
        if strategy_id in self._restored:
            return
        self._restored.add(strategy_id)
        parts = self.parts
        stored = reversed(parts.orders.list_all(parts.tracker.venue))
        found = self.runner.restore(strategy_id, stored, parts.tracker.fills())
        if found:
            logger.info("strategy %s: %d orders of earlier runs restored", strategy_id, found)

    async def _seed_chart(self, symbol: str, timeframe: str) -> None:
        """Recent candles of a watch-list market for the chart."""
        try:
            history = await self.exchange.fetch_ohlcv(symbol, timeframe, limit=CHART_HISTORY)
        except ExchangeError as exc:
            logger.warning("no %s %s history for the chart: %s", symbol, timeframe, exc)
            return
        self.candles.seed(symbol, timeframe, history)

    async def _seed(self, strategy_id: str, spec: StrategySpec) -> None:
        size = self.runner.window_size(strategy_id)
        try:
            history = await self.exchange.fetch_ohlcv(spec.symbol, spec.timeframe, limit=size)
        except ExchangeError as exc:
            logger.warning("strategy %s: no history (%s); it warms up live", strategy_id, exc)
            return
        self.runner.seed(strategy_id, history)
        self.candles.seed(spec.symbol, spec.timeframe, history)

    # ------------------------------------------------------------------ market data
    async def on_candle_closed(self, event: CandleClosed) -> None:
        """Candle sink: update equity and breakers, then run the strategies on the close."""
        started = time.perf_counter()
        snapshot = self.parts.portfolio.snapshot(self.candles.last_prices())
        for change in self.risk.update_equity(snapshot.equity, event.timestamp):
            self.bus.publish(change)
        daily, drawdown = self.equity.update(snapshot.equity, event.timestamp)
        self.bus.publish(
            EquityUpdated(
                timestamp=event.timestamp,
                equity=snapshot.equity,
                realised_pnl=snapshot.realised_pnl,
                unrealised_pnl=snapshot.unrealised_pnl,
                daily_pnl=daily,
                drawdown_pct=drawdown,
            )
        )
        await self.runner.on_candle_closed(event)
        self._close_seconds.observe(time.perf_counter() - started)
        self._refresh()
        self._flush_audit()

    def _flush_audit(self) -> None:
        """Write buffered audit records now, so the next order's pre-send write stays short."""
        try:
            self.parts.audit.flush()
        except StorageError:
            logger.exception("audit log write failed; records kept for the next flush")

    async def _match_paper(self, tick: TickerUpdated) -> None:
        """Offline: match the paper orders on a replayed tick; fills reach the tracker at once."""
        paper = self.parts.paper
        assert paper is not None
        fills = paper.on_price(tick.symbol, tick.last, tick.timestamp)
        if not fills:
            return
        tracker = self.parts.tracker
        for client_order_id in dict.fromkeys(f.client_order_id for f in fills):
            tracker.apply(await paper.fetch_order(tick.symbol, client_order_id))
        tracker.apply_fills(fills)
        await self._refresh_balances()
        self._flush_audit()

    def _on_fill(self, event: FillReceived) -> None:
        self._refresh()

    def _on_health(self, event: WorkerHealthChanged) -> None:
        self._refresh()

    async def _refresh_balances(self) -> None:
        try:
            balances = await self.exchange.fetch_balance()
        except ExchangeError as exc:
            logger.warning("balances not refreshed: %s", exc)
            return
        self._publish_balances(balances)

    def _publish_balances(self, balances: Mapping[str, Balance]) -> None:
        self.view.set_balances(balances)
        self.bus.publish(
            BalanceUpdated(timestamp=self.parts.clock(), balances=tuple(balances.values()))
        )

    def _refresh(self) -> None:
        self.view.refresh(
            self.parts.portfolio.snapshot(self.candles.last_prices()),
            {**self.risk.states(), self.parts.breaker.name: self.parts.breaker.state.breaker_state},
            self.runner.statuses(),
            self.supervisor.health(),
        )

    # ------------------------------------------------------------------ commands
    async def start_strategy(self, spec: StrategySpec) -> str:
        """Add a strategy instance (it trades once the engine runs); returns its id.

        Raises:
            StrategyError: unknown strategy or invalid parameters.
            ConfigError: invalid sizing.
            EngineError: the offline replay has no candles for the spec's market.
        """
        replay = self.parts.replay
        if replay is not None:
            await replay.fetch_ohlcv(spec.symbol, spec.timeframe, limit=1)
        strategy_id = self.runner.add(spec, timestamp=self.parts.clock())
        if self.running:
            self._restore(strategy_id)
            await self._seed(strategy_id, spec)
            self.workers.watch(spec.symbol, spec.timeframe)
        self._refresh()
        return strategy_id

    async def stop_strategy(self, strategy_id: str) -> None:
        """Stop one strategy instance.

        Raises:
            EngineError: no instance has this id.
        """
        if strategy_id not in self.runner:
            raise EngineError(f"no strategy {strategy_id!r}; pick one from the strategy list")
        self.runner.stop(strategy_id, self.parts.clock())
        self._refresh()

    async def place_order(
        self,
        symbol: str,
        side: Side,
        order_type: OrderType,
        amount: Decimal,
        price: Decimal | None = None,
    ) -> Order:
        """A manual order: the same risk checks as strategies, then the executor.

        Raises:
            EngineError: the engine is stopped or the symbol unknown.
            RiskRejected: a rule or breaker refused it (the reason says which).
        """
        self._require_running()
        order = await self.desk.place_order(symbol, side, order_type, amount, price)
        self._refresh()
        return order

    async def cancel_order(self, client_order_id: str) -> Order:
        """Cancel one order by client order id.

        Raises:
            EngineError: the engine is stopped or the order unknown.
            ExchangeError: the venue could not be asked.
        """
        self._require_running()
        return await self.parts.executor.cancel(client_order_id)

    async def engage_kill_switch(self, reason: str) -> None:
        """Refuse new orders, cancel every open order and, if configured, close positions."""
        await self.desk.engage_kill_switch(reason, trading=self.running)
        self._refresh()

    async def reset_breaker(self, name: str) -> None:
        """A person resets a breaker (``kill_switch``, ``drawdown``, ``daily_loss``,
        ``strategy:<id>`` or ``exchange:<id>``).

        Raises:
            EngineError: no breaker has that name.
        """
        breaker = self.parts.breaker
        if name == breaker.name:
            breaker.reset()
        else:
            for change in self.risk.reset(name, self.parts.clock()):
                self.bus.publish(change)
        self._refresh()

    async def update_risk_limits(self, limits: RiskLimits) -> None:
        """Apply edited limits (breaker states and histories are kept).

        Raises:
            ConfigError: the limits are invalid (the old ones stay).
        """
        self.risk.update_limits(limits)
        self._refresh()

    def _require_running(self) -> None:
        if not self.running:
            raise EngineError("the engine is stopped; start it first")
