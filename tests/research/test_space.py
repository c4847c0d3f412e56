"""Search spaces from the parameter schema: ranges, lists, fixed values, invalid combinations."""

from __future__ import annotations

import pytest

from app.core.errors import BacktestError, StrategyError
from app.research.space import SearchSpace
from app.strategies.builtin.sma_cross import SmaCross


def test_ranges_lists_and_fixed_values() -> None:
    space = SearchSpace.from_strategy(
        SmaCross, {"fast": "5:20:5", "slow": "30,60", "stop_loss_pct": "2"}
    )
    assert space.names == ("fast", "slow")
    assert space.fixed == {"stop_loss_pct": 2.0}
    grid = space.grid()
    assert [(combo["fast"], combo["slow"]) for combo in grid] == [
        (5, 30),
        (5, 60),
        (10, 30),
        (10, 60),
        (15, 30),
        (15, 60),
        (20, 30),
        (20, 60),
    ]


def test_combinations_the_strategy_refuses_are_left_out() -> None:
    space = SearchSpace.from_strategy(SmaCross, {"fast": "10:30:10", "slow": "10:30:10"})
    assert space.raw_size == 9
    assert all(combo["fast"] < combo["slow"] for combo in space.grid())
    assert len(space.grid()) == 3


def test_random_sample_is_seeded_distinct_and_valid() -> None:
    space = SearchSpace.from_strategy(SmaCross, {"fast": "2:50:1", "slow": "10:200:5"})
    first = space.sample(40, seed=3)
    assert first == space.sample(40, seed=3)
    assert first != space.sample(40, seed=4)
    assert len({tuple(combo.items()) for combo in first}) == 40
    assert all(combo["fast"] < combo["slow"] for combo in first)


def test_default_space_leaves_stops_at_their_defaults() -> None:
    space = SearchSpace.from_strategy(SmaCross)
    assert space.names == ("fast", "slow")
    assert "stop_loss_pct" not in space.fixed


def test_bad_specs_name_the_parameter() -> None:
    with pytest.raises(StrategyError, match=r"unknown parameter.*slowest"):
        SearchSpace.from_strategy(SmaCross, {"slowest": "5:10:1"})
    with pytest.raises(StrategyError, match="fast"):
        SearchSpace.from_strategy(SmaCross, {"fast": "5:10"})
    with pytest.raises(StrategyError, match="fast"):
        SearchSpace.from_strategy(SmaCross, {"fast": "1:10:1"})


def test_oversized_grid_is_refused_with_a_hint() -> None:
    space = SearchSpace.from_strategy(SmaCross)
    with pytest.raises(BacktestError, match="narrow the ranges"):
        space.grid(max_combinations=1000)


def test_nothing_to_search_is_refused() -> None:
    with pytest.raises(BacktestError, match="no parameter to search"):
        SearchSpace.from_strategy(SmaCross, {"fast": "5", "slow": "30"})
