"""Reading the app's JSON-lines logs fast: line offsets by chunks, lazy parsing, filters (no Qt).

A 100 MB log is never loaded whole: :func:`scan_lines` reads it in chunks, finds the line
boundaries with numpy and keeps only ``(start, end)`` byte offsets of the lines that pass the
filter; a record is parsed when a row is shown. Cheap byte searches narrow the candidates before
any JSON is parsed.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

OffsetArray = npt.NDArray[np.int64]

LOG_FILE_NAME = "cryptobot.jsonl"
#: Level names in order of severity, with their numbers (as in :mod:`logging`).
LEVELS: dict[str, int] = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
FIRST_CHUNK = 64 * 1024
CHUNK = 256 * 1024
_NEWLINE = ord("\n")


@dataclass(frozen=True, slots=True)
class LogFilter:
    """Which records to show; empty fields do not filter.

    ``min_level`` keeps records at or above that severity; ``component`` keeps loggers whose
    name starts with it (``app.exchange`` keeps ``app.exchange.paper``); ``text`` is a
    case-insensitive substring of the whole record; ``correlation_id`` keeps one story.
    """

    min_level: int = 0
    component: str = ""
    text: str = ""
    correlation_id: str = ""

    @property
    def is_empty(self) -> bool:
        """True when every line passes."""
        return not (self.min_level or self.component or self.text or self.correlation_id)

    @property
    def needs_record(self) -> bool:
        """True when a line must be parsed to decide (level, component or correlation id)."""
        return bool(self.min_level or self.component or self.correlation_id)

    def accepts(self, record: dict[str, Any]) -> bool:
        """Whether a parsed record passes the level, component and correlation filters."""
        if self.min_level and level_number(record.get("level")) < self.min_level:
            return False
        if self.component and not str(record.get("component", "")).startswith(self.component):
            return False
        return not self.correlation_id or record.get("correlation_id") == self.correlation_id


def level_number(level: object) -> int:
    """Severity of a level name (unknown names count as 0)."""
    return LEVELS.get(str(level).upper(), 0)


def parse_line(raw: bytes) -> dict[str, Any]:
    """One log line as a mapping; a line that is not a JSON object becomes a raw-text record.

    The fallback record has ``level`` ``"?"`` and the text as ``message`` (a truncated line
    from a crash, a line written by something else) so it is still shown.
    """
    text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
    try:
        value = json.loads(text)
    except ValueError:
        return {"level": "?", "message": text, "invalid": True}
    if not isinstance(value, dict):
        return {"level": "?", "message": text, "invalid": True}
    return value


def log_files(log_dir: Path) -> list[Path]:
    """The current log file and its rotated siblings (``.1`` newest first) that exist."""
    current = log_dir / LOG_FILE_NAME
    found = [current] if current.is_file() else []
    rotated = [
        path
        for path in log_dir.glob(f"{LOG_FILE_NAME}.*")
        if path.suffix[1:].isdigit() and path.is_file()
    ]
    found.extend(sorted(rotated, key=lambda path: int(path.suffix[1:])))
    return found


class OffsetBuffer:
    """A growable pair of int64 arrays (line start and end offsets) with amortised appends."""

    def __init__(self, capacity: int = 4096) -> None:
        self._starts: OffsetArray = np.empty(capacity, dtype=np.int64)
        self._ends: OffsetArray = np.empty(capacity, dtype=np.int64)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, starts: OffsetArray, ends: OffsetArray) -> None:
        """Add lines at the end."""
        needed = self._size + len(starts)
        if needed > len(self._starts):
            capacity = max(needed, 2 * len(self._starts))
            self._starts = np.resize(self._starts, capacity)
            self._ends = np.resize(self._ends, capacity)
        self._starts[self._size : needed] = starts
        self._ends[self._size : needed] = ends
        self._size = needed

    def span(self, row: int) -> tuple[int, int]:
        """Start and end offset (end excludes the newline) of line ``row``."""
        return int(self._starts[row]), int(self._ends[row])

    def arrays(self) -> tuple[OffsetArray, OffsetArray]:
        """Copies of the starts and ends (safe to use from another thread)."""
        return self._starts[: self._size].copy(), self._ends[: self._size].copy()


def scan_lines(
    handle: BinaryIO,
    start: int,
    log_filter: LogFilter,
    cancelled: threading.Event,
    first_chunk: int = FIRST_CHUNK,
) -> Iterator[tuple[OffsetArray, OffsetArray, int]]:
    """Yield the complete lines after ``start`` that pass ``log_filter``, chunk by chunk.

    Args:
        handle: the log file opened in binary mode.
        start: byte offset of the first line to read (a line start).
        log_filter: which lines to keep.
        cancelled: set it to stop early.
        first_chunk: size of the first read (small, so the first rows show at once).

    Yields:
        ``(starts, ends, next_offset)``: the kept lines' offsets (end excludes the newline)
        and the offset after the last complete line read so far. A last line without its
        newline yet (being written) is left for the next scan.
    """
    offset = start
    size = first_chunk
    carry = b""
    while not cancelled.is_set():
        handle.seek(offset + len(carry))
        data = handle.read(size)
        if not data:
            return
        block = carry + data
        view = np.frombuffer(block, dtype=np.uint8)
        newlines = np.flatnonzero(view == _NEWLINE).astype(np.int64)
        if len(newlines) == 0:
            carry = block
            size = CHUNK
            continue
        line_starts = np.concatenate((np.zeros(1, dtype=np.int64), newlines[:-1] + 1))
        keep = _kept_lines(block, line_starts, newlines, log_filter)
        end_of_lines = int(newlines[-1]) + 1
        yield line_starts[keep] + offset, newlines[keep] + offset, offset + end_of_lines
        carry = block[end_of_lines:]
        offset += end_of_lines
        size = CHUNK


def _kept_lines(
    block: bytes, starts: OffsetArray, ends: OffsetArray, log_filter: LogFilter
) -> npt.NDArray[np.bool_]:
    keep = ends > starts  # drop empty lines
    if log_filter.is_empty:
        return keep
    lowered = block[: int(ends[-1]) + 1].lower()  # complete lines only, not the tail
    for needle in _needles(log_filter):
        keep &= _lines_containing(lowered, needle, starts)
    if log_filter.min_level:
        # Lines written by the app's formatter name their level as `"level": "<NAME>"` (quotes
        # inside values are escaped), so only lines with an allowed name need parsing.
        allowed = np.zeros(len(starts), dtype=np.bool_)
        for name, number in LEVELS.items():
            if number >= log_filter.min_level:
                allowed |= _lines_containing(lowered, f'"level": "{name.lower()}"'.encode(), starts)
        keep &= allowed
    if log_filter.needs_record:
        for index in np.flatnonzero(keep):
            record = parse_line(block[starts[index] : ends[index]])
            if not log_filter.accepts(record):
                keep[index] = False
    return keep


def _needles(log_filter: LogFilter) -> list[bytes]:
    words = (log_filter.text, log_filter.component, log_filter.correlation_id)
    return [word.lower().encode("utf-8") for word in words if word]


def _lines_containing(lowered: bytes, needle: bytes, starts: OffsetArray) -> npt.NDArray[np.bool_]:
    hits: list[int] = []
    position = lowered.find(needle)
    while position != -1:
        hits.append(position)
        line_end = lowered.find(b"\n", position)
        if line_end == -1:
            break
        position = lowered.find(needle, line_end + 1)
    mask = np.zeros(len(starts), dtype=np.bool_)
    if hits:
        rows = np.searchsorted(starts, np.asarray(hits, dtype=np.int64), side="right") - 1
        mask[rows] = True
    return mask


def read_span(handle: BinaryIO, start: int, end: int) -> bytes:
    """The bytes of one line."""
    handle.seek(start)
    return handle.read(end - start)


def export_lines(
    source: Path,
    starts: OffsetArray,
    ends: OffsetArray,
    target: Path,
    write: Callable[[Any, bytes], None],
    header: Callable[[Any], None] | None = None,
) -> int:
    """Write the given lines of ``source`` to ``target`` with ``write(out, raw_line)``.

    Args:
        source: the log file.
        starts: line start offsets.
        ends: line end offsets.
        target: the file to create.
        write: writes one line to the open text file ``out``.
        header: writes a header first (CSV), or None.

    Returns:
        The number of lines written.

    Raises:
        OSError: a file cannot be read or written.
    """
    with source.open("rb") as handle, target.open("w", encoding="utf-8", newline="") as out:
        if header is not None:
            header(out)
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            write(out, read_span(handle, start, end))
    return len(starts)
