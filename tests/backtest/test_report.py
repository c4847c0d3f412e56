"""The HTML report is self-contained and shows the metrics, charts and every trade."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from app.backtest import run_backtest
from app.backtest.report import render_html, write_html_report
from app.core.errors import BacktestError
from app.core.time import format_ms
from app.risk.limits import RiskLimits
from app.risk.manager import RiskManager
from tests.backtest.helpers import FixedSignals, falling_day, flags


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.links.append(value)


def test_report_has_charts_metrics_and_trades_and_loads_nothing(
    data_dir: Path, tmp_path: Path
) -> None:
    candles = pd.read_csv(data_dir / "btc_usdt_1h.csv")
    result = run_backtest("sma_cross", candles, size="0.1", cash=3_000)
    path = write_html_report(result, tmp_path / "report.html")
    text = path.read_text(encoding="utf-8")
    parsed = _Collector()
    parsed.feed(text)
    assert "script" not in parsed.tags
    assert parsed.links == []  # nothing fetched: no network, no external files
    assert parsed.tags.count("svg") == 3  # price with trades, equity, drawdown
    for heading in ("Sharpe ratio", "Max drawdown", "Win rate", "Refused orders", "Fees paid"):
        assert heading in text
    # every fill is a marker on the price chart, every trade a table row
    markers = re.findall(r"<polygon ", text)
    assert len(markers) == 2 * result.num_trades + (result.open_trade is not None)
    first = result.trades[0]
    assert format_ms(first.entry_time) in text and str(first.entry_price) in text
    assert text.count("insufficient cash") == len(result.rejected_orders) > 0


def test_report_of_a_long_run_stays_small(data_dir: Path) -> None:
    candles = pd.read_csv(data_dir / "btc_usdt_5m.csv")
    result = run_backtest(
        "sma_cross", candles, params={"fast": 2, "slow": 5}, size="0.1", cash=10**6
    )
    assert result.num_trades > 2_000
    text = render_html(result)
    assert len(text) < 3_000_000
    assert "Showing the first 2,000" in text  # the table is capped, the JSON has all trades


def test_unwritable_report_path_is_a_clear_error(tmp_path: Path, data_dir: Path) -> None:
    candles = pd.read_csv(data_dir / "eth_btc_5m.csv")
    result = run_backtest("sma_cross", candles, size="0.1")
    with pytest.raises(BacktestError, match="cannot write"):
        write_html_report(result, tmp_path / "missing" / "report.html")


def test_report_lists_risk_refusals_and_halted_periods() -> None:
    strategy = FixedSignals(flags(30, 0, 6, 25), flags(30, 3))
    manager = RiskManager(RiskLimits(daily_loss_pct=Decimal(1)))
    result = run_backtest(strategy, falling_day(), size=1, cash=1000, fee=0, risk=manager)
    text = render_html(result)
    for heading in ("Refused orders", "Risk events", "Halted periods"):
        assert f"<h2>{heading}</h2>" in text
    assert "risk.daily_loss_pct" in text
    assert "2021-01-01 02:00" in text and "2021-01-02 00:00" in text  # the halted span
