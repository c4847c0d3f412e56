"""Enumerations shared by every layer; values are stable lowercase ASCII (DB, logs, JSON)."""

from __future__ import annotations

from enum import StrEnum


class Side(StrEnum):
    """Direction of an order or fill."""

    BUY = "buy"
    SELL = "sell"

    @property
    def opposite(self) -> Side:
        """The other side (buy <-> sell)."""
        return Side.SELL if self is Side.BUY else Side.BUY

    @property
    def sign(self) -> int:
        """+1 for buy, -1 for sell (signed position change)."""
        return 1 if self is Side.BUY else -1


class OrderType(StrEnum):
    """How an order is priced."""

    MARKET = "market"
    LIMIT = "limit"
    STOP_MARKET = "stop_market"
    STOP_LIMIT = "stop_limit"


class OrderStatus(StrEnum):
    """Lifecycle of an order, from our record before submission to a terminal state."""

    PENDING_SUBMIT = "pending_submit"  # persisted locally, request not yet answered
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELED = "canceled"
    REJECTED = "rejected"
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # outcome ambiguous (timeout); must be reconciled by client order id

    @property
    def is_terminal(self) -> bool:
        """True when no further fills or updates can happen."""
        return self in _TERMINAL

    @property
    def is_active(self) -> bool:
        """True when the order may still fill (resting on the book or being submitted)."""
        return self in (
            OrderStatus.PENDING_SUBMIT,
            OrderStatus.OPEN,
            OrderStatus.PARTIALLY_FILLED,
            OrderStatus.UNKNOWN,
        )


_TERMINAL = frozenset(
    {OrderStatus.FILLED, OrderStatus.CANCELED, OrderStatus.REJECTED, OrderStatus.EXPIRED}
)


class TimeInForce(StrEnum):
    """How long an order stays on the book."""

    GTC = "gtc"
    IOC = "ioc"
    FOK = "fok"
    POST_ONLY = "post_only"


class TradingMode(StrEnum):
    """Where orders go. Paper is the default; live requires explicit, typed confirmation."""

    OFFLINE = "offline"  # paper trading on the bundled replay data, no network
    PAPER = "paper"  # paper trading on live prices
    TESTNET = "testnet"  # exchange sandbox with real API keys
    LIVE = "live"  # real money

    @property
    def uses_real_orders(self) -> bool:
        """True when orders reach an exchange (testnet or live)."""
        return self in (TradingMode.TESTNET, TradingMode.LIVE)


class SignalAction(StrEnum):
    """What a strategy asks for at a bar close."""

    ENTER_LONG = "enter_long"
    EXIT_LONG = "exit_long"
    ENTER_SHORT = "enter_short"
    EXIT_SHORT = "exit_short"


class BreakerState(StrEnum):
    """Circuit-breaker state: ACTIVE trades, REDUCING only reduces exposure, HALTED refuses all."""

    ACTIVE = "active"
    REDUCING = "reducing"
    HALTED = "halted"


class RiskVerdict(StrEnum):
    """Outcome of one pre-trade rule."""

    APPROVE = "approve"
    REJECT = "reject"
    RESIZE = "resize"
