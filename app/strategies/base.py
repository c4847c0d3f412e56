"""The strategy API: a declared parameter schema and vectorised entry/exit signals.

A strategy is a :class:`BaseStrategy` subclass. The same class runs in backtests, paper and
live trading: the backtest calls :meth:`BaseStrategy.generate_signals` once on the whole history,
the live strategy runner calls it on a rolling window and reads the last bar. Signals at bar t
must therefore depend on rows 0..t only.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from app.core.enums import SignalAction
from app.core.errors import StrategyError
from app.core.money import to_decimal
from app.indicators import FloatArray
from app.strategies.parameters import Parameter, ParamType, ParamValue

__all__ = ["BaseStrategy", "ParamType", "ParamValue", "Parameter", "SignalFrame"]

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class SignalFrame:
    """Entry and exit flags for every bar of the input data.

    ``entries[t]`` asks to enter long at the close of bar t (the backtest fills at the next
    bar's open); ``exits[t]`` asks to leave the long position. The short arrays are None for
    long-only strategies.

    Raises:
        StrategyError: an array is not a 1-D bool array or the lengths differ.
    """

    entries: np.ndarray
    exits: np.ndarray
    short_entries: np.ndarray | None = None
    short_exits: np.ndarray | None = None

    def __post_init__(self) -> None:
        length = len(self.entries) if isinstance(self.entries, np.ndarray) else -1
        for label in ("entries", "exits", "short_entries", "short_exits"):
            array = getattr(self, label)
            if array is None and label.startswith("short"):
                continue
            if not isinstance(array, np.ndarray) or array.dtype != np.bool_ or array.ndim != 1:
                raise StrategyError(f"signals: {label} must be a 1-D numpy bool array")
            if len(array) != length:
                raise StrategyError(f"signals: {label} has {len(array)} bars, entries has {length}")

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def has_shorts(self) -> bool:
        """True when the strategy emits short signals."""
        return self.short_entries is not None or self.short_exits is not None

    def actions_at(self, index: int) -> tuple[SignalAction, ...]:
        """The actions flagged at bar ``index`` (negative counts from the end: -1 = last bar).

        Exits come before entries, so a position is closed before a new one is opened.
        """
        flagged: list[SignalAction] = []
        pairs = (
            (self.exits, SignalAction.EXIT_LONG),
            (self.short_exits, SignalAction.EXIT_SHORT),
            (self.entries, SignalAction.ENTER_LONG),
            (self.short_entries, SignalAction.ENTER_SHORT),
        )
        for array, action in pairs:
            if array is not None and bool(array[index]):
                flagged.append(action)
        return tuple(flagged)


class BaseStrategy(ABC):
    """Base class of every strategy (built-in or user plug-in).

    Subclasses set the class attributes ``name`` (registry key: lowercase letters, digits and
    underscores), ``title`` and ``description``, declare their parameters in
    :meth:`get_parameters`, and compute signals in :meth:`generate_signals`. Cross-field rules
    (e.g. fast < slow) go in :meth:`check_params`. Declaring parameters named
    ``stop_loss_pct``, ``take_profit_pct`` or ``trailing_stop_pct`` (see
    :func:`~app.strategies.parameters.protective_stop_parameters`) sets the protective exits.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]

    def __init__(self, params: Mapping[str, Any] | None = None) -> None:
        """Validate ``params`` and fill in defaults.

        Args:
            params: parameter values by name; missing ones take their defaults.

        Raises:
            StrategyError: a parameter is unknown, of the wrong type or out of range.
        """
        self.params: dict[str, Any] = self.validate_params(params)

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{type(self).__name__}({shown})"

    @classmethod
    @abstractmethod
    def get_parameters(cls) -> tuple[Parameter, ...]:
        """The declared parameters, in the order the UI shows them."""

    @classmethod
    def check_params(cls, params: Mapping[str, Any]) -> list[str]:
        """Cross-field problems of already type- and range-checked ``params``.

        Override to add rules such as "fast must be less than slow".

        Returns:
            One message per problem, naming the parameters and their values; empty when fine.
        """
        return []

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Every parameter's default value by name."""
        return {parameter.name: parameter.default for parameter in cls.get_parameters()}

    @classmethod
    def validate_params(cls, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """Check ``params`` against the schema and return a complete, typed parameter dict.

        Args:
            params: values by name (None or missing names take the defaults).

        Returns:
            Every declared parameter by name, converted to its declared type.

        Raises:
            StrategyError: unknown name, wrong type, out of range or a cross-field rule broken;
                the message names the strategy, every bad parameter, what is allowed and the
                given value.
        """
        given = dict(params or {})
        schema = {parameter.name: parameter for parameter in cls.get_parameters()}
        problems = [
            f"unknown parameter {key!r} (known: {', '.join(schema) or 'none'})"
            for key in given
            if key not in schema
        ]
        values: dict[str, Any] = {}
        for key, parameter in schema.items():
            try:
                values[key] = parameter.validate(given.get(key, parameter.default))
            except StrategyError as exc:
                problems.append(str(exc))
        if not problems:
            problems.extend(cls.check_params(values))
        if problems:
            raise StrategyError(f"strategy {cls.strategy_name()!r}: " + "; ".join(problems))
        return values

    @classmethod
    def strategy_name(cls) -> str:
        """The registry name, or the class name when ``name`` is missing."""
        name = getattr(cls, "name", None)
        return name if isinstance(name, str) else cls.__name__

    @classmethod
    def schema_problems(cls) -> list[str]:
        """Everything wrong with the class declaration; empty when it can be registered.

        Checks the name, title and description attributes, that :meth:`get_parameters`
        returns unique :class:`Parameter` objects, and that the defaults pass
        :meth:`check_params`. Never raises: exceptions become problems.
        """
        problems: list[str] = []
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not _NAME_RE.match(name):
            problems.append(f"name must be lowercase letters, digits and underscores, got {name!r}")
        for attribute in ("title", "description"):
            if not isinstance(getattr(cls, attribute, None), str):
                problems.append(f"{attribute} must be set to a string")
        try:
            declared = cls.get_parameters()
        except Exception as exc:
            return [*problems, f"get_parameters() failed: {exc}"]
        if not isinstance(declared, tuple) or not all(
            isinstance(item, Parameter) for item in declared
        ):
            return [*problems, "get_parameters() must return a tuple of Parameter"]
        names = [item.name for item in declared]
        duplicates = sorted({item for item in names if names.count(item) > 1})
        if duplicates:
            problems.append(f"duplicate parameter names: {', '.join(duplicates)}")
        if not problems:
            try:
                cls.validate_params(None)
            except Exception as exc:
                problems.append(f"the default parameters are invalid: {exc}")
        return problems

    @abstractmethod
    def generate_signals(self, data: pd.DataFrame) -> SignalFrame:
        """Compute entry/exit flags for every row of ``data``, vectorised.

        Args:
            data: candles with columns timestamp (int ms UTC), open, high, low, close, volume,
                oldest first.

        Returns:
            A :class:`SignalFrame` of ``len(data)`` bars; bar t uses rows 0..t only.

        Raises:
            StrategyError: the data lacks a needed column.
        """

    @property
    def warmup_bars(self) -> int:
        """Index of the first bar that can carry a signal (earlier bars are warm-up).

        Recursive indicators (EMA, Wilder's smoothing) still depend slightly on where the data
        starts, so a live rolling window should be several times longer than this.
        """
        return 0

    @property
    def stop_loss_pct(self) -> Decimal | None:
        """Stop-loss distance in % of the entry price, None for the risk settings' default."""
        return self._percent("stop_loss_pct")

    @property
    def take_profit_pct(self) -> Decimal | None:
        """Take-profit distance in % of the entry price, None for the risk settings' default."""
        return self._percent("take_profit_pct")

    @property
    def trailing_stop_pct(self) -> Decimal | None:
        """Trailing-stop distance in % of the best price, None for the risk settings' default."""
        return self._percent("trailing_stop_pct")

    def _percent(self, key: str) -> Decimal | None:
        value = self.params.get(key)
        if value is None or isinstance(value, bool | str) or value <= 0:
            return None
        return to_decimal(value, field=f"{self.strategy_name()}.{key}")

    def column(self, data: pd.DataFrame, name: str) -> FloatArray:
        """Column ``name`` of ``data`` as a float64 numpy array.

        Raises:
            StrategyError: the column is missing (the message lists the columns present) or
                is not numeric.
        """
        if name not in data.columns:
            present = ", ".join(str(item) for item in data.columns) or "none"
            raise StrategyError(
                f"strategy {self.strategy_name()!r}: the data has no {name!r} column "
                f"(columns: {present}); pass candles with timestamp, open, high, low, close, "
                "volume"
            )
        try:
            return np.asarray(data[name].to_numpy(dtype=np.float64, na_value=np.nan))
        except (TypeError, ValueError) as exc:
            raise StrategyError(
                f"strategy {self.strategy_name()!r}: the {name!r} column is not numeric "
                f"({data[name].dtype}); load candles with numeric prices and volumes"
            ) from exc
