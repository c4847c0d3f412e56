"""Behaviour of the backtest engine on small hand-checked cases (DESIGN.md backtest semantics)."""

from __future__ import annotations

import json
from decimal import Decimal

import pandas as pd
import pytest

from app.backtest import run_backtest
from app.core.errors import BacktestError, StrategyError
from app.strategies.base import SignalFrame
from tests.backtest.helpers import FixedSignals, candles, flags


def test_signal_fills_at_next_open_and_fees_are_charged_per_fill() -> None:
    data = candles([10, 11, 12, 13, 14], closes=[10.5, 11.5, 12.5, 13.5, 14.5])
    result = run_backtest(
        FixedSignals(flags(5, 0), flags(5, 2)), data, size=1, cash=100, fee="0.01"
    )
    (trade,) = result.trades
    assert (trade.entry_bar, trade.entry_price) == (1, Decimal("11"))
    assert (trade.exit_bar, trade.exit_price) == (3, Decimal("13"))
    assert trade.fees == Decimal("0.24")
    assert trade.pnl == Decimal("1.76")
    assert result.final_equity == Decimal("101.76")
    # marked to market at every close: bought at 11 (+0.11 fee), close 11.5 -> 100.39
    assert result.equity.tolist() == pytest.approx([100, 100.39, 101.39, 101.76, 101.76])


def test_signal_on_last_bar_never_fills() -> None:
    data = candles([10, 11, 12])
    result = run_backtest(FixedSignals(flags(3, 2), flags(3)), data, size=1, cash=100, fee=0)
    assert result.trades == ()
    assert result.open_trade is None
    assert result.final_equity == Decimal(100)


def test_open_position_at_end_is_reported_open_and_marked_to_market() -> None:
    data = candles([10, 11, 12, 13], closes=[10, 11, 12, 15])
    result = run_backtest(FixedSignals(flags(4, 0), flags(4)), data, size=2, cash=100, fee="0.001")
    assert result.num_trades == 0
    held = result.open_trade
    assert held is not None
    assert (held.entry_price, held.qty, held.mark_price) == (Decimal(11), Decimal(2), Decimal(15))
    assert held.unrealised_pnl == Decimal("7.978")  # (15 - 11) x 2 - 0.022 entry fee
    assert result.final_equity == Decimal("107.978")
    assert result.to_dict()["open_trade"]["entry_time"] == int(data["timestamp"][1])


def test_buy_that_cash_cannot_cover_at_the_fill_is_refused() -> None:
    # affordable at the signal close (9.9 x 10), not at the next open (10.5 x 10)
    data = candles([10, 10.5, 10], closes=[9.9, 10, 10])
    result = run_backtest(FixedSignals(flags(3, 0), flags(3)), data, size=10, cash=100, fee=0)
    assert result.trades == () and result.open_trade is None
    (refused,) = result.rejected_orders
    assert refused.stage == "fill"
    assert refused.time == int(data["timestamp"][1])
    assert "insufficient cash" in refused.reason and "105" in refused.reason


def test_buy_refused_at_the_signal_close_counts_fees() -> None:
    # 10 x 10 = 100 is exactly the cash, but the 0.1 % fee makes it unaffordable
    data = candles([10, 9, 9])
    result = run_backtest(FixedSignals(flags(3, 0), flags(3)), data, size=10, cash=100, fee="0.001")
    (refused,) = result.rejected_orders
    assert (refused.stage, refused.time) == ("signal", int(data["timestamp"][0]))
    assert result.to_dict()["rejected_orders"][0]["reason"].startswith("insufficient cash")


def test_slippage_moves_fills_against_the_trader() -> None:
    data = candles([100, 100, 100, 100])
    result = run_backtest(
        FixedSignals(flags(4, 0), flags(4, 1)), data, size=1, cash=1000, fee=0, slippage_bps=50
    )
    (trade,) = result.trades
    assert trade.entry_price == Decimal("100.5")
    assert trade.exit_price == Decimal("99.5")
    assert trade.pnl == Decimal("-1.0")


def test_stop_loss_wins_when_stop_and_target_touch_in_one_bar() -> None:
    opens = [100, 100, 100, 100, 100]
    data = candles(opens, highs=[100, 100, 120, 100, 100], lows=[100, 100, 80, 100, 100])
    result = run_backtest(
        FixedSignals(flags(5, 0), flags(5)), data, size=1, cash=1000, fee=0,
        stop_loss_pct=5, take_profit_pct=10,
    )  # fmt: skip
    (trade,) = result.trades
    assert (trade.exit_bar, trade.exit_reason, trade.exit_price) == (2, "stop_loss", Decimal(95))


