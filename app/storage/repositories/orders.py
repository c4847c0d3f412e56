"""Order snapshots keyed by client order id (the id chosen and saved before submission)."""

from __future__ import annotations

from sqlalchemy import select

from app.core.enums import OrderStatus, OrderType, Side, TimeInForce
from app.core.errors import StorageError
from app.core.models import Order
from app.storage.database import Database
from app.storage.models import OrderRecord

ACTIVE_STATUSES: tuple[str, ...] = tuple(status.value for status in OrderStatus if status.is_active)
_FIELDS: tuple[str, ...] = (
    "symbol",
    "amount",
    "price",
    "stop_price",
    "exchange_order_id",
    "filled",
    "average_price",
    "fee",
    "fee_currency",
    "created_at",
    "updated_at",
    "strategy_id",
    "correlation_id",
    "reduce_only",
    "reason",
)


class OrderRepository:
    """Stores the latest snapshot of every order.

    Args:
        database: a migrated database.
    """

    def __init__(self, database: Database) -> None:
        self._db = database

    def upsert(self, venue: str, order: Order) -> bool:
        """Insert the order or replace its stored snapshot.

        An older snapshot (``updated_at`` lower than the stored one) never overwrites a newer
        one, so late events cannot move an order back in its lifecycle.

        Args:
            venue: exchange id + account/mode label, e.g. "binance:paper".
            order: the snapshot.

        Returns:
            True when stored, False when the stored snapshot is newer.

        Raises:
            StorageError: the client order id belongs to another venue, or the database failed.
        """
        with self._db.session() as session:
            query = select(OrderRecord).where(OrderRecord.client_order_id == order.client_order_id)
            record = session.scalars(query).one_or_none()
            if record is None:
                record = OrderRecord(client_order_id=order.client_order_id, venue=venue)
                session.add(record)
            elif record.venue != venue:
                raise StorageError(
                    f"order {order.client_order_id} is stored for venue {record.venue}, "
                    f"not {venue}; client order ids must be unique"
                )
            elif record.updated_at > order.updated_at:
                return False
            _fill_record(record, order)
        return True

    def get(self, client_order_id: str) -> Order | None:
        """The stored snapshot of an order, None when unknown.

        Raises:
            StorageError: the database failed.
        """
        with self._db.session(readonly=True) as session:
            query = select(OrderRecord).where(OrderRecord.client_order_id == client_order_id)
            record = session.scalars(query).one_or_none()
            return None if record is None else to_order(record)

    def get_by_exchange_id(self, venue: str, exchange_order_id: str) -> Order | None:
        """The order the exchange knows as ``exchange_order_id`` at ``venue``, None when unknown.

        Raises:
            StorageError: the database failed.
        """
        query = select(OrderRecord).where(
            OrderRecord.venue == venue, OrderRecord.exchange_order_id == exchange_order_id
        )
        with self._db.session(readonly=True) as session:
            record = session.scalars(query).first()
            return None if record is None else to_order(record)

    def list_open(self, venue: str) -> list[Order]:
        """Orders of ``venue`` that may still fill (pending, open, partially filled, unknown).

        Raises:
            StorageError: the database failed.
        """
        query = (
            select(OrderRecord)
            .where(OrderRecord.venue == venue, OrderRecord.status.in_(ACTIVE_STATUSES))
            .order_by(OrderRecord.created_at, OrderRecord.id)
        )
        with self._db.session(readonly=True) as session:
            return [to_order(record) for record in session.scalars(query)]

    def list_all(self, venue: str, limit: int | None = None) -> list[Order]:
        """Orders of ``venue``, newest first (``limit`` of them when given).

        Raises:
            StorageError: the database failed.
        """
        query = (
            select(OrderRecord)
            .where(OrderRecord.venue == venue)
            .order_by(OrderRecord.created_at.desc(), OrderRecord.id.desc())
            .limit(limit)
        )
        with self._db.session(readonly=True) as session:
            return [to_order(record) for record in session.scalars(query)]


def _fill_record(record: OrderRecord, order: Order) -> None:
    for name in _FIELDS:
        setattr(record, name, getattr(order, name))
    record.side = order.side.value
    record.type = order.type.value
    record.time_in_force = order.time_in_force.value
    record.status = order.status.value


def to_order(record: OrderRecord) -> Order:
    """The domain order of a stored record."""
    return Order(
        client_order_id=record.client_order_id,
        side=Side(record.side),
        type=OrderType(record.type),
        time_in_force=TimeInForce(record.time_in_force),
        status=OrderStatus(record.status),
        **{name: getattr(record, name) for name in _FIELDS},
    )
