"""Research tools: parameter optimisation, walk-forward analysis and Monte Carlo robustness.

``optimize`` (grid / random / Optuna TPE), ``walk_forward`` and ``monte_carlo`` run on a
backend: in-process, a local process pool, or a Dask cluster (identical results for a seed).
Optuna and Dask are imported only when used.
"""

from app.research.backends import Backend, DaskBackend, InlineBackend, LocalBackend
from app.research.evaluator import Evaluator, Score, Window
from app.research.montecarlo import MonteCarloResult, bar_returns, monte_carlo, trade_returns
from app.research.optimize import OptimizationResult, RankedScore, optimize
from app.research.progress import Progress
from app.research.settings import ResearchSettings
from app.research.space import SearchSpace
from app.research.walkforward import Split, WalkForwardResult, make_splits, walk_forward

__all__ = [
    "Backend",
    "DaskBackend",
    "Evaluator",
    "InlineBackend",
    "LocalBackend",
    "MonteCarloResult",
    "OptimizationResult",
    "Progress",
    "RankedScore",
    "ResearchSettings",
    "Score",
    "SearchSpace",
    "Split",
    "WalkForwardResult",
    "Window",
    "bar_returns",
    "make_splits",
    "monte_carlo",
    "optimize",
    "trade_returns",
    "walk_forward",
]
