"""Properties every built-in strategy must have: causal signals, honest warm-up, valid schema."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.strategies import BaseStrategy
from app.strategies.builtin import BUILTIN_STRATEGIES

CUTS = (1, 40, 333, 1000, 2500, 4999)


@pytest.fixture(params=BUILTIN_STRATEGIES, ids=lambda cls: cls.name)
def strategy(request: pytest.FixtureRequest) -> BaseStrategy:
    cls: type[BaseStrategy] = request.param
    return cls()


def test_schema_is_valid_and_documented(strategy: BaseStrategy) -> None:
    assert type(strategy).schema_problems() == []
    assert strategy.title
    assert strategy.description
    assert all(parameter.description for parameter in strategy.get_parameters())


def test_signals_never_depend_on_future_rows(strategy: BaseStrategy, btc_1h: pd.DataFrame) -> None:
    full = strategy.generate_signals(btc_1h)
    assert full.entries.any()
    assert full.exits.any()
    for cut in CUTS:
        prefix = strategy.generate_signals(btc_1h.iloc[:cut].reset_index(drop=True))
        np.testing.assert_array_equal(prefix.entries, full.entries[:cut], err_msg=f"cut {cut}")
        np.testing.assert_array_equal(prefix.exits, full.exits[:cut], err_msg=f"cut {cut}")


def test_no_signal_before_warmup(strategy: BaseStrategy, btc_1h: pd.DataFrame) -> None:
    signals = strategy.generate_signals(btc_1h)
    warmup = strategy.warmup_bars
    assert warmup > 0
    assert not signals.entries[:warmup].any()
    assert not signals.exits[:warmup].any()
    assert not signals.has_shorts


def test_entries_and_exits_never_share_a_bar(strategy: BaseStrategy, btc_1h: pd.DataFrame) -> None:
    signals = strategy.generate_signals(btc_1h)
    assert not (signals.entries & signals.exits).any()


def test_empty_and_short_data_give_no_signals(strategy: BaseStrategy, btc_1h: pd.DataFrame) -> None:
    for rows in (0, 1, 5):
        signals = strategy.generate_signals(btc_1h.iloc[:rows])
        assert len(signals) == rows
        assert not signals.entries.any()
