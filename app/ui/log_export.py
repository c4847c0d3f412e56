"""Export the shown log records as JSON lines (the lines as written) or CSV (main fields)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from app.ui.log_reader import OffsetArray, export_lines, parse_line

CSV_FIELDS: tuple[str, ...] = ("ts", "level", "component", "message", "correlation_id", "extras")
_MAIN_KEYS = frozenset({"ts", "ts_ms", "level", "component", "message", "correlation_id"})


def export_records(source: Path, starts: OffsetArray, ends: OffsetArray, target: Path) -> int:
    """Write the lines of ``source`` at the given offsets to ``target``.

    A ``.csv`` target gets one row per record (``extras`` holds every other field as JSON);
    anything else gets the original JSON lines, unchanged.

    Returns:
        The number of records written.

    Raises:
        OSError: a file cannot be read or written.
    """
    if target.suffix.lower() == ".csv":
        return export_lines(source, starts, ends, target, _write_csv_row, _write_csv_header)
    return export_lines(source, starts, ends, target, _write_json_line)


class ExportError(OSError):
    """An export failed; carries the target file and the reason (the viewer shows both)."""

    def __init__(self, target: Path, reason: str) -> None:
        super().__init__(reason)
        self.target = target
        self.reason = reason


def export_job(
    source: Path, starts: OffsetArray, ends: OffsetArray, target: Path
) -> tuple[Path, int]:
    """:func:`export_records` for a background thread: the target and the count.

    Raises:
        ExportError: a file cannot be read or written.
    """
    try:
        return target, export_records(source, starts, ends, target)
    except OSError as exc:
        raise ExportError(target, str(exc.strerror or exc)) from exc


def _write_json_line(out: Any, raw: bytes) -> None:
    out.write(raw.decode("utf-8", errors="replace").rstrip("\r"))
    out.write("\n")


def _write_csv_header(out: Any) -> None:
    csv.writer(out).writerow(CSV_FIELDS)


def _write_csv_row(out: Any, raw: bytes) -> None:
    record = parse_line(raw)
    extras = {key: value for key, value in record.items() if key not in _MAIN_KEYS}
    csv.writer(out).writerow(
        [
            record.get("ts", ""),
            record.get("level", ""),
            record.get("component", ""),
            record.get("message", ""),
            record.get("correlation_id") or "",
            json.dumps(extras, ensure_ascii=False, default=str) if extras else "",
        ]
    )
