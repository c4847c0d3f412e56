"""Frozen value objects of the trading domain.

Candles are market data (floats). Everything on the order path (prices, quantities, fees,
balances, P&L) is :class:`~decimal.Decimal`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from app.core.enums import OrderStatus, OrderType, Side, SignalAction, TimeInForce
from app.core.money import ZERO, is_multiple_of, round_amount, round_price


@dataclass(frozen=True, slots=True)
class Candle:
    """One OHLCV bar; ``timestamp`` is the bar's open time in ms UTC."""

    timestamp: int
    open: float
    high: float
    low: float
    close: float
    volume: float


@dataclass(frozen=True, slots=True)
class Market:
    """Trading rules of one symbol on one exchange.

    ``tick_size`` is the price increment, ``step_size`` the quantity increment,
    ``min_notional`` the smallest price x quantity the exchange accepts.
    """

    symbol: str
    base: str
    quote: str
    tick_size: Decimal
    step_size: Decimal
    min_notional: Decimal = ZERO
    min_amount: Decimal = ZERO
    max_amount: Decimal | None = None
    maker_fee: Decimal = Decimal("0.001")
    taker_fee: Decimal = Decimal("0.001")
    active: bool = True

    def round_price(self, price: Decimal) -> Decimal:
        """Price rounded to the nearest tick."""
        return round_price(price, self.tick_size)

    def round_amount(self, amount: Decimal) -> Decimal:
        """Quantity rounded down to the step size."""
        return round_amount(amount, self.step_size)

    def is_valid_price(self, price: Decimal) -> bool:
        """True when ``price`` is positive and on the tick grid."""
        return price > 0 and is_multiple_of(price, self.tick_size)

    def is_valid_amount(self, amount: Decimal) -> bool:
        """True when ``amount`` is on the step grid and inside [min_amount, max_amount]."""
        if amount <= 0 or not is_multiple_of(amount, self.step_size):
            return False
        if amount < self.min_amount:
            return False
        return self.max_amount is None or amount <= self.max_amount

    def meets_min_notional(self, amount: Decimal, price: Decimal) -> bool:
        """True when ``amount x price`` reaches the exchange's minimum notional."""
        return amount * price >= self.min_notional


@dataclass(frozen=True, slots=True)
class Order:
    """An order as we know it. ``client_order_id`` is chosen (and persisted) before submission."""

    client_order_id: str
    symbol: str
    side: Side
    type: OrderType
    amount: Decimal
    price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    status: OrderStatus = OrderStatus.PENDING_SUBMIT
    exchange_order_id: str | None = None
    filled: Decimal = ZERO
    average_price: Decimal | None = None
    fee: Decimal = ZERO
    fee_currency: str | None = None
    created_at: int = 0
    updated_at: int = 0
    strategy_id: str | None = None
    correlation_id: str | None = None
    reduce_only: bool = False
    reason: str | None = None

    @property
    def remaining(self) -> Decimal:
        """Quantity not yet filled."""
        return self.amount - self.filled

    @property
    def notional(self) -> Decimal | None:
        """amount x (limit price or average fill price), when a price is known."""
        reference = self.price if self.price is not None else self.average_price
        return None if reference is None else self.amount * reference

    def with_changes(self, **changes: object) -> Order:
        """A copy with ``changes`` applied (orders are immutable values)."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution (trade) of an order. ``fee`` is in ``fee_currency``."""

    trade_id: str
    client_order_id: str
    symbol: str
    side: Side
    price: Decimal
    amount: Decimal
    fee: Decimal
    fee_currency: str
    timestamp: int
    exchange_order_id: str | None = None
    is_maker: bool = False

    @property
    def notional(self) -> Decimal:
        """price x amount in quote currency."""
        return self.price * self.amount


@dataclass(frozen=True, slots=True)
class Position:
    """Net position in one symbol. ``quantity`` is signed: > 0 long, < 0 short."""

    symbol: str
    quantity: Decimal = ZERO
    average_entry: Decimal = ZERO
    realised_pnl: Decimal = ZERO
    fees: Decimal = ZERO

    @property
    def is_flat(self) -> bool:
        """True when there is no open quantity."""
        return self.quantity == 0

    def unrealised_pnl(self, mark_price: Decimal) -> Decimal:
        """P&L of the open quantity marked at ``mark_price`` (quote currency, before exit fees)."""
        return (mark_price - self.average_entry) * self.quantity

    def market_value(self, mark_price: Decimal) -> Decimal:
        """Signed value of the open quantity at ``mark_price``."""
        return self.quantity * mark_price


@dataclass(frozen=True, slots=True)
class Balance:
    """Holdings of one currency: ``free`` can be spent, ``used`` is reserved by open orders."""

    currency: str
    free: Decimal = ZERO
    used: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        """free + used."""
        return self.free + self.used


@dataclass(frozen=True, slots=True)
class Signal:
    """A strategy's request at the close of the bar ``timestamp`` (ms UTC)."""

    strategy_id: str
    symbol: str
    action: SignalAction
    timestamp: int
    price: Decimal
    reason: str = ""
    stop_loss: Decimal | None = None
    take_profit: Decimal | None = None
    correlation_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
