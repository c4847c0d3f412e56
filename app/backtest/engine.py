"""``run_backtest``: the Python API for scripts, notebooks, the CLI and the backtest panel."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Protocol

import numpy as np
import pandas as pd

from app.backtest.config import BacktestConfig, optional_decimal, required_decimal
from app.backtest.data import BoolArray, CandleArrays, candle_arrays, infer_timeframe_ms
from app.backtest.interfaces import SignalArrays
from app.backtest.metrics import compute_metrics
from app.backtest.result import BacktestResult
from app.backtest.risk_gate import RiskGate
from app.backtest.simulator import Simulation
from app.backtest.sizing import (
    DEFAULT_SYMBOL,
    RiskSizerRule,
    SizeRule,
    default_market,
    sizer_rule,
)
from app.backtest.stops import StopRule
from app.core.errors import BacktestError, CryptobotError, StrategyError
from app.core.models import Market
from app.core.money import DecimalLike
from app.core.time import timeframe_to_ms
from app.risk.breakers import simulated_breakers
from app.risk.limits import RiskLimits
from app.risk.manager import RiskManager
from app.risk.periods import breaker_periods
from app.risk.sizing import Sizer

logger = logging.getLogger(__name__)

_HUNDRED = Decimal(100)
_BPS = Decimal(10_000)


class SignalSource(Protocol):
    """What the engine reads from a strategy's ``generate_signals`` result."""

    @property
    def entries(self) -> Any:
        """Enter long at the close of these bars."""

    @property
    def exits(self) -> Any:
        """Exit long at the close of these bars."""

    @property
    def short_entries(self) -> Any:
        """Enter short (or None)."""

    @property
    def short_exits(self) -> Any:
        """Exit short (or None)."""


class StrategyLike(Protocol):
    """The part of :class:`app.strategies.base.BaseStrategy` a backtest uses."""

    @property
    def name(self) -> str:
        """Registry name."""

    @property
    def params(self) -> Mapping[str, Any]:
        """Validated parameters."""

    def generate_signals(self, data: pd.DataFrame) -> SignalSource:
        """Vectorised signals over the whole frame."""
        ...


def run_backtest(
    strategy: StrategyLike | str,
    candles: pd.DataFrame,
    *,
    params: Mapping[str, Any] | None = None,
    cash: DecimalLike = 10_000,
    fee: DecimalLike = "0.001",
    slippage_bps: DecimalLike = 0,
    size: DecimalLike | None = None,
    stake_pct: DecimalLike | None = None,
    stake_amount: DecimalLike | None = None,
    sizer: Sizer | SizeRule | None = None,
    stop_loss_pct: DecimalLike | None = None,
    take_profit_pct: DecimalLike | None = None,
    trailing_stop_pct: DecimalLike | None = None,
    allow_short: bool = False,
    timeframe: str | None = None,
    risk: RiskManager | None = None,
    market: Market | None = None,
) -> BacktestResult:
    """Run ``strategy`` over ``candles`` and return trades, refusals, equity and metrics.

    Args:
        strategy: a strategy instance, or a registry name (e.g. ``"sma_cross"``).
        candles: columns timestamp (ms UTC), open, high, low, close, volume; oldest first.
        params: strategy parameters (re-creates an instance of the same class with them).
        cash: initial capital (quote currency).
        fee: fee per fill as a fraction of notional (``0.001`` = 0.1 %).
        slippage_bps: adverse slippage on every fill, basis points.
        size: a fixed quantity per entry (base currency).
        stake_pct: or a percent of equity per entry.
        stake_amount: or a fixed quote amount per entry.
        sizer: or any :mod:`app.risk.sizing` sizer (Kelly, volatility, ...) or size rule.
        stop_loss_pct: stop distance in % of entry (default: the strategy's, then the risk
            limits', if any).
        take_profit_pct: target distance in % of entry (same defaults).
        trailing_stop_pct: trailing distance in % (same defaults).
        allow_short: open short positions on short signals.
        timeframe: bar length like "1h" for annualisation (default: inferred from timestamps).
        risk: a :class:`~app.risk.manager.RiskManager`: every order passes its pre-trade
            checks and breakers, as live; refusals, breaker changes and halted periods are
            reported in the result.
        market: the traded market (step size, minimums); default: no minimums, step 1e-8.

    Returns:
        The :class:`BacktestResult`.

    Raises:
        BacktestError: invalid settings or candles.
        StrategyError: unknown strategy, invalid parameters, or the strategy failed.
    """
    instance = _resolve_strategy(strategy, params)
    limits = None if risk is None else risk.limits
    arrays = candle_arrays(candles)
    config = BacktestConfig(
        cash=required_decimal(cash, "cash"),
        fee=required_decimal(fee, "fee"),
        slippage_bps=required_decimal(slippage_bps, "slippage_bps"),
        stop_loss_pct=stop_setting(stop_loss_pct, instance, limits, "stop_loss_pct"),
        take_profit_pct=stop_setting(take_profit_pct, instance, limits, "take_profit_pct"),
        trailing_stop_pct=stop_setting(trailing_stop_pct, instance, limits, "trailing_stop_pct"),
        allow_short=allow_short,
        timeframe_ms=_timeframe_ms(timeframe),
    ).validated()
    traded = market or default_market(DEFAULT_SYMBOL, config.qty_step, config.fee)
    rule = _size_rule(size, stake_pct, stake_amount, sizer, traded)
    signals = strategy_signals(instance, candles, len(arrays))
    gate = None
    if risk is not None:
        gate = RiskGate(risk, traded, arrays, config.fee, instance.name)
    return simulate(instance, arrays, signals, config, rule, gate)


