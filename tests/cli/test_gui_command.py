"""``cryptobot gui`` hands its options to the app untouched."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

import app.cli.gui
from app.cli import main


def test_gui_options_reach_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    received: list[list[str]] = []

    def fake_run_gui(app_args: Sequence[str]) -> int:
        received.append(list(app_args))
        return 0

    monkeypatch.setattr(app.cli.gui, "run_gui", fake_run_gui)
    assert main(["gui", "--theme", "light", "--demo", "sma_cross"]) == 0
    assert main(["gui"]) == 0
    assert received == [["--theme", "light", "--demo", "sma_cross"], []]


def test_gui_help_is_the_cli_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["gui", "--help"])
    assert exit_info.value.code == 0
    assert "--theme dark|light" in capsys.readouterr().out
