"""Stop-loss, take-profit and trailing stops: defaults from limits, strategy overrides win."""

from __future__ import annotations

import pytest

from app.core.enums import Side
from app.core.errors import ConfigError
from app.risk.limits import RiskLimits
from app.risk.manager import RiskManager
from app.risk.stops import TrailingStop, resolve_stop_levels
from tests.risk.helpers import D

LIMITS = RiskLimits(stop_loss_pct=D(2), take_profit_pct=D(5), trailing_stop_pct=D(3))


def test_long_levels_from_the_defaults() -> None:
    levels = RiskManager(LIMITS).stop_levels(Side.BUY, D(20000))
    assert levels.stop_loss == D(19600)
    assert levels.take_profit == D(21000)
    assert levels.trailing_stop_pct == D(3)


def test_short_levels_mirror() -> None:
    levels = resolve_stop_levels(LIMITS, Side.SELL, D(20000))
    assert levels.stop_loss == D(20400)
    assert levels.take_profit == D(19000)


def test_no_defaults_means_no_exits() -> None:
    levels = resolve_stop_levels(RiskLimits(), Side.BUY, D(100))
    assert (levels.stop_loss, levels.take_profit, levels.trailing_stop_pct) == (None, None, None)


def test_strategy_overrides_win_and_none_switches_off() -> None:
    overrides = {"stop_loss_pct": D("1.5"), "take_profit_pct": None}
    levels = RiskManager(LIMITS).stop_levels(Side.BUY, D(20000), overrides)
    assert levels.stop_loss == D(19700)
    assert levels.take_profit is None
    assert levels.trailing_stop_pct == D(3)


def test_levels_round_to_the_tick() -> None:
    levels = resolve_stop_levels(LIMITS, Side.BUY, D("123.45"), tick_size=D("0.01"))
    # 123.45 x 0.98 = 120.981 -> 120.98 ; 123.45 x 1.05 = 129.6225 -> 129.62
    assert levels.stop_loss == D("120.98")
    assert levels.take_profit == D("129.62")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"stop_loss": D(1)}, "strategy.stop_loss: unknown stop setting"),
        ({"stop_loss_pct": D(0)}, "strategy.stop_loss_pct: must be between 0 and 100, got 0"),
        ({"take_profit_pct": D(1001)}, "strategy.take_profit_pct: must be between 0 and 1000"),
    ],
)
def test_bad_overrides_are_named(overrides: dict[str, D], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        resolve_stop_levels(LIMITS, Side.BUY, D(100), overrides)


def test_exit_in_bar_assumes_the_stop_when_both_touch() -> None:
    levels = resolve_stop_levels(LIMITS, Side.BUY, D(20000))
    assert levels.exit_in_bar(D(19500), D(21500)) == ("stop_loss", D(19600))
    assert levels.exit_in_bar(D(19700), D(21000)) == ("take_profit", D(21000))
    assert levels.exit_in_bar(D(19700), D(20900)) is None
    short = resolve_stop_levels(LIMITS, Side.SELL, D(20000))
    assert short.exit_in_bar(D(18000), D(20400)) == ("stop_loss", D(20400))
    assert short.exit_in_bar(D(19000), D(20300)) == ("take_profit", D(19000))


def test_trailing_stop_ratchets_and_triggers() -> None:
    trail = TrailingStop(Side.BUY, D(100), D(10))
    assert trail.level == D(90)
    assert trail.update(D(95), D(120)) is None
    assert trail.level == D(108)
    # a pull-back does not lower it
    assert trail.update(D(109), D(110)) is None
    assert trail.level == D(108)
    assert trail.update(D(107), D(115)) == D(108)


def test_short_trailing_stop() -> None:
    trail = TrailingStop(Side.SELL, D(100), D(10))
    assert trail.update(D(80), D(105)) is None
    assert trail.level == D(88)
    assert trail.update(D(85), D(88)) == D(88)
