"""``cryptobot gui``: open the desktop application."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``gui`` sub-command (remaining arguments go to the app, e.g. ``--theme light``)."""
    parser = subparsers.add_parser(
        "gui",
        help="open the desktop application (the default)",
        description="Open the desktop application. Options: --theme dark|light, "
        "--demo STRATEGY (offline mode: start the engine with that strategy).",
    )
    parser.add_argument("app_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from app.main import main as gui_main

    return gui_main(list(args.app_args))
