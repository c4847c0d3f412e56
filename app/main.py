"""Composition root of the desktop app: the only place that wires concrete classes together.

Start-up order: paths, settings (a bad file is shown, never overwritten), logging, the Qt
application and theme, the engine (stopped), the main window; candles load after the window
shows. On exit the engine is shut down (strategies stopped, exchange closed, store flushed).
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QWidget

    from app.config.paths import AppPaths
    from app.config.schema import Settings
    from app.core.ports import SecretStorePort
    from app.engine.facade import EngineFacade
    from app.observability.logging_config import LoggingHandle
    from app.strategies.registry import StrategyRegistry
    from app.ui.main_window import MainWindow
    from app.ui.pending_facade import PendingFacade

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_CONFIG = 2
DEFAULT_SCREENSHOT_DELAY_MS = 4000


def parse_args(argv: Sequence[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """The app's options and the remaining (Qt) arguments."""
    parser = argparse.ArgumentParser(prog="cryptobot gui", add_help=True)
    parser.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--screenshot", type=Path, metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument(
        "--screenshot-delay", type=int, default=DEFAULT_SCREENSHOT_DELAY_MS, help=argparse.SUPPRESS
    )
    parser.add_argument("--theme", choices=("dark", "light"), help="colour theme for this run")
    parser.add_argument(
        "--demo",
        metavar="STRATEGY",
        help="offline mode only: start the engine and run STRATEGY on the replay data",
    )
    return parser.parse_known_args(list(argv or []))


def main(argv: Sequence[str] | None = None) -> int:
    """Open the main window and run the Qt event loop; returns the exit code."""
    started = time.perf_counter()
    args, qt_args = parse_args(argv)

    from app.config.paths import resolve_paths
    from app.config.schema import Theme
    from app.core.errors import ConfigError
    from app.ui.app import configure_qsettings, create_application, show_fatal

    paths = resolve_paths()
    try:
        settings, first_run, warnings = _load_settings(paths)
    except ConfigError as exc:
        if args.smoke or args.screenshot:
            print(f"cryptobot gui: settings problem: {exc}", file=sys.stderr)
            return EXIT_CONFIG
        create_application(qt_args)
        show_fatal("Settings problem", str(exc))
        return EXIT_CONFIG
    theme = Theme(args.theme) if args.theme else settings.general.theme
    log_handle = _configure_logging(settings, paths)
    app = create_application(qt_args, theme)
    configure_qsettings(paths)
    try:
        return _run(app, args, settings, paths, log_handle, first_run, warnings, started)
    finally:
        log_handle.close()


def _load_settings(paths: AppPaths) -> tuple[Settings, bool, list[str]]:
    from app.config.settings import load_settings

    paths.ensure()
    loaded = load_settings(paths)
    return loaded.settings, loaded.first_run, loaded.warnings


def _configure_logging(settings: Settings, paths: AppPaths) -> LoggingHandle:
    from app.observability.app_logging import configure_app_logging

    return configure_app_logging(settings.logging, paths)


