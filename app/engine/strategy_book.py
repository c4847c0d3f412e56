"""A strategy instance's record and its book: position, round trips and in-flight orders."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.core.enums import OrderStatus, Side
from app.core.models import Fill, Order
from app.core.money import ZERO
from app.engine.specs import EngineTrade, StrategySpec
from app.engine.strategy_window import CandleWindow
from app.risk.sizing import Sizer
from app.strategies.base import BaseStrategy


@dataclass(slots=True)
class _RoundTrip:
    qty: Decimal = ZERO
    cost: Decimal = ZERO
    fee: Decimal = ZERO
    time: int = 0
    exit_qty: Decimal = ZERO
    exit_value: Decimal = ZERO
    exit_fee: Decimal = ZERO


class StrategyBook:
    """What one long-only strategy instance holds, from its own orders and fills.

    A round trip opens with the first buy fill from flat and closes when sells bring the
    position back to zero, or to dust (:meth:`write_off_dust`); its P&L is exit value - cost of
    the quantity sold - entry and exit fees, as in the backtest's trades. A buy whose fee is
    charged in the base coin adds what the account received (amount - fee) to the position;
    that fee is valued at the fill price, as :class:`~app.engine.portfolio.Portfolio` does.

    Args:
        strategy_id: the instance.
        symbol: the market it trades.
    """

    def __init__(self, strategy_id: str, symbol: str) -> None:
        self.strategy_id = strategy_id
        self.symbol = symbol
        self.position = ZERO
        self.realised = ZERO
        self.trades: list[EngineTrade] = []
        self.returns: list[Decimal] = []
        self._trip = _RoundTrip()
        self._filled: dict[str, Decimal] = {}
        self._pending: dict[str, Order] = {}

    @property
    def in_flight(self) -> bool:
        """True while an order may still fill or has fills not booked yet."""
        return bool(self._pending)

    def is_pending(self, client_order_id: str) -> bool:
        """True while the order may still fill or has fills not booked yet."""
        return client_order_id in self._pending

    def owns(self, client_order_id: str) -> bool:
        """True for orders this instance placed."""
        return client_order_id in self._filled

    def track(self, order: Order) -> None:
        """Follow an order of this instance (new, or an update of one)."""
        coid = order.client_order_id
        booked = self._filled.setdefault(coid, ZERO)
        settled = order.status.is_terminal and booked >= order.filled
        if settled or order.status is OrderStatus.REJECTED:
            self._pending.pop(coid, None)
        else:
            self._pending[coid] = order

    def book(self, fill: Fill) -> EngineTrade | None:
        """Book one fill of an order of this instance.

        Returns:
            The round trip this fill closed, or None.
        """
        coid = fill.client_order_id
        self._filled[coid] = self._filled.get(coid, ZERO) + fill.amount
        in_base = bool(fill.fee) and fill.fee_currency == fill.symbol.split("/")[0]
        fee = fill.fee * fill.price if in_base else fill.fee
        trip = self._trip
        closed = None
        if fill.side is Side.BUY:
            received = fill.amount - fill.fee if in_base else fill.amount
            if trip.qty == 0:
                trip.time = fill.timestamp
            trip.qty += received
            trip.cost += received * fill.price
            trip.fee += fee
            self.position += received
        else:
            trip.exit_qty += fill.amount
            trip.exit_value += fill.notional
            trip.exit_fee += fee
            self.position -= fill.amount
            if self.position <= 0 and trip.qty > 0:
                closed = self._close(fill.timestamp)
        pending = self._pending.get(coid)
        if pending is not None:
            self.track(pending)
        return closed

    @property
    def exiting(self) -> bool:
        """True when the open round trip has sold some of its position already."""
        return self._trip.exit_qty > 0

    def write_off_dust(self, timestamp: int) -> EngineTrade | None:
        """Close the round trip, leaving the rest of the position (dust) in the account.

        Returns:
            The round trip closed, or None when nothing was sold yet.
        """
        if self._trip.qty == 0 or self._trip.exit_qty == 0:
            self.position = ZERO
            self._trip = _RoundTrip()
            return None
        return self._close(timestamp)

    def unrealised(self, mark: Decimal | None) -> Decimal:
        """P&L of the open position at ``mark`` (before exit fees)."""
        trip = self._trip
        if self.position <= 0 or mark is None or trip.qty == 0:
            return ZERO
        return (mark - trip.cost / trip.qty) * self.position

    def _close(self, timestamp: int) -> EngineTrade:
        trip = self._trip
        cost = trip.cost if trip.exit_qty >= trip.qty else trip.cost * trip.exit_qty / trip.qty
        pnl = trip.exit_value - cost - trip.fee - trip.exit_fee
        trade = EngineTrade(
            strategy_id=self.strategy_id,
            symbol=self.symbol,
            qty=min(trip.qty, trip.exit_qty),
            entry_time=trip.time,
            entry_price=trip.cost / trip.qty,
            entry_fee=trip.fee,
            exit_time=timestamp,
            exit_price=trip.exit_value / trip.exit_qty,
            exit_fee=trip.exit_fee,
            pnl=pnl,
        )
        self.trades.append(trade)
        self.realised += pnl
        self.returns.append(pnl / cost)
        self._trip = _RoundTrip()
        self.position = ZERO
        return trade


@dataclass(slots=True)
class StrategyInstance:
    """One running strategy: its spec, strategy object, sizer, candle window and book."""

    strategy_id: str
    spec: StrategySpec
    strategy: BaseStrategy
    sizer: Sizer
    window: CandleWindow
    book: StrategyBook
    status: str = "running"
    detail: str = ""
    mark: Decimal | None = None
    needs_atr: bool = False
