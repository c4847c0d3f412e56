"""The trading tables' models: orders, positions, fills, balances and running strategies."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QObject

from app.core.models import Balance, Fill, Order, Position
from app.engine.specs import StrategyStatus
from app.ui.models.columns import Column, pnl_tone
from app.ui.models.formatting import (
    format_decimal,
    format_local_time,
    format_money,
    format_signed_money,
)
from app.ui.models.record_model import RecordTableModel


def _text(value: object) -> str:
    return str(value)


def _upper(value: object) -> str:
    return str(value).upper()


def _status(value: object) -> str:
    return str(value).replace("_", " ")


ORDER_COLUMNS: tuple[Column[Order], ...] = (
    Column("Time", lambda o: o.created_at, format_local_time, width=150),
    Column("Symbol", lambda o: o.symbol),
    Column("Side", lambda o: o.side.value, _upper),
    Column("Type", lambda o: o.type.value, _status),
    Column("Amount", lambda o: o.amount, format_decimal, numeric=True),
    Column("Price", lambda o: o.price, format_decimal, numeric=True),
    Column("Filled", lambda o: o.filled, format_decimal, numeric=True),
    Column("Avg price", lambda o: o.average_price, format_decimal, numeric=True),
    Column("Status", lambda o: o.status.value, _status),
    Column("Strategy", lambda o: o.strategy_id or "manual", width=140),
    Column("Client order id", lambda o: o.client_order_id, width=220),
    Column("Reason", lambda o: o.reason or ""),
)

POSITION_COLUMNS: tuple[Column[Position], ...] = (
    Column("Symbol", lambda p: p.symbol),
    Column("Quantity", lambda p: p.quantity, format_decimal, numeric=True, tone=pnl_tone),
    Column("Avg entry", lambda p: p.average_entry, format_decimal, numeric=True),
    Column(
        "Realised P&L",
        lambda p: p.realised_pnl,
        format_signed_money,
        numeric=True,
        tone=pnl_tone,
    ),
    Column("Fees", lambda p: p.fees, format_money, numeric=True),
)

FILL_COLUMNS: tuple[Column[Fill], ...] = (
    Column("Time", lambda f: f.timestamp, format_local_time, width=150),
    Column("Symbol", lambda f: f.symbol),
    Column("Side", lambda f: f.side.value, _upper),
    Column("Price", lambda f: f.price, format_decimal, numeric=True),
    Column("Amount", lambda f: f.amount, format_decimal, numeric=True),
    Column("Notional", lambda f: f.notional, format_money, numeric=True),
    Column("Fee", lambda f: f.fee, format_decimal, numeric=True),
    Column("Fee ccy", lambda f: f.fee_currency),
    Column("Trade id", lambda f: f.trade_id),
    Column("Client order id", lambda f: f.client_order_id, width=220),
)

BALANCE_COLUMNS: tuple[Column[Balance], ...] = (
    Column("Currency", lambda b: b.currency),
    Column("Free", lambda b: b.free, format_decimal, numeric=True),
    Column("In orders", lambda b: b.used, format_decimal, numeric=True),
    Column("Total", lambda b: b.total, format_decimal, numeric=True),
)


def _pnl(value: object) -> str:
    return format_signed_money(value) if isinstance(value, Decimal) else str(value)


STRATEGY_COLUMNS: tuple[Column[StrategyStatus], ...] = (
    Column("Id", lambda s: s.strategy_id, width=130),
    Column("Strategy", lambda s: s.spec.strategy),
    Column("Symbol", lambda s: s.spec.symbol),
    Column("TF", lambda s: s.spec.timeframe),
    Column("Status", lambda s: s.status, _text),
    Column("Position", lambda s: s.position, format_decimal, numeric=True),
    Column("Trades", lambda s: s.trades, numeric=True),
    Column("Realised", lambda s: s.realised_pnl, _pnl, numeric=True, tone=pnl_tone),
    Column("Unrealised", lambda s: s.unrealised_pnl, _pnl, numeric=True, tone=pnl_tone),
    Column("Detail", lambda s: s.detail),
)


class OrdersModel(RecordTableModel[Order]):
    """Orders keyed by client order id; updated in place from order events."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(ORDER_COLUMNS, lambda order: order.client_order_id, parent)

    def open_orders(self) -> list[Order]:
        """Orders that may still fill (pending, open, partially filled, unknown)."""
        return [order for order in self.records() if order.status.is_active]


class PositionsModel(RecordTableModel[Position]):
    """Positions keyed by symbol."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(POSITION_COLUMNS, lambda position: position.symbol, parent)


class FillsModel(RecordTableModel[Fill]):
    """Executions keyed by trade id (append-only)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(FILL_COLUMNS, lambda fill: (fill.symbol, fill.trade_id), parent)


class BalancesModel(RecordTableModel[Balance]):
    """Balances keyed by currency."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(BALANCE_COLUMNS, lambda balance: balance.currency, parent)


class StrategiesModel(RecordTableModel[StrategyStatus]):
    """Strategy instances keyed by strategy id."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(STRATEGY_COLUMNS, lambda status: status.strategy_id, parent)
