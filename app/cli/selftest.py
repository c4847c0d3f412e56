"""``cryptobot self-test``: prove this install works; exit 0, or 1 listing what failed.

Checks (each PASS / WARN / FAIL with the reason): the bundled resources are present, a fresh
database migrates, the keyring backend (a missing one is a warning), a short backtest on the
bundled demo candles, the engine boots in offline paper mode, and the main window shows
offscreen. Nothing touches the user's own data.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.diagnostics.report import CheckResult


def register(subparsers: Any) -> None:
    """Add the ``self-test`` sub-command."""
    from app.diagnostics.runner import CHECKS
    from app.diagnostics.window import WINDOW_SMOKE_FLAG

    parser = subparsers.add_parser(
        "self-test",
        help="check that this installation works: resources, database, keyring, backtest, "
        "engine and window",
        description=(
            "Run every check in a scratch folder (your settings and data are not touched) and "
            "exit 0 when none failed; a missing system keyring is only a warning."
        ),
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=tuple(CHECKS),
        default=[],
        metavar="CHECK",
        help=f"run only this check (repeatable): {', '.join(CHECKS)}",
    )
    parser.add_argument(WINDOW_SMOKE_FLAG, action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Handle ``cryptobot self-test``; returns 0 when no check failed, else 1."""
    if args.window_smoke:
        from app.diagnostics.window import show_window_once

        return show_window_once()
    from app.diagnostics.runner import run_self_test

    report = run_self_test(args.only, on_result=_print_result)
    print(report.text().splitlines()[-1])
    return report.exit_code


def _print_result(result: CheckResult) -> None:
    print(result.line(), flush=True)
