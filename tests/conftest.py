"""Test-wide fixtures: isolated home, offscreen Qt, Decimal float traps, loopback-only network."""

from __future__ import annotations

import decimal
import gc
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from tests.memory_keyring import MemoryKeyring

# Must be set before any Qt module is imported (pytest-qt imports PySide6 at collection time).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """Folder of the real exchange candles (../shared/data), or the bundled demo copy."""
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    return REPO_ROOT / "resources" / "demo"


@pytest.fixture()
def data_dir() -> Path:
    """Folder with btc_usdt_1h.csv and the other shared candle files."""
    return shared_data_dir()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own CRYPTOBOT_HOME (settings, data, logs) and no DB override."""
    home = tmp_path / "cryptobot-home"
    monkeypatch.setenv("CRYPTOBOT_HOME", str(home))
    monkeypatch.delenv("CRYPTOBOT_DB_URL", raising=False)
    return home


@pytest.fixture(autouse=True)
def trap_float_operations() -> Iterator[None]:
    """Mixing float and Decimal on the order path raises instead of silently rounding."""
    context = decimal.getcontext()
    default_before = decimal.DefaultContext.traps[decimal.FloatOperation]
    before = context.traps[decimal.FloatOperation]
    context.traps[decimal.FloatOperation] = True
    decimal.DefaultContext.traps[decimal.FloatOperation] = True
    yield
    context.traps[decimal.FloatOperation] = before
    decimal.DefaultContext.traps[decimal.FloatOperation] = default_before


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_LOOPBACK = ("127.", "::1", "localhost")


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        return host.startswith(_LOOPBACK) or host in ("", "0.0.0.0")
    return True  # unix sockets and the like


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_loopback(address):
        raise ConnectionRefusedError(f"tests may only connect to 127.0.0.1, not {address!r}")
    _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_loopback(address):
        raise ConnectionRefusedError(f"tests may only connect to 127.0.0.1, not {address!r}")
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def loopback_only_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches the internet: only loopback connections are allowed."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _guarded_connect_ex)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Tests never touch the real OS keyring: an in-memory backend replaces it."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True, scope="session")
def garbage_collection_on_the_main_thread() -> Iterator[None]:
    """Automatic GC is off during tests; collect on the main thread after each test instead.

    A collection triggered on the engine or a worker thread may finalise Qt objects off the GUI
    thread, which crashes PySide6; the app does the same (see app.ui.app).
    """
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def collect_garbage_after_each_test() -> Iterator[None]:
    """Collect reference cycles on the main thread between tests."""
    yield
    gc.collect()
