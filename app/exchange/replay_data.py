"""Stored candles for the replay feed: series loaded from CSV files or the candle store.

CSV files have the columns ``timestamp`` (ms UTC, candle open time), ``open``, ``high``, ``low``,
``close``, ``volume``; a file named ``btc_usdt_1h.csv`` holds BTC/USDT 1h candles.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from app.core.errors import DataError
from app.core.models import Market
from app.core.money import to_decimal
from app.core.time import timeframe_to_ms

_FILE_RE = re.compile(r"^([a-z0-9]+)_([a-z0-9]+)_(\d+[smhdwM])$")
_STABLE_QUOTES = frozenset({"USDT", "USDC", "USD", "BUSD", "EUR", "FDUSD", "DAI"})
_COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")


@dataclass(frozen=True, slots=True, eq=False)
class ReplaySeries:
    """One symbol's candles, oldest first, as numpy columns.

    Attributes:
        symbol: unified symbol ("BTC/USDT").
        timeframe: ccxt timeframe ("1h").
        timestamps: open times in ms UTC (int64, ascending, unique).
        ohlcv: float64 array of shape (n, 5): open, high, low, close, volume.
    """

    symbol: str
    timeframe: str
    timestamps: NDArray[np.int64]
    ohlcv: NDArray[np.float64]

    def __post_init__(self) -> None:
        if len(self.timestamps) != len(self.ohlcv) or self.ohlcv.shape[1:] != (5,):
            raise DataError(f"{self.symbol} {self.timeframe}: timestamps and OHLCV differ in size")
        if len(self.timestamps) > 1 and not bool(np.all(np.diff(self.timestamps) > 0)):
            raise DataError(
                f"{self.symbol} {self.timeframe}: timestamps must be ascending and unique"
            )

    @property
    def timeframe_ms(self) -> int:
        """Bar length in ms."""
        return timeframe_to_ms(self.timeframe)

    def __len__(self) -> int:
        return len(self.timestamps)


def symbol_from_filename(path: Path) -> tuple[str, str]:
    """``btc_usdt_1h.csv`` -> ("BTC/USDT", "1h").

    Raises:
        DataError: the name is not ``<base>_<quote>_<timeframe>.csv``.
    """
    match = _FILE_RE.match(path.stem.lower())
    if match is None:
        raise DataError(
            f"{path.name}: name replay files <base>_<quote>_<timeframe>.csv, e.g. btc_usdt_1h.csv"
        )
    base, quote, timeframe = match.groups()
    return f"{base.upper()}/{quote.upper()}", timeframe


def load_csv_series(
    path: Path, symbol: str | None = None, timeframe: str | None = None
) -> ReplaySeries:
    """Read one candle CSV file.

    Args:
        path: the file.
        symbol: unified symbol (default: from the file name).
        timeframe: ccxt timeframe (default: from the file name).

    Raises:
        DataError: the file is missing, has other columns, or holds non-numeric values.
    """
    if symbol is None or timeframe is None:
        named_symbol, named_timeframe = symbol_from_filename(path)
        symbol = symbol or named_symbol
        timeframe = timeframe or named_timeframe
    try:
        with path.open(encoding="utf-8") as handle:
            header = tuple(part.strip() for part in handle.readline().split(","))
            if header != _COLUMNS:
                raise DataError(f"{path}: expected columns {', '.join(_COLUMNS)}, got {header}")
            table = np.loadtxt(handle, delimiter=",", dtype=np.float64, ndmin=2)
    except OSError as exc:
        raise DataError(f"{path}: cannot read the candle file ({exc})") from exc
    except ValueError as exc:
        raise DataError(f"{path}: a row is not numeric ({exc})") from exc
    timestamps = table[:, 0].astype(np.int64)
    order = np.argsort(timestamps, kind="stable")
    return ReplaySeries(symbol, timeframe, timestamps[order], table[order, 1:6].copy())


def load_directory(directory: Path, timeframe: str | None = None) -> list[ReplaySeries]:
    """Every ``<base>_<quote>_<timeframe>.csv`` file of ``directory`` (optionally one timeframe).

    Raises:
        DataError: the folder holds no candle files.
    """
    series = []
    for path in sorted(directory.glob("*.csv")):
        if _FILE_RE.match(path.stem.lower()) is None:
            continue
        symbol, file_timeframe = symbol_from_filename(path)
        if timeframe is None or file_timeframe == timeframe:
            series.append(load_csv_series(path, symbol, file_timeframe))
    if not series:
        raise DataError(f"{directory}: no candle files (<base>_<quote>_<timeframe>.csv) found")
    return series


def _decimals(values: NDArray[np.float64]) -> int:
    """Most decimal places among ``values`` (shortest round-trip text), capped at 8."""
    places = 0
    for value in values[:500]:
        text = repr(float(value))
        if "e" in text or "E" in text:
            return 8
        if "." in text:
            places = max(places, len(text.split(".")[1].rstrip("0")))
    return min(places, 8)


def market_for_series(series: ReplaySeries) -> Market:
    """Trading rules for a replayed symbol: tick from the data's price decimals (at least one
    cent for fiat-like quotes), quantity step 1e-5, a Binance-like minimum notional."""
    base, quote = series.symbol.split("/")
    places = _decimals(series.ohlcv[:, 3])
    if quote in _STABLE_QUOTES:
        places = max(places, 2)
    tick = Decimal(1).scaleb(-places)
    min_notional = Decimal(5) if quote in _STABLE_QUOTES else Decimal("0.0001")
    return Market(
        symbol=series.symbol,
        base=base,
        quote=quote,
        tick_size=tick,
        step_size=Decimal("0.00001"),
        min_notional=min_notional,
        min_amount=Decimal("0.00001"),
        maker_fee=to_decimal("0.001"),
        taker_fee=to_decimal("0.001"),
    )


def markets_for(series: Sequence[ReplaySeries]) -> dict[str, Market]:
    """Markets of every replayed symbol."""
    return {s.symbol: market_for_series(s) for s in series}
