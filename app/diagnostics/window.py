"""The main-window check: the desktop app starts and shows its window offscreen.

The window opens in a child process (``cryptobot self-test --window-smoke``) so a crash or a hang
in Qt cannot take the self-test down with it, and so the check exercises the same start-up path a
user's double-click does.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Mapping

from app.config.paths import HOME_ENV
from app.diagnostics.checks import Outcome, SelfTestContext
from app.diagnostics.report import Status

logger = logging.getLogger(__name__)

WINDOW_TIMEOUT_S = 120.0
WINDOW_SMOKE_FLAG = "--window-smoke"
_SHOWN = re.compile(r"window shown in (\d+) ms")
_TAIL_LINES = 8


def self_command() -> list[str]:
    """The command that runs ``cryptobot`` itself: the bundle's executable, or ``python -m app``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "app"]


def child_environment(context: SelfTestContext, base: Mapping[str, str]) -> dict[str, str]:
    """The window child's environment: the scratch home and Qt's offscreen platform."""
    env = dict(base)
    env[HOME_ENV] = str(context.paths.config_dir.parent)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("CRYPTOBOT_DB_URL", None)
    return env


def check_window(context: SelfTestContext) -> Outcome:
    """Open the main window offscreen in a child process and wait for it to show and close.

    Raises:
        subprocess.TimeoutExpired: the window did not show and close within the time limit.
    """
    command = [*self_command(), "self-test", WINDOW_SMOKE_FLAG]
    completed = subprocess.run(  # noqa: S603 - our own executable, fixed arguments
        command,
        env=child_environment(context, os.environ),
        capture_output=True,
        text=True,
        timeout=WINDOW_TIMEOUT_S,
        check=False,
    )
    shown = _SHOWN.search(completed.stdout)
    if completed.returncode != 0 or shown is None:
        output = (completed.stderr or completed.stdout).strip().splitlines()[-_TAIL_LINES:]
        reason = " | ".join(output) or "no output"
        return Status.FAIL, (
            f"the main window did not open (exit code {completed.returncode}): {reason}"
        )
    return Status.PASS, f"main window shown offscreen {shown.group(1)} ms after start and closed"


def show_window_once() -> int:
    """Open the main window in this process, then close it (the child side of the check).

    Returns:
        The desktop app's exit code.
    """
    from app.main import main as gui_main

    return gui_main(["--smoke"])
