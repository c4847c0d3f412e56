"""Accounting invariants on random markets and signals (hypothesis).

A plain per-bar Decimal simulator (the contract written out literally) is the reference: the
engine must produce the same trades, refusals, equity at every bar and final equity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.backtest import BacktestResult, run_backtest
from tests.backtest.helpers import FixedSignals, candles

ZERO = Decimal(0)
STEP = Decimal("0.00000001")


@dataclass
class Reference:
    """Per-bar Decimal simulation of the backtest contract (long only, fixed size)."""

    cash: Decimal
    fills: list[tuple[int, str, Decimal, Decimal]] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    equity: list[Decimal] = field(default_factory=list)
    position: Decimal = ZERO


def reference_run(
    opens: list[float],
    closes: list[float],
    entries: list[bool],
    exits: list[bool],
    qty: Decimal,
    cash: Decimal,
    fee: Decimal,
    stake_pct: Decimal | None,
    slippage_bps: Decimal,
) -> Reference:
    ref = Reference(cash=cash)
    pending: str | None = None
    order_qty = ZERO
    slip = slippage_bps / 10_000
    for bar, (open_f, close_f) in enumerate(zip(opens, closes, strict=True)):
        open_price, close = Decimal(repr(open_f)), Decimal(repr(close_f))
        if pending == "buy":
            price = open_price * (1 + slip)
            cost = order_qty * price * (1 + fee)
            if cost <= ref.cash:
                ref.cash -= cost
                ref.position = order_qty
                ref.fills.append((bar, "buy", price, order_qty, order_qty * price * fee))
            else:
                ref.refused.append((bar, "fill"))
        elif pending == "sell":
            price = open_price * (1 - slip)
            ref.cash += ref.position * price * (1 - fee)
            ref.fills.append((bar, "sell", price, ref.position, ref.position * price * fee))
            ref.position = ZERO
        pending = None
        ref.equity.append(ref.cash + ref.position * close)
        if bar == len(opens) - 1:
            break
        if ref.position == 0 and entries[bar]:
            order_qty = qty
            if stake_pct is not None:
                order_qty = (ref.cash * stake_pct / 100 / close).quantize(STEP, rounding=ROUND_DOWN)
            if order_qty > 0 and order_qty * close * (1 + fee) <= ref.cash:
                pending = "buy"
            else:
                ref.refused.append((bar, "signal"))
        elif ref.position > 0 and exits[bar]:
            pending = "sell"
    return ref


def engine_fills(result: BacktestResult) -> list[tuple[int, str, Decimal, Decimal, Decimal]]:
    fills = []
    for trade in result.trades:
        fills.append((trade.entry_bar, "buy", trade.entry_price, trade.qty, trade.entry_fee))
        fills.append((trade.exit_bar, "sell", trade.exit_price, trade.qty, trade.exit_fee))
    if result.open_trade is not None:
        held = result.open_trade
        fills.append((held.entry_bar, "buy", held.entry_price, held.qty, held.entry_fee))
    return fills


@st.composite
def markets(draw: st.DrawFn) -> dict[str, object]:
    n = draw(st.integers(min_value=2, max_value=60))
    cents = st.integers(min_value=100, max_value=20_000)
    opens = [draw(cents) / 100 for _ in range(n)]
    closes = [draw(cents) / 100 for _ in range(n)]
    return {
        "opens": opens,
        "closes": closes,
        "entries": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        "exits": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        "qty": draw(st.sampled_from([Decimal("0.5"), Decimal(1), Decimal(3), Decimal("0.001")])),
        "cash": Decimal(draw(st.integers(min_value=50, max_value=2_000))),
        "fee": draw(st.sampled_from([ZERO, Decimal("0.001"), Decimal("0.0025"), Decimal("0.01")])),
        "stake_pct": draw(st.sampled_from([None, None, Decimal(10), Decimal(50), Decimal(99)])),
        "slippage_bps": draw(st.sampled_from([ZERO, ZERO, Decimal(5), Decimal("12.5")])),
    }


def run_engine(market: dict[str, object]) -> BacktestResult:
    opens, closes = market["opens"], market["closes"]
    assert isinstance(opens, list) and isinstance(closes, list)
    data = candles(
        opens,
        closes,
        highs=np.maximum(opens, closes).tolist(),
        lows=np.minimum(opens, closes).tolist(),
    )
    strategy = FixedSignals(market["entries"], market["exits"])  # type: ignore[arg-type]
    sizing = {"size": market["qty"]}
    if market["stake_pct"] is not None:
        sizing = {"stake_pct": market["stake_pct"]}
    return run_backtest(
        strategy,
        data,
        cash=market["cash"],  # type: ignore[arg-type]
        fee=market["fee"],  # type: ignore[arg-type]
        slippage_bps=market["slippage_bps"],  # type: ignore[arg-type]
        **sizing,  # type: ignore[arg-type]
    )


@settings(max_examples=120, deadline=None)
@given(markets())
def test_engine_matches_the_per_bar_decimal_reference(market: dict[str, object]) -> None:
    result = run_engine(market)
    ref = reference_run(**market)  # type: ignore[arg-type]
    assert engine_fills(result) == ref.fills
    refused = [(order.time, order.stage) for order in result.rejected_orders]
    times = result.timestamp
    assert refused == [(int(times[bar]), stage) for bar, stage in ref.refused]
    assert result.final_equity == ref.equity[-1]
    # the equity curve is float64 market data: equal to the Decimal one far below a cent
    expected = np.array([float(value) for value in ref.equity])
    np.testing.assert_allclose(result.equity, expected, rtol=1e-12, atol=1e-9)


@settings(max_examples=120, deadline=None)
@given(markets())
def test_equity_is_cash_plus_position_times_close_at_every_bar(market: dict[str, object]) -> None:
    result = run_engine(market)
    np.testing.assert_array_equal(result.equity, result.cash + result.position * result.close)
    # the position is exactly the open trade's quantity while it is held
    held = np.zeros(result.bars)
    for trade in result.trades:
        held[trade.entry_bar : trade.exit_bar] = float(trade.qty)
    if result.open_trade is not None:
        held[result.open_trade.entry_bar :] = float(result.open_trade.qty)
    np.testing.assert_array_equal(result.position, held)


@settings(max_examples=120, deadline=None)
@given(markets())
def test_fees_and_pnl_agree_with_a_decimal_recomputation(market: dict[str, object]) -> None:
    result = run_engine(market)
    fee = result.config.fee
    total_fees = ZERO
    for trade in result.trades:
        entry_fee = trade.qty * trade.entry_price * fee
        exit_fee = trade.qty * trade.exit_price * fee
        assert (trade.entry_fee, trade.exit_fee) == (entry_fee, exit_fee)
        gross = (trade.exit_price - trade.entry_price) * trade.qty
        assert trade.pnl == gross - entry_fee - exit_fee
        total_fees += entry_fee + exit_fee
    open_pnl = ZERO
    if result.open_trade is not None:
        held = result.open_trade
        assert held.entry_fee == held.qty * held.entry_price * fee
        total_fees += held.entry_fee
        open_pnl = held.unrealised_pnl
    assert result.fees_paid == total_fees
    realised = sum((trade.pnl for trade in result.trades), ZERO)
    assert result.final_equity == result.initial_capital + realised + open_pnl


@settings(max_examples=120, deadline=None)
@given(markets())
def test_no_fill_ever_exceeds_available_cash(market: dict[str, object]) -> None:
    result = run_engine(market)
    cash = result.initial_capital
    fee = result.config.fee
    events = []
    for trade in result.trades:
        events.append((trade.entry_bar, 0, trade.qty * trade.entry_price * (1 + fee)))
        events.append((trade.exit_bar, 1, -(trade.qty * trade.exit_price * (1 - fee))))
    if result.open_trade is not None:
        held = result.open_trade
        events.append((held.entry_bar, 0, held.qty * held.entry_price * (1 + fee)))
    for _, kind, spent in sorted(events, key=lambda item: (item[0], -item[1])):
        if kind == 0:
            assert spent <= cash
        cash -= spent
        assert cash >= 0
    assert (result.cash >= 0).all()


@st.composite
def markets_with_stops(draw: st.DrawFn) -> dict[str, object]:
    market = draw(markets())
    n = len(market["opens"])  # type: ignore[arg-type]
    market["short_entries"] = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    market["short_exits"] = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    market["wicks"] = draw(st.lists(st.integers(0, 800), min_size=2 * n, max_size=2 * n))
    pct = st.sampled_from([None, Decimal(2), Decimal(5), Decimal(20)])
    market["stops"] = (draw(pct), draw(pct), draw(pct))
    return market


@settings(max_examples=150, deadline=None)
@given(markets_with_stops())
def test_long_short_with_stops_keeps_the_books_exact(market: dict[str, object]) -> None:
    opens, closes = market["opens"], market["closes"]
    wicks = market["wicks"]
    assert isinstance(opens, list) and isinstance(closes, list) and isinstance(wicks, list)
    n = len(opens)
    highs = [max(o, c) + wicks[i] / 100 for i, (o, c) in enumerate(zip(opens, closes, strict=True))]
    lows = [
        max(min(o, c) - wicks[n + i] / 100, 0.01)
        for i, (o, c) in enumerate(zip(opens, closes, strict=True))
    ]
    data = candles(opens, closes, highs=highs, lows=lows)
    strategy = FixedSignals(
        market["entries"],
        market["exits"],
        market["short_entries"],
        market["short_exits"],  # type: ignore[arg-type]
    )
    stop, target, trailing = market["stops"]  # type: ignore[misc]
    result = run_backtest(
        strategy, data, size=market["qty"], cash=market["cash"], fee=market["fee"],  # type: ignore[arg-type]
        allow_short=True, stop_loss_pct=stop, take_profit_pct=target, trailing_stop_pct=trailing,
    )  # fmt: skip
    fee = result.config.fee
    for trade in result.trades:
        # every fill happens inside its bar's range (no slippage here)
        for bar, price in (
            (trade.entry_bar, trade.entry_price),
            (trade.exit_bar, trade.exit_price),
        ):
            assert Decimal(repr(lows[bar])) <= price <= Decimal(repr(highs[bar]))
        sign = 1 if trade.side == "long" else -1
        gross = (trade.exit_price - trade.entry_price) * trade.qty * sign
        assert trade.entry_fee == trade.qty * trade.entry_price * fee
        assert trade.exit_fee == trade.qty * trade.exit_price * fee
        assert trade.pnl == gross - trade.entry_fee - trade.exit_fee
        if trade.exit_reason == "stop_loss":
            assert stop is not None
            level = trade.entry_price * (1 - sign * stop / 100)
            assert (trade.exit_price <= level) if sign == 1 else (trade.exit_price >= level)
        if trade.exit_reason == "take_profit":
            assert target is not None
            level = trade.entry_price * (1 + sign * target / 100)
            assert (trade.exit_price >= level) if sign == 1 else (trade.exit_price <= level)
    open_pnl = ZERO if result.open_trade is None else result.open_trade.unrealised_pnl
    realised = sum((trade.pnl for trade in result.trades), ZERO)
    assert result.final_equity == result.initial_capital + realised + open_pnl
    np.testing.assert_array_equal(result.equity, result.cash + result.position * result.close)
    assert float(result.final_equity) == pytest.approx(float(result.equity[-1]), abs=1e-6)
