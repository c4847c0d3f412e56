"""``cryptobot gui``: open the desktop application."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Add the ``gui`` sub-command."""
    parser = subparsers.add_parser("gui", help="open the desktop application (the default)")
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from app.main import main as gui_main

    return gui_main([])
