"""configure_logging end to end: JSON lines on disk, rotation, no secret in any output."""

from __future__ import annotations

import logging
import os
import re
import sys
import time
import warnings
from pathlib import Path

import pytest

from app.core.errors import ConfigError
from app.observability.correlation import correlation_scope
from app.observability.logging_config import log_retention
from app.observability.redaction import register_secret
from tests.observability.conftest import Configure, read_json_lines

API_KEY = "AKIA-7hG2kq93LmZx0PqR"
API_SECRET = "s3cr3t/Zq+8vW==tail"
PASSPHRASE = "correct horse battery"


class ExchangeRejected(Exception):
    pass


def log_everything(log: logging.Logger) -> None:
    """Push the secrets through every way a careless call could leak them."""
    log.info("signing with key %s and secret %s", API_KEY, API_SECRET)
    log.warning(f"f-string leak: {API_SECRET} / {PASSPHRASE}")  # noqa: G004 (the point)
    log.info("order sent", extra={"request_url": f"https://api.x/order?apiKey={API_KEY}"})
    log.info(
        "nested",
        extra={"payload": {"auth": {"headers": [f"Bearer {API_SECRET}"]}, "note": PASSPHRASE}},
    )
    log.info("by name", extra={"api_secret": "never-registered-value-123"})
    log.debug("config %r", {"apiKey": API_KEY, "secret": API_SECRET})
    log.info("by name nested", extra={"ccxt": {"password": "another-unregistered-456"}})
    try:
        try:
            raise KeyError(API_KEY)
        except KeyError as inner:
            raise ExchangeRejected(f"signature invalid for secret {API_SECRET}") from inner
    except ExchangeRejected:
        log.exception("order failed for %s", "BTC/USDT")
    log.error("stack", stack_info=True, extra={"context": PASSPHRASE})
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(f"deprecated option used with {API_SECRET}", UserWarning, stacklevel=1)


def test_no_secret_reaches_any_output(
    configure: Configure, log_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    handle = configure(level="DEBUG", max_bytes=2048, backups=3, console=True)
    for value in (API_KEY, API_SECRET, PASSPHRASE):
        register_secret(value)
    log = logging.getLogger("app.exchange.adapter")
    for _ in range(5):  # enough to rotate, so rotated files are scanned too
        log_everything(log)
    handle.close()

    files = sorted(log_dir.iterdir())
    assert len(files) > 1, "expected rotated files"
    forbidden = (
        API_KEY,
        API_SECRET,
        PASSPHRASE,
        "never-registered-value-123",
        "another-unregistered-456",
        "s3cr3t%2FZq%2B8vW%3D%3Dtail",
    )
    everything = "".join(path.read_text(encoding="utf-8") for path in files)
    everything += capsys.readouterr().err
    everything += "".join(repr(entry) for entry in handle.ring.snapshot())
    for secret in forbidden:
        assert secret not in everything, f"{secret!r} leaked"
    # ... while the records themselves were written, with the secrets masked.
    assert "signing with key *** and secret ***" in everything
    assert "signature invalid for secret ***" in everything
    assert "order failed for BTC/USDT" in everything
    assert "deprecated option used with ***" in everything


def test_json_lines_have_the_documented_fields(configure: Configure, log_dir: Path) -> None:
    configure(console=False)
    log = logging.getLogger("app.engine.executor")
    log.info("placed %s", "cb-1", extra={"symbol": "BTC/USDT", "qty": 2})
    with correlation_scope("abc123"):
        log.warning("bound")
    log.info("explicit", extra={"correlation_id": "given"})
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError:
        log.exception("boom")
    log.debug("below the level")

    lines = read_json_lines(log_dir / "cryptobot.jsonl")
    assert [line["message"] for line in lines] == ["placed cb-1", "bound", "explicit", "boom"]
    first = lines[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["ts"])
    assert abs(first["ts_ms"] - time.time() * 1000) < 60_000
    assert first["level"] == "INFO"
    assert first["component"] == "app.engine.executor"
    assert first["correlation_id"] is None
    assert first["symbol"] == "BTC/USDT"
    assert first["qty"] == 2
    assert "exc_info" not in first
    assert lines[1]["correlation_id"] == "abc123"
    assert lines[2]["correlation_id"] == "given"
    assert lines[3]["level"] == "ERROR"
    assert lines[3]["exc_info"].startswith("Traceback")
    assert "ZeroDivisionError" in lines[3]["exc_info"]


def test_extra_field_clashing_with_a_json_key_is_kept_renamed(
    configure: Configure, log_dir: Path
) -> None:
    configure(console=False)
    logging.getLogger("app.x").info("hello", extra={"level": "custom", "ts": 5})
    (line,) = read_json_lines(log_dir / "cryptobot.jsonl")
    assert line["level"] == "INFO"
    assert line["extra_level"] == "custom"
    assert line["extra_ts"] == 5


def test_file_rotates_at_max_bytes_and_keeps_backups(configure: Configure, log_dir: Path) -> None:
    configure(console=False, max_bytes=4096, backups=2)
    log = logging.getLogger("app.storage")
    for index in range(400):
        log.info("candle %05d stored", index)
    names = sorted(path.name for path in log_dir.iterdir())
    assert names == ["cryptobot.jsonl", "cryptobot.jsonl.1", "cryptobot.jsonl.2"]
    for path in log_dir.iterdir():
        assert path.stat().st_size <= 4096
        assert read_json_lines(path)  # every line of every file is whole JSON
    newest = read_json_lines(log_dir / "cryptobot.jsonl")
    assert newest[-1]["message"] == "candle 00399 stored"


def test_console_is_readable(configure: Configure, capsys: pytest.CaptureFixture[str]) -> None:
    configure(console=True)
    with correlation_scope("c0ffee"):
        logging.getLogger("app.risk").warning("limit hit", extra={"symbol": "ETH/USDT"})
    line = capsys.readouterr().err.strip()
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d\.\d{3} WARNING  app\.risk: limit hit symbol=ETH/USDT \[c0ffee\]", line
    )