def _run(
    app: QApplication,
    args: argparse.Namespace,
    settings: Settings,
    paths: AppPaths,
    log_handle: LoggingHandle,
    first_run: bool,
    warnings: list[str],
    started: float,
) -> int:
    from concurrent.futures import ThreadPoolExecutor

    from app.config.schema import Theme
    from app.strategies.registry import default_registry
    from app.ui.app import ExceptionHook, run_event_loop
    from app.ui.main_window import MainWindow
    from app.ui.pending_facade import PendingFacade

    window_ref: list[MainWindow] = []
    hook = ExceptionHook(lambda: window_ref[0] if window_ref else None)
    hook.install()
    keys = KeyStoreProvider(paths)
    unattended = bool(args.smoke or args.screenshot)
    if first_run and not unattended:
        settings = _first_run_wizard(settings, paths, keys)
    registry = default_registry()
    if paths.strategies_dir.is_dir():
        for problem in registry.load_user_strategies(paths.strategies_dir):
            warnings.append(f"User strategy not loaded: {problem}")
    # Keys are asked for on this thread (it may show a dialog); the engine is built on a worker
    # thread while the window is created and shown (measured: sooner ready than building after
    # the show, and the window appears as fast), then attached.
    store = keys() if settings.general.mode.uses_real_orders else None
    builder = ThreadPoolExecutor(1, thread_name_prefix="engine-build")
    builds: list[Future[EngineFacade]] = []

    builds.append(builder.submit(_build_engine, settings, paths, warnings, store, registry))
    pending = PendingFacade(settings.general.mode, settings.risk)
    outcome = StartupOutcome()
    try:
        window = MainWindow(
            pending,
            settings=settings,
            paths=paths,
            registry=registry,
            log_handle=log_handle,
            secret_store=keys,
        )
        window_ref.append(window)
        window.confirm_quit = not unattended
        keys.parent = window
        hook.on_error = window.notifier.on_error
        if args.theme is None:
            window.restore_saved_theme()
        else:
            window.set_theme(Theme(args.theme), remember=False)
        startup = Startup(window, args, warnings, started, outcome)
        run_event_loop(app, lambda: startup.shown(builds[0]))
        return outcome.exit_code
    finally:
        hook.uninstall()
        for build in builds:
            _shutdown(pending, build)
        builder.shutdown(wait=False)


class StartupOutcome:
    """Exit code of an unattended run (1 when the engine could not be built)."""

    def __init__(self) -> None:
        self.exit_code = EXIT_OK


class Startup:
    """Shows the window, attaches the engine when it is built, then runs --demo/--smoke/
    --screenshot.

    Args:
        window: the main window (created with a pending facade).
        args: the parsed options.
        warnings: messages for the user (the engine build may add to them).
        started: ``time.perf_counter()`` when ``main`` began.
        outcome: where a failure's exit code goes.
    """

    def __init__(
        self,
        window: MainWindow,
        args: argparse.Namespace,
        warnings: list[str],
        started: float,
        outcome: StartupOutcome,
    ) -> None:
        self.window = window
        self.args = args
        self.warnings = warnings
        self.started = started
        self.outcome = outcome

    def shown(self, build: Future[EngineFacade]) -> None:
        """Show the window and wait (without blocking) for the engine being built."""
        from app.ui.bridge import when_done

        self.window.show()
        elapsed_ms = (time.perf_counter() - self.started) * 1000
        logger.info("main window shown %.0f ms after start", elapsed_ms)
        if self.args.smoke:
            print(f"cryptobot gui: window shown in {elapsed_ms:.0f} ms", flush=True)
        when_done(build, self.attached, self.failed, self.window)

    def attached(self, facade: EngineFacade) -> None:
        """The engine is built: attach it and run the unattended options."""
        from PySide6.QtCore import QTimer

        from app.ui.messages import show_message

        self.window.attach_engine(facade)
        elapsed_ms = (time.perf_counter() - self.started) * 1000
        logger.info("engine ready %.0f ms after start", elapsed_ms)
        if self.warnings:
            show_message(self.window, "Start-up", "\n\n".join(self.warnings))
        if self.args.demo:
            _start_demo(self.window, facade, self.args.demo)
        if self.args.smoke:
            print(f"cryptobot gui: engine ready in {elapsed_ms:.0f} ms", flush=True)
            QTimer.singleShot(0, self.window.close)
        if self.args.screenshot:
            QTimer.singleShot(
                self.args.screenshot_delay, lambda: _screenshot(self.window, self.args.screenshot)
            )

    def failed(self, error: BaseException) -> None:
        """The engine could not be built: tell the user (unattended runs exit with 1)."""
        logger.error("engine not built: %s", error, exc_info=error)
        if self.args.smoke or self.args.screenshot:
            print(f"cryptobot gui: engine not built: {error}", file=sys.stderr, flush=True)
            self.outcome.exit_code = 1
            self.window.close()
            return
        self.window.engine_failed(str(error))