def test_gap_through_the_stop_fills_at_the_open() -> None:
    data = candles([100, 100, 90, 90], lows=[100, 99, 85, 90])
    result = run_backtest(
        FixedSignals(flags(4, 0), flags(4)), data, size=1, cash=1000, fee=0, stop_loss_pct=5
    )
    (trade,) = result.trades
    assert (trade.exit_bar, trade.exit_price) == (2, Decimal(90))


def test_take_profit_fills_at_the_target() -> None:
    data = candles([100, 100, 104, 104], highs=[100, 103, 111, 104])
    result = run_backtest(
        FixedSignals(flags(4, 0), flags(4)), data, size=1, cash=1000, fee=0, take_profit_pct=10
    )
    (trade,) = result.trades
    assert (trade.exit_bar, trade.exit_reason) == (2, "take_profit")
    assert trade.exit_price == Decimal(110)


def test_trailing_stop_follows_the_highest_high_before_the_bar() -> None:
    data = candles(
        [100, 100, 110, 118, 112],
        highs=[100, 110, 120, 119, 113],
        lows=[100, 99, 109, 114, 100],
    )
    result = run_backtest(
        FixedSignals(flags(5, 0), flags(5)), data, size=1, cash=1000, fee=0,
        trailing_stop_pct=5,
    )  # fmt: skip
    (trade,) = result.trades
    # best high before bar 3 is 120 -> stop 114 touched at bar 3
    assert (trade.exit_bar, trade.exit_reason, trade.exit_price) == (
        3,
        "trailing_stop",
        Decimal(114),
    )


def test_after_a_stop_a_new_entry_can_follow_on_the_same_bar_close() -> None:
    data = candles([100, 100, 100, 100, 100], lows=[100, 100, 90, 100, 100])
    result = run_backtest(
        FixedSignals(flags(5, 0, 2), flags(5)), data, size=1, cash=1000, fee=0, stop_loss_pct=5
    )
    assert result.trades[0].exit_bar == 2
    assert result.open_trade is not None and result.open_trade.entry_bar == 3


def test_long_short_reverses_on_an_opposite_signal() -> None:
    data = candles([100, 100, 110, 90, 95, 95])
    strategy = FixedSignals(
        flags(6, 0), flags(6), short_entries=flags(6, 1), short_exits=flags(6, 3)
    )
    result = run_backtest(strategy, data, size=1, cash=1000, fee=0, allow_short=True)
    long_trade, short_trade = result.trades
    assert (long_trade.side, long_trade.entry_price, long_trade.exit_price) == (
        "long",
        Decimal(100),
        Decimal(110),
    )
    assert (short_trade.side, short_trade.entry_bar, short_trade.exit_bar) == ("short", 2, 4)
    assert short_trade.pnl == Decimal(15)  # sold 110, bought back 95
    assert result.position.tolist() == [0, 1, -1, -1, 0, 0]


def test_short_signals_are_ignored_unless_shorting_is_allowed() -> None:
    data = candles([100, 100, 110, 90])
    strategy = FixedSignals(flags(4), flags(4), short_entries=flags(4, 0), short_exits=flags(4))
    result = run_backtest(strategy, data, size=1, cash=1000, fee=0)
    assert result.trades == () and result.open_trade is None


def test_percent_of_equity_sizing_rounds_down_to_the_step() -> None:
    data = candles([30, 30, 30], closes=[30, 30, 30])
    result = run_backtest(FixedSignals(flags(3, 0), flags(3)), data, stake_pct=50, cash=100, fee=0)
    assert result.open_trade is not None
    assert result.open_trade.qty == Decimal("1.66666666")
    assert result.sizing == "50 % of equity"


def test_fixed_quote_amount_sizing() -> None:
    data = candles([40, 40, 40])
    result = run_backtest(
        FixedSignals(flags(3, 0), flags(3)), data, stake_amount=100, cash=1000, fee=0
    )
    assert result.open_trade is not None and result.open_trade.qty == Decimal("2.5")


