"""The self-test checks: each proves one part of the installed app works, in a scratch home.

A check returns ``(status, detail)``; any exception it raises is a failure whose message is the
reason (the runner records it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from app.config.paths import AppPaths, resource_path
from app.diagnostics.report import Status

logger = logging.getLogger(__name__)

Outcome = tuple[Status, str]

DEMO_FILE = "btc_usdt_1h.csv"
BACKTEST_STRATEGY = "sma_cross"
BACKTEST_BARS = 500
ENGINE_START_TIMEOUT_S = 30.0
REQUIRED_TABLES = frozenset(
    {"alembic_version", "orders", "fills", "audit_log", "backtest_runs", "candle_series"}
)
KEYRING_ENTRY_POINTS = "keyring.backends"
REQUIRED_RESOURCES = (
    "icons/cryptobot.svg",
    "icons/cryptobot.png",
    "styles/dark.qss",
    "styles/light.qss",
    f"demo/{DEMO_FILE}",
)


@dataclass(frozen=True, slots=True)
class SelfTestContext:
    """Where the checks work.

    Attributes:
        paths: the scratch application directories (created), never the user's own.
        demo_dir: folder of the bundled demo candles.
        resources_dir: the bundled ``resources`` folder (default: the app's own).
    """

    paths: AppPaths
    demo_dir: Path
    resources_dir: Path | None = None


def check_resources(context: SelfTestContext) -> Outcome:
    """The files the app loads from ``resources/`` are installed: icon, themes, demo candles."""
    root = context.resources_dir or resource_path()
    missing = [name for name in REQUIRED_RESOURCES if not (root / name).is_file()]
    if missing:
        return Status.FAIL, (
            f"missing from {root}: {', '.join(missing)}; the install is incomplete: "
            "reinstall Cryptobot"
        )
    return Status.PASS, f"icon, themes and demo candles present in {root}"


def check_database(context: SelfTestContext) -> Outcome:
    """Migrate a fresh SQLite database to the newest schema, twice (the second is a no-op).

    Raises:
        StorageError: a migration failed or the migration scripts are missing.
    """
    from sqlalchemy import inspect, text

    from app.storage.database import Database

    file = context.paths.data_dir / "selftest.sqlite"
    database = Database(f"sqlite:///{file.as_posix()}")
    try:
        database.migrate()
        database.migrate()
        with database.connect(readonly=True) as connection:
            tables = set(inspect(connection).get_table_names())
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        database.dispose()
    missing = sorted(REQUIRED_TABLES - tables)
    if missing:
        return Status.FAIL, (
            f"the migrated database lacks tables {', '.join(missing)}; the bundled migrations "
            "are incomplete: reinstall Cryptobot"
        )
    return Status.PASS, f"fresh database migrated to revision {revision} ({len(tables)} tables)"


def check_keyring(context: SelfTestContext) -> Outcome:
    """Find the keyring's plug-in backends and the active one (no secret is read or written).

    A machine without a usable keyring (headless Linux) is a warning: the app still works and
    offers the encrypted key file instead.
    """
    from app.security.keyring_store import keyring_status

    plugins = sorted(entry.name for entry in metadata.entry_points(group=KEYRING_ENTRY_POINTS))
    if not plugins:
        return Status.FAIL, (
            "keyring has no plug-in backends (no 'keyring.backends' entry points), so API keys "
            "could never reach the system keyring: the install is incomplete (a bundle must be "
            "built with the keyring package metadata); reinstall Cryptobot"
        )
    status = keyring_status()
    if not status.available:
        return Status.WARN, f"{status.message} (backend {status.backend})"
    return Status.PASS, status.message


def check_backtest(context: SelfTestContext) -> Outcome:
    """Backtest the built-in SMA cross on the last bars of the bundled demo candles.

    Raises:
        DataError: the demo candle file is missing or malformed.
        BacktestError, StrategyError: the backtest could not run.
    """
    from app.backtest import run_backtest
    from app.storage.candle_csv import read_candle_csv

    candles = read_candle_csv(context.demo_dir / DEMO_FILE)
    window = candles.tail(BACKTEST_BARS).reset_index(drop=True)
    result = run_backtest(
        BACKTEST_STRATEGY, window, cash="10000", fee="0.001", stake_pct="50", timeframe="1h"
    )
    if (
        result.bars != len(window)
        or not result.final_equity.is_finite()
        or result.final_equity <= 0
    ):
        return Status.FAIL, (
            f"the backtest of {len(window)} bars reported {result.bars} bars and final equity "
            f"{result.final_equity}; the backtest engine is broken in this install"
        )
    return Status.PASS, (
        f"{BACKTEST_STRATEGY} on {result.bars} bars of {DEMO_FILE}: {result.num_trades} trades, "
        f"equity 10,000.00 -> {result.final_equity:,.2f}"
    )


def check_engine(context: SelfTestContext) -> Outcome:
    """Build the engine in offline paper mode on the demo replay, start it, then shut it down.

    Raises:
        StorageError, DataError: the engine's database or replay data is unusable.
        TimeoutError: the engine did not start in time.
    """
    from app.config.schema import Settings
    from app.core.enums import TradingMode
    from app.engine.builder import build_engine

    settings = Settings()
    symbol = settings.replay.symbol
    facade = build_engine(
        settings, context.paths, mode=TradingMode.OFFLINE, demo_dir=context.demo_dir
    )
    try:
        facade.start().result(timeout=ENGINE_START_TIMEOUT_S)
        running = facade.is_running()
        markets = facade.markets()
        balances = facade.balances()
        health = facade.worker_health()
    finally:
        facade.shutdown()
    troubled = sorted(
        f"{name} ({item.last_error})" for name, item in health.items() if item.status == "backoff"
    )
    if not running:
        return Status.FAIL, "the engine reported it is not running after start"
    if symbol not in markets:
        return Status.FAIL, f"the offline exchange does not list the demo market {symbol}"
    if troubled:
        return Status.FAIL, f"engine workers keep crashing: {', '.join(troubled)}"
    cash = ", ".join(f"{balance.total} {asset}" for asset, balance in sorted(balances.items()))
    return Status.PASS, (
        f"offline paper engine started and stopped on the {symbol} replay "
        f"({len(health)} workers; paper balance {cash or 'empty'})"
    )
