"""Composition root of the desktop app: the only place that wires concrete classes together."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Open the main window and run the Qt event loop; returns the exit code."""
    from PySide6.QtWidgets import QApplication, QMainWindow

    from app import app_version

    qt_app = QApplication.instance() or QApplication([sys.argv[0], *(argv or [])])
    window = QMainWindow()
    window.setWindowTitle(f"Cryptobot {app_version()}")
    window.resize(1280, 800)
    window.show()
    return int(qt_app.exec())
