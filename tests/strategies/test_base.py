"""BaseStrategy: parameter validation, protective exits, signal frames, schema checks."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from app.core.enums import SignalAction
from app.core.errors import StrategyError
from app.strategies import BaseStrategy, Parameter, SignalFrame, protective_stop_parameters
from app.strategies.builtin import SmaCross


class Breakout(BaseStrategy):
    """Small strategy used to exercise the base class."""

    name = "breakout"
    title = "Breakout"
    description = "Enters above the previous high."

    @classmethod
    def get_parameters(cls) -> tuple[Parameter, ...]:
        return (
            Parameter("lookback", "int", 20, min=2, max=400),
            Parameter("mode", "choice", "close", choices=("close", "high")),
            *protective_stop_parameters(stop_loss=2.5),
        )

    def generate_signals(self, data: pd.DataFrame) -> SignalFrame:
        close = self.column(data, self.params["mode"])
        entries = np.zeros(len(close), dtype=bool)
        return SignalFrame(entries=entries, exits=entries.copy())


def test_defaults_fill_missing_parameters() -> None:
    strategy = Breakout({"lookback": 50})
    assert strategy.params == {
        "lookback": 50,
        "mode": "close",
        "stop_loss_pct": 2.5,
        "take_profit_pct": 0.0,
        "trailing_stop_pct": 0.0,
    }


def test_every_problem_is_reported_with_strategy_parameter_range_and_value() -> None:
    with pytest.raises(StrategyError) as caught:
        Breakout({"lookback": 1, "mode": "open", "lookbak": 3})
    message = str(caught.value)
    assert message.startswith("strategy 'breakout': ")
    assert "unknown parameter 'lookbak' (known: lookback, mode," in message
    assert "parameter 'lookback' must be a whole number between 2 and 400, got 1" in message
    assert "parameter 'mode' must be one of 'close', 'high', got 'open'" in message


def test_cross_field_rule_is_checked() -> None:
    with pytest.raises(StrategyError, match=r"'fast' must be less than 'slow'.*fast=30, slow=30"):
        SmaCross({"fast": 30, "slow": 30})


def test_protective_exits_are_decimal_percentages_and_zero_means_risk_default() -> None:
    strategy = Breakout({"take_profit_pct": 7.5})
    assert strategy.stop_loss_pct == Decimal("2.5")
    assert strategy.take_profit_pct == Decimal("7.5")
    assert strategy.trailing_stop_pct is None


def test_strategy_without_exit_parameters_leaves_exits_to_risk_settings() -> None:
    class Plain(Breakout):
        name = "plain"

        @classmethod
        def get_parameters(cls) -> tuple[Parameter, ...]:
            return (Parameter("lookback", "int", 20, min=2),)

    plain = Plain()
    assert (plain.stop_loss_pct, plain.take_profit_pct, plain.trailing_stop_pct) == (
        None,
        None,
        None,
    )
    assert plain.warmup_bars == 0


def test_missing_column_names_the_column_and_what_is_expected() -> None:
    with pytest.raises(StrategyError, match=r"no 'high' column.*columns: timestamp, close"):
        Breakout({"mode": "high"}).generate_signals(
            pd.DataFrame({"timestamp": [1], "close": [1.0]})
        )


def test_non_numeric_column_is_a_clear_strategy_error() -> None:
    data = pd.DataFrame({"close": ["1.0", "n/a"]})
    with pytest.raises(StrategyError, match="'close' column is not numeric"):
        Breakout().generate_signals(data)


def test_signal_frame_rejects_bad_arrays() -> None:
    flags = np.zeros(3, dtype=bool)
    with pytest.raises(StrategyError, match="exits has 2 bars, entries has 3"):
        SignalFrame(entries=flags, exits=np.zeros(2, dtype=bool))
    with pytest.raises(StrategyError, match="entries must be a 1-D numpy bool array"):
        SignalFrame(entries=np.zeros(3), exits=flags)
    with pytest.raises(StrategyError, match="short_exits"):
        SignalFrame(entries=flags, exits=flags, short_exits=[False] * 3)  # type: ignore[arg-type]


def test_actions_at_reads_a_bar_exits_first() -> None:
    frame = SignalFrame(
        entries=np.array([False, True, True]),
        exits=np.array([False, False, True]),
    )
    assert len(frame) == 3
    assert not frame.has_shorts
    assert frame.actions_at(0) == ()
    assert frame.actions_at(1) == (SignalAction.ENTER_LONG,)
    assert frame.actions_at(-1) == (SignalAction.EXIT_LONG, SignalAction.ENTER_LONG)


def test_schema_problems_catch_bad_declarations() -> None:
    class NoName(Breakout):
        name = "Bad Name"
        title = None  # type: ignore[assignment]

    class BrokenSchema(Breakout):
        name = "broken"

        @classmethod
        def get_parameters(cls) -> tuple[Parameter, ...]:
            return (Parameter("x", "int", 1), Parameter("x", "int", 2))

    class RaisingSchema(Breakout):
        name = "raising"

        @classmethod
        def get_parameters(cls) -> tuple[Parameter, ...]:
            raise RuntimeError("boom")

    class BadDefaults(SmaCross):
        name = "bad_defaults"

        @classmethod
        def check_params(cls, params: Mapping[str, Any]) -> list[str]:
            return ["never valid"]

    assert Breakout.schema_problems() == []
    problems = NoName.schema_problems()
    assert any("lowercase letters" in item for item in problems)
    assert any("title must be set" in item for item in problems)
    assert BrokenSchema.schema_problems() == ["duplicate parameter names: x"]
    assert RaisingSchema.schema_problems() == ["get_parameters() failed: boom"]
    assert "default parameters are invalid" in BadDefaults.schema_problems()[0]