def test_console_can_be_turned_off(
    configure: Configure, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(console=False)
    logging.getLogger("app.risk").warning("quiet")
    assert "quiet" not in capsys.readouterr().err


def test_windowed_build_without_stderr_skips_the_console(
    configure: Configure, log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stderr", None)
    handle = configure(console=True)
    assert not any(type(handler) is logging.StreamHandler for handler in handle.handlers)
    logging.getLogger("app.ui").warning("still logged to file")
    lines = read_json_lines(log_dir / "cryptobot.jsonl")
    assert lines[-1]["message"] == "still logged to file"


def test_component_levels_and_restore_on_close(configure: Configure, log_dir: Path) -> None:
    root = logging.getLogger()
    root_before = root.level
    handle = configure(level="WARNING", component_levels={"app.exchange": "debug"}, console=False)
    logging.getLogger("app.exchange.ws").debug("frame received")
    logging.getLogger("app.engine").info("dropped")
    logging.getLogger("app.engine").warning("kept")
    handle.close()
    messages = [line["message"] for line in read_json_lines(log_dir / "cryptobot.jsonl")]
    assert messages == ["frame received", "kept"]
    assert logging.getLogger("app.exchange").level == logging.NOTSET
    assert root.level == root_before


def test_set_level_at_run_time(configure: Configure) -> None:
    handle = configure(level="INFO", console=False)
    handle.set_level("DEBUG", "app.strategies")
    logging.getLogger("app.strategies.sma").debug("crossing")
    assert [entry.message for entry in handle.ring.snapshot()][-1] == "crossing"
    with pytest.raises(ConfigError, match=r"logging\.level: must be one of"):
        handle.set_level("CHATTY")


def test_reconfiguring_replaces_only_own_handlers(configure: Configure, log_dir: Path) -> None:
    root = logging.getLogger()
    foreign = logging.NullHandler()
    root.addHandler(foreign)
    try:
        before = list(root.handlers)
        first = configure(console=False)
        second = configure(console=True)
        assert foreign in root.handlers
        assert not any(handler in root.handlers for handler in first.handlers)
        assert all(handler in root.handlers for handler in second.handlers)
        assert len(root.handlers) == len(before) + len(second.handlers)
        logging.getLogger("app.x").info("once")
        lines = read_json_lines(log_dir / "cryptobot.jsonl")
        assert [line["message"] for line in lines].count("once") == 1
        second.close()
        assert root.handlers == before
    finally:
        root.removeHandler(foreign)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"level": "LOUD"}, "logging.level: must be one of"),
        ({"component_levels": {"ccxt": "noisy"}}, "logging.component_levels.ccxt"),
        ({"max_bytes": 10}, "logging.max_bytes"),
        ({"backups": 0}, "logging.backups"),
    ],
)
def test_bad_options_are_refused(
    configure: Configure, options: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        configure(**options)


def test_retention_deletes_only_old_rotated_files(tmp_path: Path) -> None:
    now = time.time()
    old = now - 31 * 86_400
    files = {
        "cryptobot.jsonl": old,  # the live file: never deleted
        "cryptobot.jsonl.1": now,
        "cryptobot.jsonl.2": old,
        "cryptobot.jsonl.3": old,
        "crash.log.1": old,
        "notes.txt": old,
        "cryptobot.jsonl.bak": old,
    }
    for name, mtime in files.items():
        path = tmp_path / name
        path.write_text("{}\n", encoding="utf-8")
        os.utime(path, (mtime, mtime))
    deleted = log_retention(tmp_path, 30, now=now)
    assert sorted(path.name for path in deleted) == [
        "crash.log.1",
        "cryptobot.jsonl.2",
        "cryptobot.jsonl.3",
    ]
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "cryptobot.jsonl",
        "cryptobot.jsonl.1",
        "cryptobot.jsonl.bak",
        "notes.txt",
    ]


def test_retention_of_missing_folder_is_a_no_op(tmp_path: Path) -> None:
    assert log_retention(tmp_path / "absent", 30) == []
