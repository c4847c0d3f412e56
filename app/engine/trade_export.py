"""Trade export: fills and round trips as CSV (ms timestamps plus ISO UTC, exact Decimal strings).

A round trip is one position in a symbol from flat back to flat. A fill that crosses through
zero closes the trip with the part that flattens the position and opens the next one with the
rest. Fees are valued in the quote currency (a base-currency fee at the fill price); gross P&L
is (average exit - average entry) x quantity, signed by direction; net P&L subtracts the fees.
Positions still open at the end are not round trips and are left out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from app.core.enums import Side
from app.core.errors import StorageError
from app.core.models import Fill
from app.core.money import ZERO
from app.core.time import ms_to_datetime

FILL_COLUMNS: tuple[str, ...] = (
    "timestamp_ms",
    "time_utc",
    "symbol",
    "side",
    "amount",
    "price",
    "notional",
    "fee",
    "fee_currency",
    "is_maker",
    "trade_id",
    "client_order_id",
    "exchange_order_id",
)
"""Columns of the fills CSV, in order."""

ROUND_TRIP_COLUMNS: tuple[str, ...] = (
    "symbol",
    "direction",
    "opened_ms",
    "opened_utc",
    "closed_ms",
    "closed_utc",
    "quantity",
    "average_entry",
    "average_exit",
    "gross_pnl",
    "fees",
    "net_pnl",
    "fills",
)
"""Columns of the round-trips CSV, in order."""


def iso_utc(ms: int) -> str:
    """Milliseconds UTC as ISO 8601 with milliseconds and a Z, e.g. 2024-01-31T12:00:00.000Z."""
    return ms_to_datetime(ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class RoundTrip:
    """One position from flat to flat."""

    symbol: str
    direction: Side  # BUY: long, SELL: short
    opened_at: int
    closed_at: int
    quantity: Decimal
    average_entry: Decimal
    average_exit: Decimal
    fees: Decimal
    fills: int

    @property
    def gross_pnl(self) -> Decimal:
        """Price difference x quantity, positive when the trade made money."""
        return (self.average_exit - self.average_entry) * self.quantity * self.direction.sign

    @property
    def net_pnl(self) -> Decimal:
        """Gross P&L minus fees (quote currency)."""
        return self.gross_pnl - self.fees


@dataclass(slots=True)
class _Open:
    direction: Side
    opened_at: int
    entered: Decimal = ZERO
    entry_value: Decimal = ZERO
    exited: Decimal = ZERO
    exit_value: Decimal = ZERO
    fees: Decimal = ZERO
    fills: int = 0

    @property
    def open_quantity(self) -> Decimal:
        return self.entered - self.exited


def _fee_in_quote(fill: Fill, quote: str) -> Decimal:
    base = fill.symbol.partition("/")[0]
    if fill.fee and fill.fee_currency == base:
        return fill.fee * fill.price
    return fill.fee if fill.fee_currency in ("", quote) else ZERO


def round_trips(fills: Iterable[Fill]) -> list[RoundTrip]:
    """Closed round trips of ``fills`` (any order; sorted by time here), oldest first."""
    open_trips: dict[str, _Open] = {}
    closed: list[RoundTrip] = []
    for fill in sorted(fills, key=lambda f: (f.timestamp, f.trade_id)):
        quote = fill.symbol.partition("/")[2]
        fee = _fee_in_quote(fill, quote)
        remaining = fill.amount
        trip = open_trips.get(fill.symbol)
        if trip is not None and fill.side is not trip.direction:
            closing = min(remaining, trip.open_quantity)
            share = closing / fill.amount
            trip.exited += closing
            trip.exit_value += closing * fill.price
            trip.fees += fee * share
            trip.fills += 1
            remaining -= closing
            fee -= fee * share
            if trip.open_quantity == 0:
                closed.append(_close(fill.symbol, trip, fill.timestamp))
                del open_trips[fill.symbol]
                trip = None
        if remaining > 0:
            if trip is None:
                trip = open_trips[fill.symbol] = _Open(fill.side, fill.timestamp)
            trip.entered += remaining
            trip.entry_value += remaining * fill.price
            trip.fees += fee
            trip.fills += 1
    return closed


def _close(symbol: str, trip: _Open, closed_at: int) -> RoundTrip:
    return RoundTrip(
        symbol=symbol,
        direction=trip.direction,
        opened_at=trip.opened_at,
        closed_at=closed_at,
        quantity=trip.entered,
        average_entry=trip.entry_value / trip.entered,
        average_exit=trip.exit_value / trip.exited,
        fees=trip.fees,
        fills=trip.fills,
    )


def fill_rows(fills: Iterable[Fill]) -> Iterator[dict[str, str]]:
    """CSV rows of ``fills`` keyed by :data:`FILL_COLUMNS`, in the given order."""
    for fill in fills:
        yield {
            "timestamp_ms": str(fill.timestamp),
            "time_utc": iso_utc(fill.timestamp),
            "symbol": fill.symbol,
            "side": fill.side.value,
            "amount": str(fill.amount),
            "price": str(fill.price),
            "notional": str(fill.notional),
            "fee": str(fill.fee),
            "fee_currency": fill.fee_currency,
            "is_maker": "true" if fill.is_maker else "false",
            "trade_id": fill.trade_id,
            "client_order_id": fill.client_order_id,
            "exchange_order_id": fill.exchange_order_id or "",
        }


def round_trip_rows(trips: Iterable[RoundTrip]) -> Iterator[dict[str, str]]:
    """CSV rows of ``trips`` keyed by :data:`ROUND_TRIP_COLUMNS`."""
    for trip in trips:
        yield {
            "symbol": trip.symbol,
            "direction": "long" if trip.direction is Side.BUY else "short",
            "opened_ms": str(trip.opened_at),
            "opened_utc": iso_utc(trip.opened_at),
            "closed_ms": str(trip.closed_at),
            "closed_utc": iso_utc(trip.closed_at),
            "quantity": str(trip.quantity),
            "average_entry": str(trip.average_entry),
            "average_exit": str(trip.average_exit),
            "gross_pnl": str(trip.gross_pnl),
            "fees": str(trip.fees),
            "net_pnl": str(trip.net_pnl),
            "fills": str(trip.fills),
        }


def write_fills_csv(fills: Iterable[Fill], target: Path | TextIO) -> int:
    """Write ``fills`` as CSV (header first) to a file path or an open text stream.

    Returns:
        How many fills were written.

    Raises:
        StorageError: the file cannot be written (the message names it).
    """
    return _write(FILL_COLUMNS, fill_rows(fills), target)


def write_round_trips_csv(fills: Iterable[Fill], target: Path | TextIO) -> int:
    """Write the closed round trips of ``fills`` as CSV to a file path or an open text stream.

    Returns:
        How many round trips were written.

    Raises:
        StorageError: the file cannot be written (the message names it).
    """
    return _write(ROUND_TRIP_COLUMNS, round_trip_rows(round_trips(fills)), target)


def _write(columns: tuple[str, ...], rows: Iterable[dict[str, str]], target: Path | TextIO) -> int:
    if not isinstance(target, Path):
        return _write_rows(columns, rows, target)
    buffer = io.StringIO()
    count = _write_rows(columns, rows, buffer)
    try:
        target.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    except OSError as exc:
        raise StorageError(
            f"cannot write the trade export {target}: {exc.strerror or exc}; "
            "choose a writable folder"
        ) from exc
    return count


def _write_rows(columns: tuple[str, ...], rows: Iterable[dict[str, str]], stream: TextIO) -> int:
    writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count
