"""Parameter declarations and value validation (drives the UI form and the optimiser)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from app.core.errors import StrategyError
from app.strategies import Parameter


def test_int_accepts_whole_numbers_in_range_and_converts() -> None:
    period = Parameter("period", "int", 14, min=2, max=100)
    assert period.validate(20) == 20
    assert period.validate(np.int64(7)) == 7
    result = period.validate(30.0)
    assert result == 30
    assert isinstance(result, int)


@pytest.mark.parametrize("bad", [1, 101, 2.5, True, "14", None])
def test_int_rejects_wrong_type_or_out_of_range_naming_the_range(bad: object) -> None:
    period = Parameter("period", "int", 14, min=2, max=100)
    with pytest.raises(StrategyError) as caught:
        period.validate(bad, owner="rsi_revert")
    message = str(caught.value)
    assert "'rsi_revert'" in message
    assert "'period'" in message
    assert "between 2 and 100" in message
    assert repr(bad) in message


def test_float_accepts_ints_numpy_and_decimal_but_not_nan() -> None:
    level = Parameter("level", "float", 2.0, min=0.5, max=4.0)
    assert level.validate(3) == 3.0
    assert level.validate(np.float32(1.5)) == 1.5
    assert level.validate(Decimal("2.25")) == 2.25
    with pytest.raises(StrategyError, match=r"between 0\.5 and 4"):
        level.validate(float("nan"))
    with pytest.raises(StrategyError):
        level.validate(False)


def test_bool_and_choice_accept_only_their_values() -> None:
    flag = Parameter("flag", "bool", False)
    assert flag.validate(np.bool_(True)) is True
    with pytest.raises(StrategyError, match="true or false"):
        flag.validate(1)
    mode = Parameter("mode", "choice", "close", choices=("close", "hl2"))
    assert mode.validate("hl2") == "hl2"
    with pytest.raises(StrategyError, match="one of 'close', 'hl2'"):
        mode.validate("open")


def test_parse_text_from_command_line_or_settings() -> None:
    assert Parameter("n", "int", 3, min=1).parse(" 12 ") == 12
    assert Parameter("x", "float", 1.0).parse("2.5") == 2.5
    assert Parameter("b", "bool", False).parse("Yes") is True
    assert Parameter("b", "bool", True).parse("off") is False
    with pytest.raises(StrategyError, match="whole number"):
        Parameter("n", "int", 3).parse("3.5")
    with pytest.raises(StrategyError, match="'x' must be a number"):
        Parameter("x", "float", 1.0).parse("abc")


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"name": "bad name", "type": "int", "default": 1}, "identifier"),
        ({"name": "n", "type": "decimal", "default": 1}, "type must be one of"),
        ({"name": "n", "type": "int", "default": 5, "min": 10, "max": 1}, "greater than max"),
        ({"name": "n", "type": "int", "default": 50, "min": 1, "max": 10}, "got 50"),
        ({"name": "n", "type": "int", "default": 5, "step": 0}, "step must be positive"),
        ({"name": "m", "type": "choice", "default": "a"}, "non-empty tuple"),
        ({"name": "m", "type": "choice", "default": "c", "choices": ("a", "b")}, "got 'c'"),
        ({"name": "f", "type": "bool", "default": True, "min": 0}, "takes no min"),
        ({"name": "n", "type": "int", "default": 1, "choices": ("a",)}, "only choice"),
    ],
)
def test_inconsistent_declarations_are_refused(kwargs: dict[str, object], problem: str) -> None:
    with pytest.raises(StrategyError, match=problem):
        Parameter(**kwargs)  # type: ignore[arg-type]


def test_grid_spans_min_to_max_by_step() -> None:
    assert Parameter("n", "int", 10, min=5, max=20, step=5).grid() == (5, 10, 15, 20)
    assert Parameter("z", "float", 1.0, min=0.5, max=1.5, step=0.25).grid() == (
        0.5,
        0.75,
        1.0,
        1.25,
        1.5,
    )
    assert Parameter("b", "bool", True).grid() == (False, True)
    assert Parameter("m", "choice", "a", choices=("a", "b")).grid() == ("a", "b")
    with pytest.raises(StrategyError, match="needs min, max and step"):
        Parameter("n", "int", 10).grid()
