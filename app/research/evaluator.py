"""Score one parameter set on (a window of) the candles: the unit of work of every research job.

An :class:`Evaluator` is built once per worker process from the shared candles; each call to
:meth:`Evaluator.score` computes the strategy's signals and replays them. Indicators are
remembered across calls (see :mod:`app.indicators.memo`), so a grid computes each distinct
moving average once per worker instead of once per combination. Long-only runs without
stops or risk checks take the float64 replay of :mod:`app.research.fastsim`; anything else
(shorts, protective stops, risk limits) runs through the backtest engine itself, with a fresh
risk manager per run, so every result follows the same contract as :func:`run_backtest`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from app.backtest.data import FloatArray, candle_arrays, infer_timeframe_ms
from app.backtest.engine import simulate, stop_setting, strategy_signals
from app.backtest.interfaces import SignalArrays
from app.backtest.metrics import compute_metrics
from app.backtest.risk_gate import RiskGate
from app.backtest.sizing import DEFAULT_SYMBOL, default_market
from app.indicators.memo import IndicatorMemo, remembered
from app.research.fastsim import replay_long
from app.research.settings import ResearchSettings
from app.risk.manager import RiskManager
from app.strategies.base import BaseStrategy
from app.strategies.registry import default_registry

_BPS = 10_000.0

METRIC_NAMES: tuple[str, ...] = (
    "total_return_pct",
    "sharpe_ratio",
    "sortino_ratio",
    "calmar_ratio",
    "profit_factor",
    "max_drawdown_pct",
    "win_rate_pct",
    "exposure_pct",
    "num_trades",
    "final_equity",
    "refused_orders",
)


@dataclass(frozen=True, slots=True)
class Window:
    """Rows ``[start, stop)`` of the candles; trading starts at row ``trade_from``.

    Rows before ``trade_from`` only warm up the indicators (the strategy sees them, no order is
    placed), so a test window can use the bars before it without trading on them.
    """

    start: int
    trade_from: int
    stop: int


@dataclass(frozen=True, slots=True)
class Score:
    """Metrics of one parameter set on one window (None where a ratio is undefined)."""

    params: dict[str, Any]
    metrics: dict[str, float | None]
    equity: tuple[float, ...] = ()

    def metric(self, name: str) -> float | None:
        """One metric by name, None when undefined."""
        return self.metrics.get(name)


class Evaluator:
    """Scores parameter sets of one strategy on fixed candles.

    Args:
        candles: timestamp, open, high, low, close, volume; oldest first.
        settings: strategy, money and sizing settings.

    Raises:
        BacktestError: the candles are invalid.
        StrategyError: the strategy is unknown (or a user strategy failed to load).
    """

    def __init__(self, candles: pd.DataFrame, settings: ResearchSettings) -> None:
        self.settings = settings
        self.candles = candles.reset_index(drop=True)
        self.arrays = candle_arrays(self.candles)
        registry = default_registry()
        if settings.strategies_dir is not None:
            registry.load_user_strategies(settings.strategies_dir)
        self.strategy_class: type[BaseStrategy] = registry.get(settings.strategy)
        self._rule = settings.size_rule()
        self._market = default_market(DEFAULT_SYMBOL, settings.config.qty_step, settings.config.fee)
        self._sizing = settings.fast_sizing()
        self._timeframe_ms = settings.config.timeframe_ms or infer_timeframe_ms(
            self.arrays.timestamp
        )
        self.indicator_memo = IndicatorMemo()

    @property
    def bars(self) -> int:
        """Number of candles."""
        return len(self.arrays)

    def score(
        self, params: dict[str, Any], window: Window | None = None, *, keep_equity: bool = False
    ) -> Score:
        """Backtest ``params`` (merged over the fixed parameters) on ``window``.

        Args:
            params: the searched parameter values.
            window: rows to use (default: all, trading from the first bar).
            keep_equity: include the equity curve of the traded rows in the score.

        Returns:
            The score.

        Raises:
            StrategyError: invalid parameters or the strategy failed.
        """
        merged = dict(self.settings.fixed_params)
        merged.update(params)
        strategy = self.strategy_class(merged)
        span = window or Window(0, 0, self.bars)
        frame = self.candles.iloc[span.start : span.stop]
        with remembered(self.indicator_memo):
            signals = strategy_signals(strategy, frame, span.stop - span.start)
        cut = span.trade_from - span.start
        if self._fast_path(strategy):
            metrics, equity = self._replay(signals, span, cut)
        else:
            metrics, equity = self._engine(strategy, signals, span, cut)
        return Score(
            params=dict(params),
            metrics=metrics,
            equity=tuple(equity.tolist()) if keep_equity else (),
        )

    def _fast_path(self, strategy: BaseStrategy) -> bool:
        config = self.settings.config
        stops = (
            config.stop_loss_pct,
            config.take_profit_pct,
            config.trailing_stop_pct,
            strategy.stop_loss_pct,
            strategy.take_profit_pct,
            strategy.trailing_stop_pct,
        )
        return (
            not config.allow_short
            and self.settings.risk_limits is None
            and all(stop is None for stop in stops)
        )

    def _replay(
        self, signals: SignalArrays, span: Window, cut: int
    ) -> tuple[dict[str, float | None], FloatArray]:
        arrays = self.arrays
        config = self.settings.config
        cash = float(config.cash)
        rows = slice(span.trade_from, span.stop)
        run = replay_long(
            arrays.open[rows],
            arrays.close[rows],
            signals.entries[cut:],
            signals.exits[cut:],
            cash=cash,
            fee=float(config.fee),
            slippage=float(config.slippage_bps) / _BPS,
            sizing=self._sizing,
        )
        base = compute_metrics(
            run.equity, run.position, arrays.timestamp[rows], cash, (), self._timeframe_ms
        )
        wins = run.trade_pnl[run.trade_pnl > 0]
        losses = run.trade_pnl[run.trade_pnl < 0]
        trades = len(run.trade_pnl)
        gross_loss = -float(losses.sum())
        metrics: dict[str, Any] = {
            "total_return_pct": base.total_return_pct,
            "sharpe_ratio": base.sharpe_ratio,
            "sortino_ratio": base.sortino_ratio,
            "calmar_ratio": base.calmar_ratio,
            "profit_factor": float(wins.sum()) / gross_loss if gross_loss > 0 else None,
            "max_drawdown_pct": base.max_drawdown_pct,
            "win_rate_pct": len(wins) / trades * 100.0 if trades else None,
            "exposure_pct": base.exposure_pct,
            "num_trades": float(trades),
            "final_equity": float(run.equity[-1]),
            "refused_orders": float(run.refused),
        }
        return _finite(metrics), run.equity

    def _engine(
        self, strategy: BaseStrategy, signals: SignalArrays, span: Window, cut: int
    ) -> tuple[dict[str, float | None], FloatArray]:
        sliced = SignalArrays(
            entries=signals.entries[cut:],
            exits=signals.exits[cut:],
            short_entries=None if signals.short_entries is None else signals.short_entries[cut:],
            short_exits=None if signals.short_exits is None else signals.short_exits[cut:],
        )
        arrays = candle_arrays(self.candles.iloc[span.trade_from : span.stop])
        own = self.settings.config
        limits = self.settings.risk_limits
        config = replace(
            own,
            timeframe_ms=self._timeframe_ms,
            stop_loss_pct=stop_setting(own.stop_loss_pct, strategy, limits, "stop_loss_pct"),
            take_profit_pct=stop_setting(own.take_profit_pct, strategy, limits, "take_profit_pct"),
            trailing_stop_pct=stop_setting(
                own.trailing_stop_pct, strategy, limits, "trailing_stop_pct"
            ),
        )
        gate = None
        if limits is not None:
            gate = RiskGate(RiskManager(limits), self._market, arrays, own.fee, strategy.name)
        result = simulate(strategy, arrays, sliced, config, self._rule, gate)
        found = result.metrics
        metrics: dict[str, Any] = {
            "total_return_pct": found.total_return_pct,
            "sharpe_ratio": found.sharpe_ratio,
            "sortino_ratio": found.sortino_ratio,
            "calmar_ratio": found.calmar_ratio,
            "profit_factor": found.profit_factor,
            "max_drawdown_pct": found.max_drawdown_pct,
            "win_rate_pct": found.win_rate_pct,
            "exposure_pct": found.exposure_pct,
            "num_trades": float(result.num_trades),
            "final_equity": float(result.equity[-1]),
            "refused_orders": float(len(result.rejected_orders)),
        }
        return _finite(metrics), result.equity


def _finite(metrics: dict[str, Any]) -> dict[str, float | None]:
    return {
        key: (None if value is None or not math.isfinite(value) else float(value))
        for key, value in metrics.items()
    }