def test_to_dict_has_the_documented_keys_and_is_json() -> None:
    data = candles([10, 11, 12, 13, 14])
    result = run_backtest(
        FixedSignals(flags(5, 0), flags(5, 2)), data, size=1, cash=100, fee="0.001"
    )
    payload = json.loads(result.to_json())
    for key in (
        "strategy", "params", "bars", "initial_capital", "final_equity", "total_return_pct",
        "max_drawdown_pct", "max_drawdown_abs", "sharpe_ratio", "sortino_ratio",
        "win_rate_pct", "profit_factor", "num_trades", "fees_paid", "trades", "open_trade",
        "rejected_orders",
    ):  # fmt: skip
        assert key in payload
    trade = payload["trades"][0]
    assert set(trade) >= {
        "entry_time",
        "entry_price",
        "exit_time",
        "exit_price",
        "qty",
        "fees",
        "pnl",
    }
    assert isinstance(trade["entry_time"], int)
    assert (payload["bars"], payload["num_trades"], payload["strategy"]) == (5, 1, "fixed_signals")
    assert trade["pnl"] == pytest.approx(1.976)  # 13 - 11 - 0.011 - 0.013


def test_sizing_must_be_chosen_exactly_once() -> None:
    data = candles([10, 11, 12])
    strategy = FixedSignals(flags(3), flags(3))
    with pytest.raises(BacktestError, match="exactly one of size"):
        run_backtest(strategy, data)
    with pytest.raises(BacktestError, match="exactly one of size"):
        run_backtest(strategy, data, size=1, stake_pct=10)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"cash": 0}, "cash: must be greater than 0"),
        ({"fee": "0.7"}, "fee: must be a fraction"),
        ({"slippage_bps": -1}, "slippage_bps"),
        ({"stop_loss_pct": 150}, "stop_loss_pct"),
        ({"timeframe": "hourly"}, "timeframe"),
    ],
)
def test_invalid_settings_name_the_setting(settings: dict[str, object], message: str) -> None:
    strategy = FixedSignals(flags(3), flags(3))
    with pytest.raises(BacktestError, match=message):
        run_backtest(strategy, candles([10, 11, 12]), size=1, **settings)  # type: ignore[arg-type]


def test_bad_candles_are_reported() -> None:
    strategy = FixedSignals(flags(3), flags(3))
    data = candles([10, 11, 12])
    with pytest.raises(BacktestError, match="missing column"):
        run_backtest(strategy, data.drop(columns=["volume"]), size=1)
    unordered = data.iloc[[0, 2, 1]].reset_index(drop=True)
    with pytest.raises(BacktestError, match="strictly increasing"):
        run_backtest(strategy, unordered, size=1)
    broken = data.assign(close=[10.0, float("nan"), 12.0])
    with pytest.raises(BacktestError, match="close must be a positive number"):
        run_backtest(strategy, broken, size=1)


def test_strategy_with_wrong_signal_length_is_a_strategy_error() -> None:
    strategy = FixedSignals(flags(2), flags(2))
    with pytest.raises(StrategyError, match="one value per bar"):
        run_backtest(strategy, candles([10, 11, 12]), size=1)


def test_strategy_by_registry_name_with_params(data_dir: object) -> None:
    data = pd.read_csv(f"{data_dir}/btc_usdt_1h.csv")
    result = run_backtest("sma_cross", data, params={"fast": 5, "slow": 20}, size="0.1")
    assert result.params["fast"] == 5
    assert result.num_trades > 100
    with pytest.raises(StrategyError, match="fast"):
        run_backtest("sma_cross", data, params={"fast": 30, "slow": 20}, size="0.1")


def test_gaps_in_the_data_are_rows_not_clock_intervals() -> None:
    data = candles([10, 11, 12, 13, 14])
    # three hours missing between rows 1 and 2: the signal at row 1 still fills at row 2's open
    data.loc[2:, "timestamp"] += 3 * 3_600_000
    result = run_backtest(FixedSignals(flags(5, 1), flags(5, 3)), data, size=1, cash=100, fee=0)
    (trade,) = result.trades
    assert (trade.entry_time, trade.entry_price) == (int(data["timestamp"][2]), Decimal(12))
    assert result.timeframe_ms == 3_600_000  # the median step, not the gap
    assert result.metrics.periods_per_year == 8760


class _Broken(FixedSignals):
    def generate_signals(self, data: pd.DataFrame) -> SignalFrame:
        raise ZeroDivisionError("division by zero in my indicator")


def test_a_strategy_that_raises_is_reported_by_name() -> None:
    with pytest.raises(StrategyError, match="fixed_signals: computing signals failed: division"):
        run_backtest(_Broken(flags(3), flags(3)), candles([10, 11, 12]), size=1)
