"""Crossing rule (backtrader CrossOver semantics) against a plain loop."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.strategies import crossed_above, crossed_below, crossings
from tests.strategies.reference import reference_crosses

NAN = math.nan


def test_touching_then_crossing_counts_once_at_the_bar_it_goes_through() -> None:
    a = [1.0, 2.0, 3.0, 3.0, 4.0, 3.0, 2.0]
    b = [3.0] * 7
    assert crossed_above(a, b).tolist() == [False, False, False, False, True, False, False]
    assert crossed_below(a, b).tolist() == [False, False, False, False, False, False, True]


def test_touch_and_return_is_not_a_cross() -> None:
    a = [1.0, 3.0, 1.0, 3.0, 2.0]
    assert not crossed_above(a, 3.0).any()
    assert not crossed_below(a, 3.0).any()


def test_warm_up_nans_are_skipped_not_treated_as_a_side() -> None:
    a = [NAN, NAN, 5.0, 1.0, NAN, 5.0]
    b = [3.0, 3.0, 3.0, 3.0, 3.0, 3.0]
    assert crossed_above(a, b).tolist() == [False, False, False, False, False, True]
    assert crossed_below(a, b).tolist() == [False, False, False, True, False, False]


def test_first_valid_bar_never_crosses() -> None:
    assert not crossed_above([5.0, 6.0], [1.0, 1.0]).any()
    assert crossed_above([], []).tolist() == []


values = st.lists(
    st.one_of(st.sampled_from([1.0, 2.0, 3.0]), st.just(NAN)), min_size=0, max_size=60
)


@settings(max_examples=300, deadline=None)
@given(values, values)
def test_matches_reference_loop(a: list[float], b: list[float]) -> None:
    size = min(len(a), len(b))
    a, b = a[:size], b[:size]
    above, below = reference_crosses(a, b)
    assert crossed_above(np.array(a), np.array(b)).tolist() == above
    assert crossed_below(np.array(a), np.array(b)).tolist() == below


@settings(max_examples=200, deadline=None)
@given(values, st.sampled_from([1.0, 2.0, 3.0]))
def test_crossings_of_a_level_match_the_reference_loop(a: list[float], level: float) -> None:
    above, below = crossings(np.array(a), level)
    assert (above.tolist(), below.tolist()) == reference_crosses(a, [level] * len(a))


def test_infinite_inputs_are_skipped_like_nan() -> None:
    inf = math.inf
    above, below = crossings([1.0, inf, 5.0, 1.0], [3.0, inf, 3.0, 3.0])
    assert above.tolist() == [False, False, True, False]
    assert below.tolist() == [False, False, False, True]
