"""JSON and console formats of single records."""

from __future__ import annotations

import json
import logging

from app.observability.formatters import ConsoleFormatter, JsonFormatter
from app.observability.redaction import RedactionFilter, register_secret


def make_record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("app.fmt", logging.WARNING, __file__, 1, msg, args or None, None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_line_formatted_before_redaction_is_not_reused() -> None:
    register_secret("k3y-material-xyz")
    record = make_record("key %s", "k3y-material-xyz")
    formatter = JsonFormatter()
    assert "k3y-material-xyz" in formatter.format(record)  # no filter yet: nothing cached
    RedactionFilter().filter(record)
    line = formatter.format(record)
    assert json.loads(line)["message"] == "key ***"
    assert formatter.format(record) == line


def test_values_json_cannot_encode_are_written_as_text() -> None:
    class Venue:
        def __str__(self) -> str:
            return "binance-spot"

    record = make_record("hello", venue=Venue(), ids={1, 2})
    RedactionFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["venue"] == "binance-spot"
    assert sorted(entry["ids"]) == [1, 2]
    assert entry["level"] == "WARNING"


def test_non_ascii_messages_stay_readable() -> None:
    record = make_record("Prix: %s €", "43 000")
    line = JsonFormatter().format(record)
    assert "€" in line
    assert json.loads(line)["message"] == "Prix: 43 000 €"


def test_console_line_without_extras_or_correlation() -> None:
    line = ConsoleFormatter().format(make_record("plain %d", 5))
    assert line.endswith(" WARNING  app.fmt: plain 5")
