"""Order and trade records of the emulated venue and their Binance JSON shapes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from app.core.money import ZERO
from tests.emulator.markets import fmt

STOP_TYPES = frozenset({"STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})
LIMIT_TYPES = frozenset({"LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})
OPEN_STATUSES = frozenset({"NEW", "PARTIALLY_FILLED"})


@dataclass(frozen=True, slots=True)
class EmuTrade:
    """One execution of an emulated order (fee in ``commission_asset``)."""

    trade_id: int
    order_id: int
    client_order_id: str
    symbol: str
    side: str
    price: Decimal
    qty: Decimal
    quote_qty: Decimal
    commission: Decimal
    commission_asset: str
    time: int
    is_maker: bool

    def to_json(self) -> dict[str, object]:
        """The trade as ``GET /api/v3/myTrades`` returns it."""
        return {
            "symbol": self.symbol,
            "id": self.trade_id,
            "orderId": self.order_id,
            "orderListId": -1,
            "price": fmt(self.price),
            "qty": fmt(self.qty),
            "quoteQty": fmt(self.quote_qty),
            "commission": fmt(self.commission),
            "commissionAsset": self.commission_asset,
            "time": self.time,
            "isBuyer": self.side == "BUY",
            "isMaker": self.is_maker,
            "isBestMatch": True,
        }

    def to_fill_json(self) -> dict[str, object]:
        """The trade as an entry of a FULL order reply's ``fills``."""
        return {
            "price": fmt(self.price),
            "qty": fmt(self.qty),
            "commission": fmt(self.commission),
            "commissionAsset": self.commission_asset,
            "tradeId": self.trade_id,
        }


@dataclass(frozen=True, slots=True)
class EmuOrder:
    """An order on the emulated venue (immutable: updates replace the record).

    ``price`` and ``stop_price`` are zero when the type has none (as Binance prints them);
    ``locked`` is what the order still reserves of ``locked_asset``.
    """

    order_id: int
    client_order_id: str
    symbol: str
    side: str
    type: str
    time_in_force: str
    quantity: Decimal
    price: Decimal
    stop_price: Decimal
    time: int
    status: str = "NEW"
    executed_qty: Decimal = ZERO
    cumulative_quote: Decimal = ZERO
    update_time: int = 0
    triggered: bool = False
    locked_asset: str = ""
    locked: Decimal = ZERO
    orig_quote_qty: Decimal = ZERO

    @property
    def is_open(self) -> bool:
        """True while the order may still fill."""
        return self.status in OPEN_STATUSES

    @property
    def is_working(self) -> bool:
        """True when the order is on the book (stops only after their trigger)."""
        return self.type not in STOP_TYPES or self.triggered

    def with_changes(self, **changes: object) -> EmuOrder:
        """A copy with ``changes`` applied."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def to_json(self) -> dict[str, object]:
        """The order as ``GET /api/v3/order`` and ``openOrders`` return it."""
        return {
            "symbol": self.symbol,
            "orderId": self.order_id,
            "orderListId": -1,
            "clientOrderId": self.client_order_id,
            "price": fmt(self.price),
            "origQty": fmt(self.quantity),
            "executedQty": fmt(self.executed_qty),
            "cummulativeQuoteQty": fmt(self.cumulative_quote),
            "status": self.status,
            "timeInForce": self.time_in_force,
            "type": self.type,
            "side": self.side,
            "stopPrice": fmt(self.stop_price),
            "icebergQty": fmt(ZERO),
            "time": self.time,
            "updateTime": self.update_time or self.time,
            "isWorking": self.is_working,
            "workingTime": self.time if self.is_working else -1,
            "origQuoteOrderQty": fmt(self.orig_quote_qty),
            "selfTradePreventionMode": "EXPIRE_MAKER",
        }

    def to_ack_json(self, transact_time: int) -> dict[str, object]:
        """The reply to ``POST /api/v3/order`` with newOrderRespType=ACK."""
        return {
            "symbol": self.symbol,
            "orderId": self.order_id,
            "orderListId": -1,
            "clientOrderId": self.client_order_id,
            "transactTime": transact_time,
        }

    def to_result_json(self, transact_time: int) -> dict[str, object]:
        """The reply to ``POST /api/v3/order`` with newOrderRespType=RESULT."""
        body = self.to_json()
        for key in ("icebergQty", "time", "updateTime", "isWorking"):
            body.pop(key)
        if self.type not in STOP_TYPES:
            body.pop("stopPrice")
        body["transactTime"] = transact_time
        return body

    def to_cancel_json(self, cancel_client_id: str, transact_time: int) -> dict[str, object]:
        """The reply to ``DELETE /api/v3/order`` (Binance's shape, ``status`` CANCELED)."""
        body = self.to_result_json(transact_time)
        body["origClientOrderId"] = self.client_order_id
        body["clientOrderId"] = cancel_client_id
        return body


@dataclass(frozen=True, slots=True)
class OrderUpdate:
    """One order event for the user data stream: Binance execution type, order, trade."""

    execution: str
    order: EmuOrder
    trade: EmuTrade | None = None


@dataclass(frozen=True, slots=True)
class NewOrder:
    """A parsed ``POST /api/v3/order`` request (``symbol`` is the Binance market id)."""

    symbol: str
    side: str
    type: str
    quantity: Decimal | None = None
    quote_order_qty: Decimal | None = None
    price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: str | None = None
    client_order_id: str | None = None
