"""The composition root, run as the real app in a subprocess (offscreen)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

REPO = Path(__file__).resolve().parents[2]


def _run_app(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CRYPTOBOT_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    code = f"import sys; from app.main import main; sys.exit(main({list(args)!r}))"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_app_shows_the_window_renders_a_screenshot_and_shuts_down(tmp_path: Path) -> None:
    home = tmp_path / "home"
    shot = tmp_path / "shot.png"
    result = _run_app(home, "--screenshot", str(shot), "--screenshot-delay", "300")
    assert result.returncode == 0, result.stderr[-2000:]
    image = QImage(str(shot))
    assert not image.isNull()
    assert image.width() >= 1200 and image.height() >= 700
    assert (home / "data" / "cryptobot.sqlite").is_file()  # engine built, database migrated
    log = (home / "logs" / "cryptobot.jsonl").read_text(encoding="utf-8")
    assert "main window shown" in log
    assert "engine stopped" in log  # the engine is shut down on exit


def test_invalid_settings_are_reported_by_name_and_never_overwritten(tmp_path: Path) -> None:
    home = tmp_path / "home"
    settings = home / "config" / "settings.toml"
    settings.parent.mkdir(parents=True)
    text = '[risk]\ndaily_loss_pct = "250"\n'
    settings.write_text(text, encoding="utf-8")
    result = _run_app(home, "--smoke")
    assert result.returncode == 2
    assert "risk.daily_loss_pct" in result.stderr
    assert "250" in result.stderr
    assert settings.read_text(encoding="utf-8") == text
