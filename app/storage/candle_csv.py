"""Candle CSV files: strict, vectorised validation on read; the same layout on write.

Layout (the shared data files): a header ``timestamp,open,high,low,close,volume`` then one
candle per line; ``timestamp`` is the candle's open time in integer ms UTC, ascending and
unique. Errors name the file, the line (the header is line 1) and the reason, and nothing of a
bad file is returned.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from app.core.errors import DataError
from app.core.time import timeframe_to_ms

logger = logging.getLogger(__name__)

COLUMNS: tuple[str, ...] = ("timestamp", "open", "high", "low", "close", "volume")
PRICE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close")
# Timestamps below this are seconds, not milliseconds (1973-03-03 in ms).
_MIN_PLAUSIBLE_MS = 100_000_000_000
_FIRST_DATA_LINE = 2
_INTEGER = re.compile(r"^\d+$")


@dataclass(frozen=True, slots=True)
class _Problem:
    row: int
    message: str


def read_candle_csv(path: Path, timeframe: str | None = None) -> pd.DataFrame:
    """Read and validate a candle CSV file.

    Args:
        path: the file.
        timeframe: when given ("1h"), every timestamp must be a multiple of it (for second,
            minute, hour and day timeframes; weekly and monthly candles are not epoch-aligned).

    Returns:
        Columns timestamp (int64), open, high, low, close, volume (float64), as in the file.

    Raises:
        DataError: the file cannot be read or any line is invalid: wrong columns, non-numeric,
            empty, NaN or infinite values, high below low/open/close, low above open/close,
            non-positive prices, negative volume, unsorted, duplicate or misaligned timestamps.
            The message names the file, line and reason, e.g.
            ``btc.csv line 17: high 100.0 is below low 101.0``.
    """
    name = path.name
    tf_ms = None if timeframe is None else _aligned_timeframe_ms(timeframe)
    _check_header(path)
    problems: list[_Problem] = []
    parsed = _read_numbers(path)
    if parsed is None:  # something is not a clean number: find the line and say why
        raw = _read_csv(path, as_text=True)
        ts = _parse_timestamps(raw["timestamp"].to_numpy(dtype=object), problems)
        values = {
            col: _parse_floats(col, raw[col].to_numpy(dtype=object), problems)
            for col in COLUMNS[1:]
        }
    else:
        ts, values = parsed
    if not problems:  # range and order checks only make sense on parsed numbers
        _check_values(values, problems)
        _check_timestamps(ts, tf_ms, timeframe, problems)
    if problems:
        first = min(problems, key=lambda problem: problem.row)
        raise DataError(f"{name} line {first.row + _FIRST_DATA_LINE}: {first.message}")
    frame = pd.DataFrame({"timestamp": ts, **values}, columns=list(COLUMNS))
    logger.debug("read %d candles from %s", len(frame), path)
    return frame


def write_candle_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write candles in the layout :func:`read_candle_csv` reads (floats as shortest repr).

    The file is written to a temporary name and renamed, so a failure never leaves half a file.

    Args:
        frame: columns timestamp, open, high, low, close, volume.
        path: the destination (replaced when it exists).

    Raises:
        DataError: ``frame`` lacks a column, or the file cannot be written.
    """
    missing = [col for col in COLUMNS if col not in frame.columns]
    if missing:
        raise DataError(f"cannot write candles without the column(s) {', '.join(missing)}")
    out = frame.loc[:, list(COLUMNS)].astype({"timestamp": np.int64})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                out.to_csv(stream, index=False, lineterminator="\n")
            Path(temporary).replace(path)
        except BaseException:
            with contextlib.suppress(OSError):
                Path(temporary).unlink()
            raise
    except OSError as exc:
        raise DataError(f"cannot write {path}: {exc.strerror or exc}; check the folder") from exc
    logger.debug("wrote %d candles to %s", len(out), path)


def _aligned_timeframe_ms(timeframe: str) -> int | None:
    """Timeframe length for the alignment check; None for weeks/months (not epoch-aligned)."""
    try:
        length = timeframe_to_ms(timeframe)
    except ValueError as exc:
        raise DataError(str(exc)) from exc
    return None if timeframe.strip()[-1] in "wM" else length


def _check_header(path: Path) -> None:
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            header = stream.readline().rstrip("\r\n")
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise DataError(f"{path.name} is not a UTF-8 text file ({exc.reason})") from exc
    found = [part.strip() for part in header.split(",")]
    if found == list(COLUMNS):
        return
    missing = [col for col in COLUMNS if col not in found]
    unexpected = [col for col in found if col not in COLUMNS]
    details = []
    if missing:
        details.append(f"missing {', '.join(missing)}")
    if unexpected:
        details.append(f"unexpected {', '.join(repr(col) for col in unexpected)}")
    if not details:
        details.append(f"found them in the order {','.join(found)}")
    raise DataError(
        f"{path.name} line 1: the header must be exactly {','.join(COLUMNS)}; {'; '.join(details)}"
    )


