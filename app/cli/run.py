"""``cryptobot run``: the trading engine without the window (servers, terminals, services).

With no settings file it trades on paper, offline, on the bundled demo candles with the
sma_cross strategy. Ctrl-C or SIGTERM stops it cleanly: strategies stopped, workers cancelled,
the exchange closed and the store flushed.
"""

from __future__ import annotations

import argparse
import signal
import threading
import tomllib
from pathlib import Path
from typing import Any

from app.core.enums import TradingMode

DEFAULT_STRATEGY = "sma_cross"


def register(subparsers: Any) -> None:
    """Add the ``run`` sub-command."""
    parser = subparsers.add_parser(
        "run",
        help="run the trading engine headless (no window)",
        description="Run the trading engine without the desktop window. With no settings it "
        "paper-trades offline on the bundled demo candles. Stop it with Ctrl-C or SIGTERM.",
    )
    parser.add_argument("--config", type=Path, metavar="FILE", help="settings file (TOML)")
    parser.add_argument(
        "--mode",
        choices=[m.value for m in TradingMode],
        help="override the settings' trading mode (live needs the confirmation in the app)",
    )
    parser.add_argument(
        "--strategy",
        default=DEFAULT_STRATEGY,
        help=f"strategy to run (default {DEFAULT_STRATEGY}); 'none' runs no strategy",
    )
    parser.add_argument("--symbol", help="market of the strategy (default: from the settings)")
    parser.add_argument("--timeframe", help="timeframe of the strategy (default: the settings')")
    parser.add_argument(
        "--metrics-port",
        type=int,
        metavar="PORT",
        help="serve Prometheus metrics on 127.0.0.1:PORT (off by default)",
    )
    parser.add_argument(
        "--status-every",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="print a status line this often (default 10)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the engine until SIGINT/SIGTERM; returns the exit code.

    Raises:
        ConfigError: unreadable/invalid settings, live not confirmed, keys missing.
    """
    from app.config.paths import resolve_paths
    from app.config.settings import load_settings
    from app.engine.builder import build_engine
    from app.observability.app_logging import configure_app_logging

    paths = resolve_paths()
    if args.config is not None:
        settings, found = _settings_from_file(args.config), True
    else:
        loaded = load_settings(paths)
        settings, found = loaded.settings, not loaded.first_run
        for warning in loaded.warnings:
            print(f"warning: {warning}")
    mode = TradingMode(args.mode) if args.mode else settings.general.mode
    if not found and mode is TradingMode.OFFLINE:
        print(
            "No settings found: running offline paper trading on the bundled demo data "
            f"with {args.strategy}. Run 'cryptobot' to set up an exchange."
        )
    logging_settings = settings.logging
    handle = configure_app_logging(logging_settings, paths)
    try:
        metrics = _metrics_server(args.metrics_port)
        try:
            facade = build_engine(settings, paths, mode=mode, secret_store=_secret_store(mode))
            _serve(facade, args, settings, mode)
        finally:
            if metrics is not None:
                metrics.stop()
    finally:
        handle.close()
    print("stopped cleanly", flush=True)
    return 0


def _serve(facade: Any, args: argparse.Namespace, settings: Any, mode: TradingMode) -> None:
    """Start the strategy and the engine, print status lines until a stop signal."""
    from app.engine.specs import StrategySpec

    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        if args.strategy != "none":
            offline = mode is TradingMode.OFFLINE
            symbol = args.symbol or (
                settings.replay.symbol if offline else settings.general.symbols[0]
            )
            timeframe = args.timeframe or (
                settings.replay.timeframe if offline else settings.general.timeframe
            )
            spec = StrategySpec(args.strategy, symbol, timeframe)
            strategy_id = facade.start_strategy(spec).result(30)
            print(f"strategy {strategy_id}: {args.strategy} on {symbol} {timeframe}")
        facade.start().result(120)
        print(f"running in {mode} mode; press Ctrl-C to stop", flush=True)
        replay_done = False
        while not stop.wait(max(0.1, args.status_every)):
            print(_status_line(facade), flush=True)
            health = facade.worker_health().get("market_data")
            if not replay_done and health is not None and health.status == "finished":
                replay_done = True
                print("the replay data has been played to the end; press Ctrl-C to stop")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        print("stopping...", flush=True)
        facade.shutdown()


def _settings_from_file(path: Path) -> Any:
    from app.config.validation import format_problems, settings_from_dict, settings_problems
    from app.core.errors import ConfigError

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"--config {path}: cannot read the settings file ({exc})") from exc
    problems = settings_problems(data)
    if problems:
        raise ConfigError(format_problems(problems, f"{path} (fix them and start again)"))
    return settings_from_dict(data)


def _secret_store(mode: TradingMode) -> Any:
    if not mode.uses_real_orders:
        return None
    from app.security.keyring_store import KeyringSecretStore

    return KeyringSecretStore()


def _metrics_server(port: int | None) -> Any:
    if port is None:
        return None
    from app.engine.prometheus import MetricsServer

    server = MetricsServer(port)
    server.start()
    print(f"metrics: http://127.0.0.1:{server.port}/metrics")
    return server


def _status_line(facade: Any) -> str:
    pnl = facade.pnl()
    strategies = facade.strategies()
    trades = sum(s.trades for s in strategies)
    open_positions = (
        ", ".join(f"{p.symbol} {p.quantity}" for p in facade.positions() if p.quantity) or "flat"
    )
    return (
        f"status: equity {pnl.equity:.2f}, realised {pnl.realised_pnl:.2f}, "
        f"unrealised {pnl.unrealised_pnl:.2f}, fees {pnl.fees_paid:.2f}, trades {trades}, "
        f"positions {open_positions}"
    )
