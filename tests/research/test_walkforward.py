"""Walk-forward windows never overlap train and test; the out-of-sample curve is stitched."""

from __future__ import annotations

import itertools
import threading

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.errors import BacktestError
from app.research.progress import Progress
from app.research.settings import ResearchSettings
from app.research.space import SearchSpace
from app.research.walkforward import make_splits, walk_forward
from app.strategies.builtin.sma_cross import SmaCross


@given(
    bars=st.integers(10, 5000),
    train=st.integers(2, 800),
    test=st.integers(2, 400),
    anchored=st.booleans(),
)
def test_windows_never_overlap_and_tests_are_contiguous(
    bars: int, train: int, test: int, anchored: bool
) -> None:
    try:
        splits = make_splits(bars, train, test, anchored=anchored)
    except BacktestError:
        assert train + max(2, test // 2) > bars
        return
    for split in splits:
        assert split.train_start < split.train_stop == split.test_start < split.test_stop <= bars
        assert split.train_stop - split.train_start == (
            train + (split.test_start - splits[0].test_start) if anchored else train
        )
        assert split.test_stop - split.test_start <= test
    for earlier, later in itertools.pairwise(splits):
        assert later.test_start == earlier.test_stop
        assert later.train_start == (0 if anchored else earlier.train_start + test)


def test_windows_that_do_not_fit_are_refused() -> None:
    with pytest.raises(BacktestError, match="shorter windows or more data"):
        make_splits(100, 100, 10)


@pytest.mark.parametrize("anchored", [False, True])
def test_out_of_sample_curve_covers_exactly_the_test_rows(
    btc_1h: pd.DataFrame, anchored: bool
) -> None:
    settings = ResearchSettings.create("sma_cross", size="0.1")
    space = SearchSpace.from_strategy(SmaCross, {"fast": "5:20:5", "slow": "30:90:30"})
    result = walk_forward(
        btc_1h, settings, space, train=1000, test=500, anchored=anchored, min_trades=3
    )
    splits = make_splits(len(btc_1h), 1000, 500, anchored=anchored)
    assert [step.split for step in result.steps] == splits
    expected = btc_1h["timestamp"].iloc[splits[0].test_start : splits[-1].test_stop].tolist()
    assert list(result.timestamps) == expected
    assert len(result.equity) == len(expected)
    assert result.equity[0] == pytest.approx(10_000.0)
    for step in result.steps:
        assert step.params is not None
        assert step.objective_in == step.in_sample["sharpe_ratio"]
    # The stitched return compounds the windows' own returns.
    growth = 1.0
    for step in result.steps:
        growth *= 1 + (step.out_of_sample["total_return_pct"] or 0.0) / 100
    assert result.oos_return_pct == pytest.approx((growth - 1) * 100)
    report = result.to_dict()
    assert report["steps"][0]["test"] == [1000, 1500]
    assert report["efficiency"] == result.efficiency


def test_a_window_without_a_qualifying_optimum_stays_in_cash(btc_1h: pd.DataFrame) -> None:
    settings = ResearchSettings.create("sma_cross", size="0.1")
    space = SearchSpace.from_strategy(SmaCross, {"fast": "5:10:5", "slow": "30"})
    result = walk_forward(btc_1h, settings, space, train=1000, test=1000, min_trades=10_000)
    assert all(step.params is None for step in result.steps)
    assert set(result.equity) == {10_000.0}
    assert result.efficiency is None


def test_progress_spans_every_split_and_cancel_keeps_finished_splits(
    btc_1h: pd.DataFrame,
) -> None:
    settings = ResearchSettings.create("sma_cross", size="0.1")
    space = SearchSpace.from_strategy(SmaCross, {"fast": "5:20:5", "slow": "30:90:30"})
    seen: list[Progress] = []
    walk_forward(btc_1h, settings, space, train=1000, test=1000, progress=seen.append)
    assert seen[-1].done == seen[-1].total == 2 * 12
    assert [report.done for report in seen] == sorted(report.done for report in seen)

    cancel = threading.Event()

    def stop_in_second_split(report: Progress) -> None:
        if report.done > 12:
            cancel.set()

    stopped = walk_forward(
        btc_1h, settings, space, train=1000, test=1000, progress=stop_in_second_split, cancel=cancel
    )
    assert stopped.cancelled
    assert len(stopped.steps) == 1
    assert len(stopped.equity) == 1000
