"""The combination count of the Optimise panel: how many parameter sets a search really runs.

The raw grid includes combinations the strategy refuses (``sma_cross``: fast >= slow), which
the search leaves out. Counting the valid ones means asking the strategy about each one
(about 15 µs each), so it is done only for grids of at most :data:`VALID_COUNT_LIMIT`
combinations, which keeps one count under about 40 ms; larger grids say "up to N".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.core.errors import BacktestError, StrategyError
from app.research.space import SearchSpace
from app.strategies.base import BaseStrategy

#: Largest raw grid whose valid combinations are counted on an edit (5,000 took 75 ms).
VALID_COUNT_LIMIT = 2_500


@dataclass(frozen=True, slots=True)
class Count:
    """Combinations of a search: ``raw`` in the grid, ``valid`` ones (None when not counted)."""

    raw: int
    valid: int | None

    @property
    def runs(self) -> int:
        """Combinations a grid search runs (the raw size when the valid ones were not counted)."""
        return self.raw if self.valid is None else self.valid

    def text(self) -> str:
        """``"147 of 154 combinations valid"``, ``"154 combinations"`` or ``"up to N ..."``."""
        if self.valid is None:
            return f"up to {self.raw:,} combinations"
        if self.valid == self.raw:
            return f"{self.raw:,} combinations"
        return f"{self.valid:,} of {self.raw:,} combinations valid"


def count_combinations(strategy: type[BaseStrategy], specs: Mapping[str, str], raw: int) -> Count:
    """Count the combinations of ``specs`` that ``strategy`` accepts.

    Args:
        strategy: the strategy class.
        specs: every parameter's spec (see :func:`app.research.space.parse_spec`).
        raw: the raw grid size (the product of the value counts).

    Returns:
        The count; ``valid`` is None above :data:`VALID_COUNT_LIMIT` or when the specs do not
        make a search space.
    """
    if raw > VALID_COUNT_LIMIT:
        return Count(raw, None)
    try:
        space = SearchSpace.from_strategy(strategy, dict(specs))
        return Count(raw, len(space.grid(max_combinations=VALID_COUNT_LIMIT)))
    except (BacktestError, StrategyError):
        return Count(raw, None)
