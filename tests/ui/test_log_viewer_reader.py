"""Offset scanning across chunk boundaries, with every filter, against a line-by-line reference."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from app.ui import log_reader
from app.ui.log_reader import LEVELS, LogFilter, parse_line, scan_lines

FILTERS = [
    LogFilter(),
    LogFilter(min_level=LEVELS["WARNING"]),
    LogFilter(component="app.exchange"),
    LogFilter(text="ORDER 1"),
    LogFilter(correlation_id="cb-3"),
    LogFilter(min_level=LEVELS["INFO"], text="qty", component="app.engine"),
]


def _reference(lines: list[str], log_filter: LogFilter) -> list[str]:
    kept = []
    for line in lines:
        record = json.loads(line)
        if log_filter.text and log_filter.text.lower() not in line.lower():
            continue
        if log_filter.accepts(record):
            kept.append(line)
    return kept


@pytest.mark.parametrize("log_filter", FILTERS)
def test_scan_with_tiny_chunks_matches_line_by_line_filtering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log_filter: LogFilter
) -> None:
    levels = list(LEVELS)
    components = ["app.engine.executor", "app.exchange.paper", "app.risk"]
    lines = [
        json.dumps(
            {
                "level": levels[index % 5],
                "component": components[index % 3],
                "message": f"order {index} qty 0.{index}" if index % 2 else "tick \u00e9\u00e8",
                "correlation_id": f"cb-{index % 7}" if index % 4 else None,
            },
            ensure_ascii=False,
        )
        for index in range(400)
    ]
    path = tmp_path / "cryptobot.jsonl"
    path.write_text("\n".join(lines) + "\n" + '{"level": "ERROR", "message": "half', "utf-8")
    monkeypatch.setattr(log_reader, "CHUNK", 97)
    shown: list[str] = []
    last = 0
    with path.open("rb") as handle:
        for starts, ends, next_offset in scan_lines(handle, 0, log_filter, threading.Event(), 13):
            assert next_offset >= last
            last = next_offset
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
                handle.seek(start)
                shown.append(handle.read(end - start).decode("utf-8"))
            handle.seek(0)
    assert shown == _reference(lines, log_filter)
    assert last == len(("\n".join(lines) + "\n").encode("utf-8"))


def test_parse_line_keeps_unparseable_text() -> None:
    assert parse_line(b"[1, 2]\n") == {"level": "?", "message": "[1, 2]", "invalid": True}
    assert parse_line(b'{"level": "INFO"}\r\n') == {"level": "INFO"}
