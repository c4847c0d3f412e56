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
from app.backtest.metrics import compute_metrics
from app.backtest.result import BacktestResult
from app.backtest.simulator import OrderGate, SignalArrays, Simulation
from app.backtest.sizing import FixedQuoteAmount, FixedSize, PercentOfEquity, SizeRule
from app.backtest.stops import StopRule
from app.core.errors import BacktestError, CryptobotError, StrategyError
from app.core.money import DecimalLike
from app.core.time import timeframe_to_ms

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
    size: DecimalLike | SizeRule | None = None,
    stake_pct: DecimalLike | None = None,
    stake_amount: DecimalLike | None = None,
    stop_loss_pct: DecimalLike | None = None,
    take_profit_pct: DecimalLike | None = None,
    trailing_stop_pct: DecimalLike | None = None,
    allow_short: bool = False,
    timeframe: str | None = None,
    gate: OrderGate | None = None,
) -> BacktestResult:
    """Run ``strategy`` over ``candles`` and return trades, refusals, equity and metrics.

    Args:
        strategy: a strategy instance, or a registry name (e.g. ``"sma_cross"``).
        candles: columns timestamp (ms UTC), open, high, low, close, volume; oldest first.
        params: strategy parameters (re-creates an instance of the same class with them).
        cash: initial capital (quote currency).
        fee: fee per fill as a fraction of notional (``0.001`` = 0.1 %).
        slippage_bps: adverse slippage on every fill, basis points.
        size: a fixed quantity per entry, or any size rule (``quantity(equity, price, returns)``).
        stake_pct: alternatively, percent of equity per entry.
        stake_amount: alternatively, a fixed quote amount per entry.
        stop_loss_pct: stop distance in % of entry (default: the strategy's own, if any).
        take_profit_pct: target distance in % of entry (default: the strategy's own, if any).
        trailing_stop_pct: trailing distance in % (default: the strategy's own, if any).
        allow_short: open short positions on short signals.
        timeframe: bar length like "1h" for annualisation (default: inferred from timestamps).
        gate: extra pre-trade checks (see :mod:`app.backtest.risk_gate`).

    Returns:
        The :class:`BacktestResult`.

    Raises:
        BacktestError: invalid settings or candles.
        StrategyError: unknown strategy, invalid parameters, or the strategy failed.
    """
    instance = _resolve_strategy(strategy, params)
    arrays = candle_arrays(candles)
    config = BacktestConfig(
        cash=required_decimal(cash, "cash"),
        fee=required_decimal(fee, "fee"),
        slippage_bps=required_decimal(slippage_bps, "slippage_bps"),
        stop_loss_pct=_stop_setting(stop_loss_pct, instance, "stop_loss_pct"),
        take_profit_pct=_stop_setting(take_profit_pct, instance, "take_profit_pct"),
        trailing_stop_pct=_stop_setting(trailing_stop_pct, instance, "trailing_stop_pct"),
        allow_short=allow_short,
        timeframe_ms=_timeframe_ms(timeframe),
    ).validated()
    rule = size_rule(size, stake_pct, stake_amount, config.qty_step)
    signals = strategy_signals(instance, candles, len(arrays))
    return simulate(instance, arrays, signals, config, rule, gate)


def simulate(
    strategy: StrategyLike,
    arrays: CandleArrays,
    signals: SignalArrays,
    config: BacktestConfig,
    rule: SizeRule,
    gate: OrderGate | None = None,
) -> BacktestResult:
    """Simulate precomputed signals (the part of :func:`run_backtest` after signal generation).

    Args:
        strategy: the strategy (for its name and parameters in the result).
        arrays: the candles.
        signals: boolean signals, one per bar.
        config: validated settings.
        rule: the size rule.
        gate: extra pre-trade checks, or None.

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
    )


def size_rule(
    size: DecimalLike | SizeRule | None,
    stake_pct: DecimalLike | None,
    stake_amount: DecimalLike | None,
    step: Decimal,
) -> SizeRule:
    """The size rule chosen by exactly one of ``size``, ``stake_pct`` and ``stake_amount``.

    Raises:
        BacktestError: none or more than one was given, or the value is invalid.
    """
    chosen = [value for value in (size, stake_pct, stake_amount) if value is not None]
    if len(chosen) != 1:
        raise BacktestError(
            "sizing: give exactly one of size (fixed quantity, e.g. 0.1), stake_pct "
            "(percent of equity) or stake_amount (quote currency per trade)"
        )
    if stake_pct is not None:
        return PercentOfEquity(required_decimal(stake_pct, "stake_pct"), step)
    if stake_amount is not None:
        return FixedQuoteAmount(required_decimal(stake_amount, "stake_amount"), step)
    if isinstance(size, Decimal | str | int | float):
        return FixedSize(required_decimal(size, "size"))
    assert size is not None
    return size


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


def _stop_setting(value: DecimalLike | None, strategy: StrategyLike, name: str) -> Decimal | None:
    if value is not None:
        return optional_decimal(value, name)
    own = getattr(strategy, name, None)
    return own if isinstance(own, Decimal) else None


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
