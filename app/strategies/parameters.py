"""Strategy parameter schema: one declared, typed, bounded parameter.

The schema drives the strategy form in the UI, the optimiser's search space and validation of
every value a user or the optimiser supplies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, TypeAlias, get_args

import numpy as np

from app.core.errors import StrategyError

ParamType = Literal["int", "float", "bool", "choice"]
ParamValue: TypeAlias = int | float | bool | str

PARAM_TYPES: tuple[str, ...] = get_args(ParamType)
_TRUE_WORDS = frozenset({"true", "yes", "on", "1"})
_FALSE_WORDS = frozenset({"false", "no", "off", "0"})


@dataclass(frozen=True, slots=True)
class Parameter:
    """One strategy parameter: its type, default, allowed range and help text.

    ``min``/``max`` are inclusive bounds for ``int``/``float``; ``step`` is the increment the
    UI spin box and the optimiser's grid use (it does not restrict validation); ``choices``
    lists the allowed values of a ``choice``.

    Raises:
        StrategyError: the declaration itself is inconsistent (unknown type, min > max,
            default out of range, choice without choices, ...).
    """

    name: str
    type: ParamType
    default: int | float | bool | str
    min: float | None = None
    max: float | None = None
    step: float | None = None
    choices: tuple[str, ...] | None = None
    description: str = ""

    def __post_init__(self) -> None:
        problem = self._declaration_problem()
        if problem:
            raise StrategyError(f"parameter {self.name!r}: {problem}")
        self.validate(self.default)

    def _declaration_problem(self) -> str:
        if not isinstance(self.name, str) or not self.name.isidentifier():
            return "the name must be a Python identifier"
        if self.type not in PARAM_TYPES:
            return f"type must be one of {', '.join(PARAM_TYPES)}, got {self.type!r}"
        if self.type == "choice":
            if not self.choices or not all(isinstance(item, str) for item in self.choices):
                return "a choice parameter needs a non-empty tuple of string choices"
            if not isinstance(self.choices, tuple):
                return "choices must be a tuple"
        elif self.choices is not None:
            return f"only choice parameters take choices, this one is {self.type}"
        if self.type in ("bool", "choice") and (
            self.min is not None or self.max is not None or self.step is not None
        ):
            return f"a {self.type} parameter takes no min, max or step"
        for label, bound in (("min", self.min), ("max", self.max), ("step", self.step)):
            if bound is not None and (
                isinstance(bound, bool)
                or not isinstance(bound, int | float)
                or not math.isfinite(bound)
            ):
                return f"{label} must be a finite number, got {bound!r}"
        if self.min is not None and self.max is not None and self.min > self.max:
            return f"min ({self.min}) is greater than max ({self.max})"
        if self.step is not None and self.step <= 0:
            return f"step must be positive, got {self.step}"
        return ""

    @property
    def allowed(self) -> str:
        """The allowed values in words, e.g. ``"a whole number between 2 and 200"``."""
        if self.type == "bool":
            return "true or false"
        if self.type == "choice":
            return "one of " + ", ".join(repr(item) for item in self.choices or ())
        kind = "a whole number" if self.type == "int" else "a number"
        if self.min is not None and self.max is not None:
            return f"{kind} between {_show(self.min)} and {_show(self.max)}"
        if self.min is not None:
            return f"{kind} of at least {_show(self.min)}"
        if self.max is not None:
            return f"{kind} of at most {_show(self.max)}"
        return kind

    def validate(self, value: object, *, owner: str = "") -> ParamValue:
        """Return ``value`` converted to this parameter's Python type when it is allowed.

        Ints accept integral floats (``10.0``) and numpy integers; floats accept ints, numpy
        floats and Decimals; bools accept only booleans; choices only the listed strings.

        Args:
            value: the candidate value.
            owner: strategy name to prefix the error message with.

        Raises:
            StrategyError: wrong type or outside the range; the message names the strategy,
                the parameter, the allowed values and the given value.
        """
        converted = self._convert(value)
        if converted is None or not self._in_range(converted):
            prefix = f"strategy {owner!r}: " if owner else ""
            raise StrategyError(
                f"{prefix}parameter {self.name!r} must be {self.allowed}, got {value!r}"
            )
        return converted

    def parse(self, text: str, *, owner: str = "") -> ParamValue:
        """Convert text (command line, settings file) to a valid value.

        Args:
            text: e.g. ``"10"``, ``"2.5"``, ``"true"`` or a choice.
            owner: strategy name to prefix the error message with.

        Raises:
            StrategyError: the text is not an allowed value.
        """
        cleaned = text.strip()
        value: object = cleaned
        if self.type in ("int", "float"):
            try:
                number = float(cleaned)
            except ValueError:
                return self.validate(text, owner=owner)
            value = int(number) if self.type == "int" and number.is_integer() else number
        elif self.type == "bool":
            lowered = cleaned.lower()
            value = True if lowered in _TRUE_WORDS else False if lowered in _FALSE_WORDS else text
        return self.validate(value, owner=owner)

    def grid(self) -> tuple[ParamValue, ...]:
        """Every value from ``min`` to ``max`` by ``step`` (all choices; both bools).

        Raises:
            StrategyError: a numeric parameter lacks min, max or step.
        """
        if self.type == "bool":
            return (False, True)
        if self.type == "choice":
            return tuple(self.choices or ())
        if self.min is None or self.max is None or self.step is None:
            raise StrategyError(f"parameter {self.name!r}: a grid needs min, max and step")
        count = math.floor((self.max - self.min) / self.step + 1e-9) + 1
        values = [self.min + index * self.step for index in range(count)]
        if self.type == "int":
            return tuple(dict.fromkeys(round(value) for value in values))
        return tuple(round(value, 12) for value in values)

    def _convert(self, value: object) -> ParamValue | None:
        if isinstance(value, bool | np.bool_):
            return bool(value) if self.type == "bool" else None
        if self.type == "int":
            if isinstance(value, int | np.integer):
                return int(value)
            if isinstance(value, float | np.floating) and float(value).is_integer():
                return int(value)
            return None
        if self.type == "float":
            if isinstance(value, int | float | np.integer | np.floating | Decimal):
                number = float(value)
                return number if math.isfinite(number) else None
            return None
        if self.type == "choice" and isinstance(value, str) and value in (self.choices or ()):
            return value
        return None

    def _in_range(self, value: ParamValue) -> bool:
        if self.type not in ("int", "float") or isinstance(value, str):
            return True
        if self.min is not None and value < self.min:
            return False
        return self.max is None or value <= self.max


def _show(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def protective_stop_parameters(
    stop_loss: float = 0.0, take_profit: float = 0.0, trailing_stop: float = 0.0
) -> tuple[Parameter, ...]:
    """The optional exit parameters every strategy may declare, in percent of the entry price.

    A value of 0 leaves that exit to the risk settings' default.

    Args:
        stop_loss: default stop-loss distance in %.
        take_profit: default take-profit distance in %.
        trailing_stop: default trailing-stop distance in %.

    Returns:
        ``stop_loss_pct``, ``take_profit_pct`` and ``trailing_stop_pct`` parameters.
    """
    return (
        Parameter(
            "stop_loss_pct", "float", stop_loss, min=0.0, max=50.0, step=0.5,
            description="Stop-loss distance below the entry price, % (0 = risk default).",
        ),
        Parameter(
            "take_profit_pct", "float", take_profit, min=0.0, max=200.0, step=0.5,
            description="Take-profit distance above the entry price, % (0 = risk default).",
        ),
        Parameter(
            "trailing_stop_pct", "float", trailing_stop, min=0.0, max=50.0, step=0.5,
            description="Trailing-stop distance below the best price since entry, % "
            "(0 = risk default).",
        ),
    )  # fmt: skip
