"""``cryptobot gui``: open the desktop application."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``gui`` sub-command (its options are the app's own: see :func:`run_gui`)."""
    parser = subparsers.add_parser(
        "gui",
        help="open the desktop application (the default)",
        description="Open the desktop application. Options: --theme dark|light, "
        "--demo STRATEGY (offline mode: start the engine with that strategy).",
    )
    parser.set_defaults(handler=_run)


def run_gui(app_args: Sequence[str]) -> int:
    """Open the app with ``app_args`` (everything after ``cryptobot gui``)."""
    from app.main import main as gui_main

    return gui_main(list(app_args))


def _run(args: argparse.Namespace) -> int:
    return run_gui([])
