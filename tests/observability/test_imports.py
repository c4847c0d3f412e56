"""Importing the settings and logging packages has no side effects (handlers, directories)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CHECK = """
import logging, os, pathlib
import app.config.settings, app.config.paths, app.observability
import app.observability.metrics, app.observability.logging_config
assert logging.getLogger().handlers == [], logging.getLogger().handlers
assert not pathlib.Path(os.environ["CRYPTOBOT_HOME"]).exists()
"""


def test_imports_attach_no_handlers_and_create_no_directories(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=REPO,
        env={"CRYPTOBOT_HOME": str(home), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
