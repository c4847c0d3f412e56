"""Search spaces over a strategy's declared parameters: grids, random samples, Optuna ranges.

By default every numeric, bool and choice parameter is searched over its declared
``min``/``max``/``step`` (the protective-stop parameters stay at their defaults unless asked
for). ``NAME=LOW:HIGH:STEP``, ``NAME=A,B,C`` or ``NAME=VALUE`` narrow, list or fix a parameter.
Combinations the strategy refuses (e.g. fast >= slow) are left out.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.core.errors import BacktestError, StrategyError
from app.strategies.base import BaseStrategy
from app.strategies.parameters import Parameter, ParamValue

STOP_PARAMETERS = frozenset({"stop_loss_pct", "take_profit_pct", "trailing_stop_pct"})
DEFAULT_MAX_COMBINATIONS = 200_000


@dataclass(frozen=True, slots=True)
class Dimension:
    """One searched parameter and the values it may take (in search order)."""

    name: str
    type: str
    values: tuple[ParamValue, ...]

    @property
    def numeric(self) -> bool:
        """True for int/float parameters (a range for Optuna), False for categories."""
        return self.type in ("int", "float")


@dataclass(frozen=True, slots=True)
class SearchSpace:
    """The searched parameters of a strategy plus the values held fixed.

    Use :meth:`from_strategy` to build one from the parameter schema and user specs.
    """

    strategy: type[BaseStrategy]
    dimensions: tuple[Dimension, ...]
    fixed: Mapping[str, ParamValue]

    @classmethod
    def from_strategy(
        cls, strategy: type[BaseStrategy], specs: Mapping[str, str] | None = None
    ) -> SearchSpace:
        """The space of ``strategy`` narrowed by ``specs`` (parameter name -> spec text).

        Args:
            strategy: the strategy class.
            specs: ``"LOW:HIGH:STEP"``, ``"A,B,C"`` or a single value per parameter name.

        Returns:
            The search space.

        Raises:
            StrategyError: an unknown parameter name or a value the schema refuses.
            BacktestError: nothing is left to search.
        """
        declared = {parameter.name: parameter for parameter in strategy.get_parameters()}
        given = dict(specs or {})
        unknown = [name for name in given if name not in declared]
        if unknown:
            raise StrategyError(
                f"strategy {strategy.name}: unknown parameter(s) {', '.join(unknown)}; "
                f"known: {', '.join(declared)}"
            )
        dimensions: list[Dimension] = []
        fixed: dict[str, ParamValue] = {}
        for name, parameter in declared.items():
            if name in given:
                values = parse_spec(parameter, given[name], owner=strategy.name)
            elif name in STOP_PARAMETERS or not _searchable(parameter):
                continue
            else:
                values = parameter.grid()
            if len(values) == 1:
                fixed[name] = values[0]
            else:
                dimensions.append(Dimension(name, parameter.type, values))
        if not dimensions:
            raise BacktestError(
                f"strategy {strategy.name}: no parameter to search; give a range such as "
                "--param fast=5:50:5"
            )
        return cls(strategy, tuple(dimensions), fixed)

    @property
    def names(self) -> tuple[str, ...]:
        """The searched parameter names."""
        return tuple(dimension.name for dimension in self.dimensions)

    @property
    def raw_size(self) -> int:
        """Combinations before the strategy's own rules remove invalid ones."""
        return math.prod(len(dimension.values) for dimension in self.dimensions)

    def is_valid(self, params: Mapping[str, Any]) -> bool:
        """True when the strategy accepts ``params`` with the fixed values."""
        try:
            self.strategy.validate_params({**self.fixed, **params})
        except StrategyError:
            return False
        return True

    def grid(self, max_combinations: int = DEFAULT_MAX_COMBINATIONS) -> list[dict[str, Any]]:
        """Every valid combination, in a fixed order (the first dimension varies slowest).

        Raises:
            BacktestError: more than ``max_combinations`` raw combinations.
        """
        if self.raw_size > max_combinations:
            raise BacktestError(
                f"the grid has {self.raw_size:,} combinations (limit {max_combinations:,}); "
                "narrow the ranges with --param NAME=LOW:HIGH:STEP or use --method random/tpe"
            )
        return [combo for combo in self._combinations() if self.is_valid(combo)]

    def sample(self, count: int, seed: int) -> list[dict[str, Any]]:
        """Up to ``count`` distinct valid combinations drawn at random (seeded).

        The whole grid when it has no more than ``count`` combinations.
        """
        if self.raw_size <= count:
            return self.grid()
        rng = np.random.default_rng(seed)
        seen: set[tuple[Any, ...]] = set()
        chosen: list[dict[str, Any]] = []
        for _ in range(count * 50):
            picks = tuple(
                dimension.values[int(rng.integers(len(dimension.values)))]
                for dimension in self.dimensions
            )
            if picks in seen:
                continue
            seen.add(picks)
            combo = dict(zip(self.names, picks, strict=True))
            if self.is_valid(combo):
                chosen.append(combo)
                if len(chosen) == count:
                    break
        return chosen

    def _combinations(self) -> Iterator[dict[str, Any]]:
        for picks in itertools.product(*(dimension.values for dimension in self.dimensions)):
            yield dict(zip(self.names, picks, strict=True))


def parse_spec(parameter: Parameter, text: str, *, owner: str = "") -> tuple[ParamValue, ...]:
    """Values of ``parameter`` from ``"LOW:HIGH:STEP"``, ``"A,B,C"`` or ``"VALUE"``.

    Raises:
        StrategyError: malformed text or a value outside the declared range.
    """
    cleaned = text.strip()
    if ":" in cleaned:
        parts = cleaned.split(":")
        if len(parts) != 3 or parameter.type not in ("int", "float"):
            raise StrategyError(
                f"--param {parameter.name}={text}: a range is LOW:HIGH:STEP of a number "
                f"parameter, e.g. {parameter.name}=5:50:5"
            )
        low = parameter.parse(parts[0], owner=owner)
        high = parameter.parse(parts[1], owner=owner)
        step = _number(parts[2])
        assert isinstance(low, int | float) and isinstance(high, int | float)
        if step is None or step <= 0 or high < low:
            raise StrategyError(
                f"--param {parameter.name}={text}: need LOW <= HIGH and a positive STEP"
            )
        ranged = Parameter(
            parameter.name, parameter.type, low, min=float(low), max=float(high), step=float(step)
        )
        return tuple(parameter.validate(value, owner=owner) for value in ranged.grid())
    items: Sequence[str] = [item for item in cleaned.split(",") if item.strip()]
    if not items:
        raise StrategyError(f"--param {parameter.name}: give a value, a list or LOW:HIGH:STEP")
    return tuple(dict.fromkeys(parameter.parse(item, owner=owner) for item in items))


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _searchable(parameter: Parameter) -> bool:
    if parameter.type in ("bool", "choice"):
        return True
    return None not in (parameter.min, parameter.max, parameter.step)
