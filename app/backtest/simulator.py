"""Event-driven fill simulation that only visits signal and trade events, never every bar.

Contract (DESIGN.md "Backtest semantics"): a signal at the close of bar t fills a market order at
the open of bar t+1 (plus adverse slippage); a signal on the last bar never fills; fees are a
fraction of each fill's notional; a buy (or short sale) that cash cannot cover is refused when
the order is created and again at the fill; stops trigger intrabar (stop wins when both could).
Money (cash, quantities, fees, P&L) is Decimal; the equity curve is float64 market data.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from app.backtest.data import BoolArray, CandleArrays
from app.backtest.interfaces import (
    OrderGate,
    SignalArrays,
    SimulationOutput,
    TradeReturns,
    price_of,
)
from app.backtest.sizing import SizeRule
from app.backtest.stops import StopRule, find_stop
from app.backtest.trades import OpenTrade, RejectedOrder, Trade
from app.core.enums import Side
from app.core.money import ZERO


@dataclass(slots=True)
class _Position:
    side: int
    qty: Decimal
    entry_bar: int
    entry_price: Decimal
    entry_price_f: float
    entry_fee: Decimal


@dataclass(slots=True)
class Simulation:
    """One run of the event loop over precomputed signals.

    Args:
        candles: the bars.
        signals: boolean signal arrays, same length as the bars.
        cash: initial capital.
        fee: fee fraction per fill.
        slippage: adverse slippage as a fraction of price.
        size_rule: quantity of each entry.
        stops: stop distances.
        allow_short: whether short signals open short positions.
        gate: extra pre-trade checks, or None.
    """

    candles: CandleArrays
    signals: SignalArrays
    cash: Decimal
    fee: Decimal
    slippage: Decimal
    size_rule: SizeRule
    stops: StopRule
    allow_short: bool
    gate: OrderGate | None = None
    trades: list[Trade] = field(default_factory=list)
    rejected: list[RejectedOrder] = field(default_factory=list)
    fees_paid: Decimal = ZERO
    _position: _Position | None = None
    _changes: list[tuple[int, float, float]] = field(default_factory=list)
    _returns: TradeReturns | None = None
    _fee_factor: Decimal = ZERO

    def run(self) -> SimulationOutput:
        """Simulate every bar and return the trades and the account path."""
        n = len(self.candles)
        signals = self.signals
        shorts = self.allow_short and signals.short_entries is not None
        short_entries = signals.short_entries if shorts else None
        long_exit_mask = signals.exits if short_entries is None else signals.exits | short_entries
        short_exit_mask = signals.entries
        if shorts and signals.short_exits is not None:
            short_exit_mask = signals.short_exits | signals.entries
        entry_index = _indices(signals.entries)
        short_index = _indices(short_entries) if short_entries is not None else []
        exit_index = {1: _indices(long_exit_mask), -1: _indices(short_exit_mask)}
        initial = self.cash
        self._changes = [(0, float(initial), 0.0)]
        self._returns = TradeReturns(self.trades)
        self._fee_factor = 1 + self.fee
        bar = 0
        while True:
            found = _next_entry(entry_index, short_index, bar)
            if found is None or found[0] >= n - 1:
                break
            signal_bar, side = found
            if not self._open(side, signal_bar):
                bar = signal_bar + 1
                continue
            next_bar = self._hold(exit_index, short_entries)
            if next_bar is None:
                break
            bar = next_bar
        return self._output()

    # ------------------------------------------------------------------ holding
    def _hold(
        self, exit_index: dict[int, list[int]], short_entries: BoolArray | None
    ) -> int | None:
        """Follow the open position to its exit; the bar from which to look for entries next."""
        n = len(self.candles)
        while True:
            position = self._position
            assert position is not None
            exits = exit_index[position.side]
            segment_start = position.entry_bar
            while True:
                at = bisect.bisect_left(exits, segment_start)
                exit_bar = exits[at] if at < len(exits) else None
                last = n - 1 if exit_bar is None else exit_bar
                if self.stops.active:
                    hit = find_stop(
                        self.stops,
                        position.side == 1,
                        position.entry_price_f,
                        position.entry_bar,
                        segment_start,
                        last,
                        (self.candles.high, self.candles.low),
                    )
                    if hit is not None:
                        open_price = price_of(self.candles.open.item(hit.bar))
                        level = self.stops.fill_price(
                            hit, position.side == 1, position.entry_price, open_price
                        )
                        self._close(hit.bar, self._slip(level, buy=position.side == -1), hit.reason)
                        return hit.bar
                if exit_bar is None or exit_bar >= n - 1:
                    return None
                approved = self._exit_quantity(exit_bar)
                if approved >= position.qty:
                    break
                if approved > 0:  # the risk manager resized the exit: close that part now
                    fill_bar = exit_bar + 1
                    price = self._open_price(fill_bar, buy=position.side == -1)
                    self._close(fill_bar, price, "signal", approved)
                segment_start = exit_bar + 1
            fill_bar = exit_bar + 1
            was_long = position.side == 1
            self._close(fill_bar, self._open_price(fill_bar, buy=not was_long), "signal")
            reverse = was_long and short_entries is not None and bool(short_entries[exit_bar])
            reverse = reverse or (not was_long and bool(self.signals.entries[exit_bar]))
            if not (reverse and self._open(-1 if was_long else 1, exit_bar)):
                return fill_bar

    def _exit_quantity(self, signal_bar: int) -> Decimal:
        """Quantity the exit signal at ``signal_bar`` may close (0 when refused)."""
        position = self._position
        assert position is not None
        if self.gate is None:
            return position.qty
        self._sync(signal_bar)
        side = Side.SELL if position.side == 1 else Side.BUY
        price = price_of(self.candles.close.item(signal_bar))
        signed = position.qty * position.side
        approved, reason = self.gate.approve(
            signal_bar, side, position.qty, price, self.cash, signed
        )
        if approved <= 0:
            self._reject(signal_bar, side, position.qty, price, "risk", reason)
        return approved

    # ------------------------------------------------------------------ fills
    def _open(self, side: int, signal_bar: int) -> bool:
        """Create the entry order at the signal close and fill it at the next open."""
        order_side = Side.BUY if side == 1 else Side.SELL
        reference = price_of(self.candles.close.item(signal_bar))
        assert self._returns is not None
        qty = self.size_rule.quantity(self.cash, reference, self._returns)
        if qty <= 0:
            self._reject(
                signal_bar,
                order_side,
                qty,
                reference,
                "signal",
                f"position size is 0 at price {reference} ({self.size_rule.describe()})",
            )
            return False
        if qty * reference * self._fee_factor > self.cash:
            self._refuse_unaffordable(signal_bar, order_side, qty, reference, "signal")
            return False
        if self.gate is not None:
            self._sync(signal_bar)
            approved, reason = self.gate.approve(
                signal_bar, order_side, qty, reference, self.cash, ZERO
            )
            if approved <= 0:
                self._reject(signal_bar, order_side, qty, reference, "risk", reason)
                return False
            qty = approved
        fill_bar = signal_bar + 1
        price = price_of(self.candles.open.item(fill_bar))
        if self.slippage:
            price = self._slip(price, buy=side == 1)
        notional = qty * price
        fee = notional * self.fee
        if notional + fee > self.cash:
            self._refuse_unaffordable(fill_bar, order_side, qty, price, "fill")
            return False
        if self.gate is not None:
            self._sync(fill_bar - 1)
        self.cash = self.cash - notional - fee if side == 1 else self.cash + notional - fee
        self.fees_paid += fee
        self._position = _Position(side, qty, fill_bar, price, float(price), fee)
        self._changes.append((fill_bar, float(self.cash), float(qty) * side))
        return True

    def _close(self, bar: int, price: Decimal, reason: str, qty: Decimal | None = None) -> None:
        """Close the position (or ``qty`` of it) at ``price`` during ``bar``."""
        position = self._position
        assert position is not None
        if self.gate is not None:
            self._sync(bar - 1)
        part = position.qty if qty is None else qty
        entry_fee = position.entry_fee
        if part != position.qty:  # the entry fee is shared pro rata between the parts
            entry_fee = position.entry_fee * part / position.qty
        notional = part * price
        fee = notional * self.fee
        if position.side == 1:
            self.cash += notional - fee
            gross = (price - position.entry_price) * part
        else:
            self.cash -= notional + fee
            gross = (position.entry_price - price) * part
        self.fees_paid += fee
        trade = Trade(
            side="long" if position.side == 1 else "short",
            qty=part,
            entry_bar=position.entry_bar,
            entry_time=self.candles.timestamp.item(position.entry_bar),
            entry_price=position.entry_price,
            entry_fee=entry_fee,
            exit_bar=bar,
            exit_time=self.candles.timestamp.item(bar),
            exit_price=price,
            exit_fee=fee,
            pnl=gross - entry_fee - fee,
            exit_reason=reason,
        )
        self.trades.append(trade)
        remaining = position.qty - part
        if remaining > 0:
            position.qty = remaining
            position.entry_fee -= entry_fee
            self._changes.append((bar, float(self.cash), float(remaining) * position.side))
        else:
            self._position = None
            self._changes.append((bar, float(self.cash), 0.0))
        if self.gate is not None:
            self.gate.trade_closed(trade)

    def _refuse_unaffordable(
        self, bar: int, side: Side, qty: Decimal, price: Decimal, stage: str
    ) -> None:
        needed = qty * price * self._fee_factor
        where = "the signal close" if stage == "signal" else "the fill open"
        self._reject(
            bar,
            side,
            qty,
            price,
            stage,
            f"insufficient cash at {where}: {side.value} {qty} at {price} needs {needed:.2f} "
            f"including fees, cash is {self.cash:.2f}",
        )

    def _open_price(self, bar: int, *, buy: bool) -> Decimal:
        """Market fill price at the open of ``bar``, slippage included."""
        return self._slip(price_of(self.candles.open.item(bar)), buy=buy)

    def _slip(self, price: Decimal, *, buy: bool) -> Decimal:
        if not self.slippage:
            return price
        return price * (1 + self.slippage) if buy else price * (1 - self.slippage)

    def _reject(
        self, bar: int, side: Side, qty: Decimal, price: Decimal, stage: str, reason: str
    ) -> None:
        time = self.candles.timestamp.item(bar)
        self.rejected.append(RejectedOrder(time, side.value, qty, price, stage, reason))

    # ------------------------------------------------------------------ account path
    def _sync(self, bar: int) -> None:
        if self.gate is not None and bar >= 0:
            position = self._position
            signed = ZERO if position is None else position.qty * position.side
            self.gate.advance(bar, self.cash, signed)

    def _output(self) -> SimulationOutput:
        n = len(self.candles)
        self._sync(n - 1)
        bars = np.fromiter((item[0] for item in self._changes), dtype=np.int64)
        lengths = np.diff(np.append(bars, n))
        cash = np.repeat(np.array([item[1] for item in self._changes]), lengths)
        position = np.repeat(np.array([item[2] for item in self._changes]), lengths)
        equity = cash + position * self.candles.close
        open_trade = None
        final_position = ZERO
        if self._position is not None:
            held = self._position
            final_position = held.qty * held.side
            open_trade = OpenTrade(
                side="long" if held.side == 1 else "short",
                qty=held.qty,
                entry_bar=held.entry_bar,
                entry_time=self.candles.timestamp.item(held.entry_bar),
                entry_price=held.entry_price,
                entry_fee=held.entry_fee,
                mark_price=price_of(self.candles.close.item(n - 1)),
            )
        return SimulationOutput(
            trades=self.trades,
            open_trade=open_trade,
            rejected=self.rejected,
            cash=cash,
            position=position,
            equity=equity,
            final_cash=self.cash,
            final_position=final_position,
            fees_paid=self.fees_paid,
        )


def _indices(mask: BoolArray | None) -> list[int]:
    if mask is None:
        return []
    result: list[int] = np.flatnonzero(mask).tolist()
    return result


def _next_entry(longs: Sequence[int], shorts: Sequence[int], start: int) -> tuple[int, int] | None:
    """Earliest entry signal at or after ``start``: (bar, +1 long / -1 short); long wins ties."""
    at = bisect.bisect_left(longs, start)
    long_bar = longs[at] if at < len(longs) else None
    short_bar = None
    if shorts:
        at = bisect.bisect_left(shorts, start)
        short_bar = shorts[at] if at < len(shorts) else None
    if long_bar is None and short_bar is None:
        return None
    if short_bar is None or (long_bar is not None and long_bar <= short_bar):
        assert long_bar is not None
        return long_bar, 1
    return short_bar, -1