def _shutdown(pending: PendingFacade, build: Future[EngineFacade]) -> None:
    """Shut the engine down, waiting for a build still in progress."""
    try:
        facade = build.result()
    except Exception:
        logger.info("no engine to shut down (it was not built)")
        return
    if pending.attached is None:
        pending.attach(facade)
    pending.shutdown()


class KeyStoreProvider:
    """Asks once for the API key store (the OS keyring, or the opt-in encrypted key file) and
    remembers the answer; None when the user declined (offline and paper modes need no keys).
    """

    def __init__(self, paths: AppPaths) -> None:
        self._paths = paths
        self._asked = False
        self._store: SecretStorePort | None = None
        self.parent: QWidget | None = None

    def __call__(self) -> SecretStorePort | None:
        """The store (asked for on the first call)."""
        if not self._asked:
            self._asked = True
            try:
                from app.ui.secret_store_factory import open_secret_store
            except ImportError:
                from app.security.keyring_store import KeyringSecretStore

                self._store = KeyringSecretStore()
            else:
                self._store = open_secret_store(self.parent, self._paths)
        return self._store


def _first_run_wizard(settings: Settings, paths: AppPaths, keys: KeyStoreProvider) -> Settings:
    try:
        from app.ui.wizard import run_setup_wizard
    except ImportError as exc:
        logger.warning("setup wizard not available (%s); starting offline with defaults", exc)
        return settings
    store = keys()
    if store is None:
        logger.warning("no key store; the setup wizard is skipped, starting with defaults")
        return settings
    saved = run_setup_wizard(None, settings, paths, store)
    return settings if saved is None else saved


def _build_engine(
    settings: Settings,
    paths: AppPaths,
    warnings: list[str],
    store: SecretStorePort | None,
    registry: StrategyRegistry,
) -> EngineFacade:
    """The engine for ``settings``; on a configuration problem, offline mode plus a warning."""
    from app.core.enums import TradingMode
    from app.core.errors import ConfigError
    from app.engine.builder import build_engine

    try:
        return build_engine(settings, paths, secret_store=store, registry=registry)
    except ConfigError as exc:
        if settings.general.mode is TradingMode.OFFLINE:
            raise
        warnings.append(
            f"{settings.general.mode.value.upper()} mode could not start: {exc}\n"
            "Cryptobot opened in OFFLINE paper mode instead (no real orders). Fix the "
            "problem in Tools > Settings and restart."
        )
        return build_engine(settings, paths, mode=TradingMode.OFFLINE, registry=registry)


def _start_demo(window: MainWindow, facade: EngineFacade, strategy: str) -> None:
    from app.core.enums import TradingMode

    if facade.mode is not TradingMode.OFFLINE:
        logger.error("--demo runs only in offline mode; the engine stays stopped")
        return
    window.start_engine()
    window.strategy_panel.select_strategy(strategy)
    symbol = window.settings.replay.symbol
    window.strategy_panel.symbol_box.setCurrentText(symbol)
    window.strategy_panel.timeframe_box.setCurrentText(window.settings.replay.timeframe)
    window.chart_panel.set_symbols([symbol], symbol)
    window.chart_panel.set_timeframes(
        [window.settings.replay.timeframe], window.settings.replay.timeframe
    )
    for study, button in window.chart_panel.overlay_buttons.items():
        button.setChecked(study.label in ("SMA(20)", "SMA(50)"))
    window.strategy_panel.sizing.set_kind("fixed_quote")
    window.strategy_panel.sizing.fields["amount"].setText("1000")
    window.engine_started.connect(window.strategy_panel.on_start_clicked)


def _screenshot(window: MainWindow, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    window.chart_panel.chart.flush_live_updates()
    if window.grab().save(str(path)):
        logger.info("screenshot saved to %s", path)
    else:
        logger.error("could not save the screenshot to %s", path)
    window.close()
