"""A stand-in ``data`` sub-command module, registered through DATA_SUBCOMMAND_MODULES."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``data download-demo --marker N`` that exits with N."""
    parser = subparsers.add_parser("download-demo")
    parser.add_argument("--marker", type=int, required=True)
    parser.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    return int(args.marker)
