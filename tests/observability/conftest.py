"""Fixtures for logging tests: a real log folder per test, secrets forgotten afterwards."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.observability.logging_config import LoggingHandle, configure_logging
from app.observability.redaction import clear_secrets

Configure = Callable[..., LoggingHandle]


@pytest.fixture(autouse=True)
def forget_secrets() -> Iterator[None]:
    """Each test starts and ends with an empty secret registry."""
    clear_secrets()
    yield
    clear_secrets()


@pytest.fixture()
def log_dir(tmp_path: Path) -> Path:
    """Folder for this test's log files."""
    return tmp_path / "logs"


@pytest.fixture()
def configure(log_dir: Path) -> Iterator[Configure]:
    """``configure(**options)`` installs logging into ``log_dir``; undone after the test."""
    handles: list[LoggingHandle] = []

    def setup(**options: Any) -> LoggingHandle:
        handle = configure_logging(log_dir, **options)
        handles.append(handle)
        return handle

    yield setup
    for handle in handles:
        handle.close()


def read_json_lines(path: Path) -> list[dict[str, Any]]:
    """Every line of a JSON-lines file, parsed (fails on a line that is not JSON)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