def _read_numbers(path: Path) -> tuple[NDArray[np.int64], dict[str, NDArray[np.float64]]] | None:
    """Fast path: the columns as numbers, or None when any field is not a clean number."""
    frame = _read_csv(path, as_text=False)
    if frame["timestamp"].dtype != np.int64:
        return None
    values: dict[str, NDArray[np.float64]] = {}
    for column in COLUMNS[1:]:
        if frame[column].dtype.kind not in "iuf":
            return None
        array = frame[column].to_numpy(dtype=np.float64)
        if np.isnan(array).any():  # empty or "NaN": the slow path tells which
            return None
        values[column] = array
    return frame["timestamp"].to_numpy(dtype=np.int64), values


def _read_csv(path: Path, *, as_text: bool) -> pd.DataFrame:
    try:
        return pd.read_csv(
            path,
            names=list(COLUMNS),
            header=None,
            skiprows=1,
            skip_blank_lines=False,
            encoding="utf-8-sig",
            engine="c",
            dtype=str if as_text else None,
            keep_default_na=not as_text,
        )
    except pd.errors.ParserError as exc:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if match:
            raise DataError(
                f"{path.name} line {match.group(2)}: expected {match.group(1)} values, "
                f"found {match.group(3)}"
            ) from exc
        raise DataError(f"{path.name}: not a readable CSV file ({exc})") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from exc


def _parse_timestamps(texts: NDArray[np.object_], problems: list[_Problem]) -> NDArray[np.int64]:
    stripped = [text.strip() for text in texts]
    bad = [row for row, text in enumerate(stripped) if not _INTEGER.match(text)]
    if bad:
        text = stripped[bad[0]]
        reason = "is empty" if not text else f"{text!r} is not an integer number of milliseconds"
        problems.append(_Problem(bad[0], f"timestamp {reason}"))
        return np.zeros(len(texts), dtype=np.int64)
    return np.array(stripped, dtype=np.int64)


def _parse_floats(
    column: str, texts: NDArray[np.object_], problems: list[_Problem]
) -> NDArray[np.float64]:
    try:
        return texts.astype(np.float64)
    except (TypeError, ValueError):
        numeric = pd.to_numeric(pd.Series(texts), errors="coerce").to_numpy(dtype=np.float64)
        blank = np.array([not str(text).strip() for text in texts])
        suspicious = np.flatnonzero(np.isnan(numeric) | blank)
        for row in suspicious:
            text = str(texts[row]).strip()
            try:
                float(text)
            except ValueError:
                reason = "is empty" if not text else f"{text!r} is not a number"
                problems.append(_Problem(int(row), f"{column} {reason}"))
                break
        return np.zeros(len(texts), dtype=np.float64)


def _num(value: np.floating) -> str:
    return repr(float(value))


def _first(mask: NDArray[np.bool_]) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def _check_values(values: dict[str, NDArray[np.float64]], problems: list[_Problem]) -> None:
    for column, array in values.items():
        row = _first(~np.isfinite(array))
        if row is not None:
            kind = "NaN" if np.isnan(array[row]) else "infinite"
            problems.append(_Problem(row, f"{column} is {kind}"))
            return  # comparisons below are meaningless with NaN
    for column in PRICE_COLUMNS:
        row = _first(values[column] <= 0)
        if row is not None:
            problems.append(_Problem(row, f"{column} {_num(values[column][row])} must be positive"))
    row = _first(values["volume"] < 0)
    if row is not None:
        problems.append(_Problem(row, f"volume {_num(values['volume'][row])} is negative"))
    high, low = values["high"], values["low"]
    row = _first(high < low)
    if row is not None:
        problems.append(_Problem(row, f"high {_num(high[row])} is below low {_num(low[row])}"))
    for column in ("open", "close"):
        array = values[column]
        row = _first(high < array)
        if row is not None:
            message = f"high {_num(high[row])} is below {column} {_num(array[row])}"
            problems.append(_Problem(row, message))
        row = _first(low > array)
        if row is not None:
            message = f"low {_num(low[row])} is above {column} {_num(array[row])}"
            problems.append(_Problem(row, message))


def _check_timestamps(
    ts: NDArray[np.int64],
    tf_ms: int | None,
    timeframe: str | None,
    problems: list[_Problem],
) -> None:
    if not ts.size:
        return
    row = _first(ts < _MIN_PLAUSIBLE_MS)
    if row is not None:
        problems.append(
            _Problem(row, f"timestamp {ts[row]} looks like seconds; timestamps are milliseconds")
        )
    steps = np.diff(ts)
    row = _first(steps <= 0)
    if row is not None:
        line = row + _FIRST_DATA_LINE
        if steps[row] == 0:
            message = f"timestamp {ts[row + 1]} repeats line {line}"
        else:
            message = (
                f"timestamp {ts[row + 1]} is earlier than {ts[row]} on line {line}; "
                "rows must be sorted by time, oldest first"
            )
        problems.append(_Problem(row + 1, message))
    if tf_ms is not None:
        row = _first(ts % tf_ms != 0)
        if row is not None:
            problems.append(
                _Problem(
                    row,
                    f"timestamp {ts[row]} is not aligned to the {timeframe} timeframe "
                    f"(not a multiple of {tf_ms} ms): is the timeframe right?",
                )
            )
