"""The lookahead check flags strategies that peek at future bars and passes honest ones."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest

from app.backtest.lookahead import check_lookahead
from app.strategies.base import BaseStrategy, Parameter, SignalFrame
from app.strategies.registry import default_registry


class PeeksAtNextClose(BaseStrategy):
    """Buys when the NEXT close is higher: a classic lookahead bug (shift(-1))."""

    name: ClassVar[str] = "peeks"
    title: ClassVar[str] = "Peeks"
    description: ClassVar[str] = "Uses tomorrow's close."

    @classmethod
    def get_parameters(cls) -> tuple[Parameter, ...]:
        """No parameters."""
        return ()

    def generate_signals(self, data: pd.DataFrame) -> SignalFrame:
        """Entry when the next close is higher, exit when it is lower."""
        close = data["close"]
        following = close.shift(-1)
        return SignalFrame(
            entries=(following > close).to_numpy(dtype=bool),
            exits=(following < close).to_numpy(dtype=bool),
        )


@pytest.fixture()
def btc_1h(data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(data_dir / "btc_usdt_1h.csv").iloc[:1500].reset_index(drop=True)


def test_a_peeking_strategy_is_flagged_with_the_signals_that_change(btc_1h: pd.DataFrame) -> None:
    report = check_lookahead(PeeksAtNextClose(), btc_1h)
    assert report.peeks
    times = btc_1h["timestamp"].to_numpy()
    for change in report.changes:
        # with data up to that bar, the next close is unknown, so the signal vanishes
        assert change.full and not change.prefix
        assert change.seen_at == change.time == times[change.bar]
    entries = {change.bar for change in report.changes if change.signal == "entries"}
    assert len(entries) > 20
    assert report.to_dict()["peeks"] is True


@pytest.mark.parametrize("name", ["sma_cross", "rsi_revert"])
def test_built_in_strategies_pass(name: str, btc_1h: pd.DataFrame) -> None:
    report = check_lookahead(default_registry().create(name), btc_1h)
    assert report.prefixes_checked > 20
    assert report.changes == ()


def test_prefix_count_is_capped(btc_1h: pd.DataFrame) -> None:
    report = check_lookahead(PeeksAtNextClose(), btc_1h, max_prefixes=10)
    assert report.prefixes_checked == 10
    # this strategy only loses the signal of each prefix's last bar: at most one per prefix
    assert 0 < len(report.changes) <= 10
    assert len({change.seen_at for change in report.changes}) == len(report.changes)
