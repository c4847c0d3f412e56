"""Remembered indicators: a hit needs inputs equal in content, and nothing can poison it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from app.indicators import macd, sma
from app.indicators.memo import IndicatorMemo, remembered


@pytest.fixture
def close() -> np.ndarray:
    return np.random.default_rng(7).normal(100.0, 5.0, 2_000)


def test_an_equal_copy_of_the_input_is_answered_from_memory(close: np.ndarray) -> None:
    memo = IndicatorMemo()
    with remembered(memo):
        first = sma(close, 20)
        again = sma(close.copy(), 20)
    assert memo.misses == 1 and memo.hits == 1
    np.testing.assert_array_equal(again, first)
    np.testing.assert_array_equal(again, sma(close, 20))


def test_different_data_or_parameters_are_computed_afresh(close: np.ndarray) -> None:
    memo = IndicatorMemo()
    changed = close.copy()
    changed[-1] += 0.01
    with remembered(memo):
        sma(close, 20)
        other = sma(changed, 20)
        longer = sma(close, 21)
    assert memo.hits == 0 and memo.misses == 3
    assert other[-1] != sma(close, 20)[-1]
    np.testing.assert_array_equal(longer, sma(close, 21))


def test_nan_warm_up_in_the_input_still_matches(close: np.ndarray) -> None:
    memo = IndicatorMemo()
    with remembered(memo):
        inner = sma(close, 5)
        sma(inner, 10)
        sma(inner.copy(), 10)
    assert memo.hits == 1


def test_mutating_a_result_or_the_input_cannot_poison_the_memory(close: np.ndarray) -> None:
    memo = IndicatorMemo()
    expected = sma(close, 20)
    mine = close.copy()
    with remembered(memo):
        first = sma(mine, 20)
        first[:] = 0.0
        mine[:] = 1.0
        np.testing.assert_array_equal(sma(close, 20), expected)
        np.testing.assert_array_equal(sma(mine, 20)[-1], 1.0)
    assert memo.hits == 1


def test_tuple_results_come_back_as_private_copies(close: np.ndarray) -> None:
    memo = IndicatorMemo()
    with remembered(memo):
        line, signal, hist = macd(close, 12, 26, 9)
        line[:] = 0.0
        again = macd(close, 12, 26, 9)
    assert memo.hits == 1
    np.testing.assert_array_equal(again[0], macd(close, 12, 26, 9)[0])
    np.testing.assert_array_equal(again[1], signal)
    np.testing.assert_array_equal(again[2], hist)


def test_a_bad_parameter_still_raises_after_an_equal_valued_good_call(close: np.ndarray) -> None:
    memo = IndicatorMemo()
    with remembered(memo):
        sma(close, 10)
        with pytest.raises(ValueError, match="whole number"):
            sma(close, 10.0)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="at least 1"):
            sma(close, 0)
    assert len(memo) == 1


def test_memory_stays_within_its_budget(close: np.ndarray) -> None:
    per_entry = close.nbytes * 2
    memo = IndicatorMemo(budget_bytes=3 * per_entry)
    with remembered(memo):
        for period in range(2, 12):
            sma(close, period)
        assert len(memo) == 3 and memo.size_bytes <= 3 * per_entry
        sma(close, 11)
        sma(close, 2)
    assert memo.hits == 1 and memo.misses == 11


def test_outside_the_block_nothing_is_remembered(close: np.ndarray) -> None:
    memo = IndicatorMemo()
    with remembered(memo):
        sma(close, 20)
    sma(close, 20)
    assert memo.misses == 1 and memo.hits == 0


def test_threads_sharing_one_memory_get_correct_results(close: np.ndarray) -> None:
    memo = IndicatorMemo(budget_bytes=6 * close.nbytes * 2)
    periods = [2 + index % 9 for index in range(400)]
    expected = {period: sma(close, period) for period in set(periods)}

    def compute(period: int) -> bool:
        with remembered(memo):
            return bool(np.array_equal(sma(close, period), expected[period], equal_nan=True))

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(compute, periods))
    assert memo.hits + memo.misses == len(periods)