def simulate(
    strategy: StrategyLike,
    arrays: CandleArrays,
    signals: SignalArrays,
    config: BacktestConfig,
    rule: SizeRule,
    gate: RiskGate | None = None,
) -> BacktestResult:
    """Simulate precomputed signals (the part of :func:`run_backtest` after signal generation).

    Args:
        strategy: the strategy (for its name and parameters in the result).
        arrays: the candles.
        signals: boolean signals, one per bar.
        config: validated settings.
        rule: the size rule.
        gate: the risk manager's gate, or None.

    Returns:
        The :class:`BacktestResult`.
    """
    simulation = Simulation(
        candles=arrays,
        signals=signals,
        cash=config.cash,
        fee=config.fee,
        slippage=config.slippage_bps / _BPS,
        size_rule=rule,
        stops=_stop_rule(config),
        allow_short=config.allow_short,
        gate=gate,
    )
    with simulated_breakers():
        output = simulation.run()
    timeframe_ms = config.timeframe_ms or infer_timeframe_ms(arrays.timestamp)
    metrics = compute_metrics(
        output.equity,
        output.position,
        arrays.timestamp,
        float(config.cash),
        output.trades,
        timeframe_ms,
    )
    final_equity = output.final_cash
    if output.open_trade is not None:
        final_equity += output.final_position * output.open_trade.mark_price
    logger.debug(
        "backtest %s: %d bars, %d trades, %d refused",
        strategy.name,
        len(arrays),
        len(output.trades),
        len(output.rejected),
    )
    return BacktestResult(
        strategy=strategy.name,
        params=dict(strategy.params),
        config=config,
        sizing=rule.describe(),
        timeframe_ms=timeframe_ms,
        timestamp=arrays.timestamp,
        close=arrays.close,
        equity=output.equity,
        cash=output.cash,
        position=output.position,
        trades=tuple(output.trades),
        open_trade=output.open_trade,
        rejected_orders=tuple(output.rejected),
        metrics=metrics,
        final_equity=final_equity,
        fees_paid=output.fees_paid,
        risk_events=() if gate is None else tuple(gate.events),
        halted_periods=() if gate is None else tuple(breaker_periods(gate.events)),
        risk_decisions=() if gate is None else tuple(gate.decisions),
    )


def _size_rule(
    size: DecimalLike | None,
    stake_pct: DecimalLike | None,
    stake_amount: DecimalLike | None,
    sizer: Sizer | SizeRule | None,
    market: Market,
) -> SizeRule:
    if sizer is not None:
        if size is not None or stake_pct is not None or stake_amount is not None:
            raise BacktestError("sizing: give either a sizer or size/stake_pct/stake_amount")
        if isinstance(sizer, Sizer):
            return RiskSizerRule(sizer, market)
        return sizer
    return sizer_rule(
        size=optional_decimal(size, "size"),
        stake_pct=optional_decimal(stake_pct, "stake_pct"),
        stake_amount=optional_decimal(stake_amount, "stake_amount"),
        market=market,
    )


def strategy_signals(strategy: StrategyLike, candles: pd.DataFrame, bars: int) -> SignalArrays:
    """Run the strategy's vectorised signal generation and check the arrays' shape.

    Raises:
        StrategyError: the strategy raised or returned arrays of the wrong length.
    """
    try:
        frame = strategy.generate_signals(candles)
    except CryptobotError:
        raise
    except Exception as exc:
        raise StrategyError(f"strategy {strategy.name}: computing signals failed: {exc}") from exc

    def as_bool(values: Any, label: str) -> BoolArray:
        array = np.asarray(values)
        if array.shape != (bars,):
            raise StrategyError(
                f"strategy {strategy.name}: {label} has shape {array.shape}, "
                f"expected one value per bar ({bars})"
            )
        result: BoolArray = array.astype(np.bool_, copy=False)
        return result

    short_entries = getattr(frame, "short_entries", None)
    short_exits = getattr(frame, "short_exits", None)
    return SignalArrays(
        entries=as_bool(frame.entries, "entries"),
        exits=as_bool(frame.exits, "exits"),
        short_entries=None if short_entries is None else as_bool(short_entries, "short_entries"),
        short_exits=None if short_exits is None else as_bool(short_exits, "short_exits"),
    )


def _resolve_strategy(
    strategy: StrategyLike | str, params: Mapping[str, Any] | None
) -> StrategyLike:
    if isinstance(strategy, str):
        from app.strategies.registry import default_registry

        created: StrategyLike = default_registry().create(strategy, params)
        return created
    if params is not None:
        rebuilt: StrategyLike = type(strategy)(params)  # type: ignore[call-arg]
        return rebuilt
    return strategy


def stop_setting(
    value: DecimalLike | None, strategy: StrategyLike, limits: RiskLimits | None, name: str
) -> Decimal | None:
    """A stop distance (``name``): the given value, else the strategy's own, else the risk
    limits' default, else None.

    Raises:
        BacktestError: ``value`` is not a number.
    """
    if value is not None:
        return optional_decimal(value, name)
    own = getattr(strategy, name, None)
    if isinstance(own, Decimal):
        return own
    if limits is not None:
        limit: Decimal | None = getattr(limits, name)
        return limit
    return None


def _stop_rule(config: BacktestConfig) -> StopRule:
    return StopRule(
        stop_loss_pct=config.stop_loss_pct,
        take_profit_pct=config.take_profit_pct,
        trailing_pct=config.trailing_stop_pct,
    )


def _timeframe_ms(timeframe: str | None) -> int | None:
    if timeframe is None:
        return None
    try:
        return timeframe_to_ms(timeframe)
    except ValueError as exc:
        raise BacktestError(str(exc)) from exc
