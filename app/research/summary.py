"""Readable terminal summaries of optimisation, walk-forward and Monte Carlo results."""

from __future__ import annotations

from typing import Any

from app.research.montecarlo import MonteCarloResult
from app.research.optimize import OptimizationResult
from app.research.walkforward import WalkForwardResult


def _num(value: float | None, suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:,.2f}{suffix}"


def _params(params: dict[str, Any] | None) -> str:
    if not params:
        return "-"
    return ", ".join(f"{key}={value}" for key, value in params.items())


def optimization_summary(result: OptimizationResult, top: int = 10) -> str:
    """Settings, the best parameters and the top ``top`` rows as a table."""
    ranked = result.ranked()
    lines = [
        f"Optimize {result.strategy}: {result.method} search, objective {result.objective}, "
        f"min trades {result.min_trades}, {result.bars:,} bars",
        f"  evaluated {len(result.rows):,} parameter sets in {result.elapsed_s:,.1f} s, "
        f"{len(ranked):,} qualified"
        + (" (CANCELLED: partial results)" if result.cancelled else ""),
    ]
    if result.fixed:
        lines.append(f"  fixed         {_params(result.fixed)}")
    if not ranked:
        lines.append(
            "  no parameter set met the constraint; lower --min-trades or widen the ranges"
        )
        return "\n".join(lines)
    lines.append(
        f"  best          {_params(ranked[0].params)} -> {result.objective} {_num(ranked[0].value)}"
    )
    lines.append("")
    header = f"  {'#':>3}  {'parameters':<32} {'objective':>10} {'return %':>10} "
    header += f"{'max dd %':>9} {'sharpe':>8} {'trades':>7}"
    lines.append(header)
    for rank, row in enumerate(ranked[:top], start=1):
        metrics = row.score.metrics
        lines.append(
            f"  {rank:>3}  {_params(row.params):<32} {_num(row.value):>10} "
            f"{_num(metrics.get('total_return_pct')):>10} "
            f"{_num(metrics.get('max_drawdown_pct')):>9} "
            f"{_num(metrics.get('sharpe_ratio')):>8} {int(metrics.get('num_trades') or 0):>7}"
        )
    return "\n".join(lines)


def walkforward_summary(result: WalkForwardResult) -> str:
    """One line per split plus the stitched out-of-sample figures and the efficiency."""
    mode = "anchored" if result.anchored else "rolling"
    lines = [
        f"Walk-forward {result.strategy}: {len(result.steps)} {mode} windows, objective "
        f"{result.objective}" + (" (CANCELLED: partial results)" if result.cancelled else ""),
        f"  out-of-sample return {_num(result.oos_return_pct, ' %')}, max drawdown "
        f"{_num(result.oos_max_drawdown_pct, ' %')}, walk-forward efficiency "
        f"{_num(result.efficiency)}",
        "",
        f"  {'train rows':<16} {'test rows':<16} {'parameters':<28} {'IS ret %':>9} "
        f"{'OOS ret %':>9} {'OOS trades':>10}",
    ]
    for step in result.steps:
        split = step.split
        lines.append(
            f"  {f'{split.train_start}-{split.train_stop - 1}':<16} "
            f"{f'{split.test_start}-{split.test_stop - 1}':<16} {_params(step.params):<28} "
            f"{_num(step.in_sample.get('total_return_pct')):>9} "
            f"{_num(step.out_of_sample.get('total_return_pct')):>9} "
            f"{int(step.out_of_sample.get('num_trades') or 0):>10}"
        )
    return "\n".join(lines)


def montecarlo_summary(result: MonteCarloResult) -> str:
    """Percentiles of final return and drawdown and the probability of ruin."""
    finals = result.percentiles(result.final_return_pct)
    drawdowns = result.percentiles(result.max_drawdown_pct)
    kinds = {
        "reshuffle": "trade-order reshuffle",
        "bootstrap": "trade bootstrap",
        "block": f"block bootstrap of bar returns (block {result.block})",
    }
    kind = kinds[result.method]
    lines = [
        f"Monte Carlo: {kind}, {result.final_return_pct.size:,} runs of {result.samples:,} "
        f"samples, seed {result.seed}" + (" (CANCELLED)" if result.cancelled else ""),
        f"  {'':<16} {'5 %':>10} {'50 %':>10} {'95 %':>10}",
        f"  {'final return %':<16} {_num(finals.get('p5')):>10} {_num(finals.get('p50')):>10} "
        f"{_num(finals.get('p95')):>10}",
        f"  {'max drawdown %':<16} {_num(drawdowns.get('p5')):>10} "
        f"{_num(drawdowns.get('p50')):>10} {_num(drawdowns.get('p95')):>10}",
        f"  probability of a drawdown beyond {result.ruin_pct:g} %: "
        f"{result.ruin_probability * 100:.2f} %",
    ]
    return "\n".join(lines)
