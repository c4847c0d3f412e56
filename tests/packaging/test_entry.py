"""The bundle's entry point: one program that is the CLI, or the desktop app by its name."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "packaging" / "entry.py"


def _run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_as_cryptobot_it_is_the_command_line() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    completed = _run(ENTRY, "--version")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == f"cryptobot {version}"


def test_as_cryptobot_gui_it_is_the_desktop_app(tmp_path: Path) -> None:
    gui = tmp_path / "cryptobot-gui.py"
    shutil.copy(ENTRY, gui)
    completed = _run(gui, "--help")
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("usage: cryptobot gui")
    assert "--theme" in completed.stdout
