"""Command line: ``cryptobot [COMMAND] ...``; with no command it opens the desktop app.

Each module in this package that defines ``register(subparsers)`` adds its own sub-commands and
sets ``handler`` (a callable taking the parsed namespace and returning an exit code). Modules
import heavy dependencies inside their handlers so ``cryptobot --version`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable, Sequence

from app import app_version
from app.core.errors import CryptobotError

Handler = Callable[[argparse.Namespace], int]

# Sub-command modules, in the order they appear in --help. Listed explicitly (not discovered at
# run time) so frozen bundles include them.
COMMAND_MODULES: tuple[str, ...] = (
    "app.cli.gui",
    "app.cli.data",
    "app.cli.backtest",
    "app.cli.research",
    "app.cli.run",
    "app.cli.selftest",
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every available sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="cryptobot",
        description="Cryptobot: crypto trading desktop app, backtester and headless engine.",
    )
    parser.add_argument("--version", action="version", version=f"cryptobot {app_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    known = {info.name for info in pkgutil.iter_modules(__path__)}
    for module_name in COMMAND_MODULES:
        if module_name.rsplit(".", 1)[1] not in known:
            continue  # a later issue adds it
        module = importlib.import_module(module_name)
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cryptobot`` console script; returns the process exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["gui"] and not {"-h", "--help"} & set(arguments[1:]):
        from app.cli.gui import run_gui

        return run_gui(arguments[1:])  # the app parses its own options (--theme, --demo, ...)
    parser = build_parser()
    args = parser.parse_args(arguments)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        if args.command is None:
            from app.main import main as gui_main

            return gui_main([])
        parser.print_help()
        return 2
    try:
        return int(handler(args))
    except CryptobotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
