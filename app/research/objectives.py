"""Optimisation objectives: which metric is maximised, and the minimum-trades constraint."""

from __future__ import annotations

from app.core.errors import BacktestError
from app.research.evaluator import Score

OBJECTIVES: dict[str, str] = {
    "sharpe": "sharpe_ratio",
    "sortino": "sortino_ratio",
    "calmar": "calmar_ratio",
    "total_return": "total_return_pct",
    "profit_factor": "profit_factor",
}


def check_objective(name: str) -> str:
    """The metric maximised for objective ``name``.

    Raises:
        BacktestError: unknown objective (the message lists the known ones).
    """
    try:
        return OBJECTIVES[name]
    except KeyError:
        raise BacktestError(
            f"objective {name!r} is unknown; choose one of {', '.join(OBJECTIVES)}"
        ) from None


def objective_value(score: Score, objective: str, min_trades: int) -> float | None:
    """The objective of ``score``; None when undefined or with fewer than ``min_trades``."""
    trades = score.metric("num_trades") or 0.0
    if trades < min_trades:
        return None
    return score.metric(check_objective(objective))
