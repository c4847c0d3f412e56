"""Every wizard page renders (dark theme, as in the app); the PNGs are the docs' screenshots.

Set CRYPTOBOT_SCREENSHOT_DIR (e.g. resources/screenshots) to write them there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.config.schema import Theme
from app.core.enums import TradingMode
from app.ui.theme import apply_theme
from app.ui.wizard import SetupWizard
from app.ui.wizard.wizard import PAGE_NAMES
from tests.emulator import ExchangeEmulator
from tests.emulator import fixtures as emulator_fixtures
from tests.ui.wizard_helpers import emulator_settings, enter_key, make_wizard, run_test

exchange_emulator = emulator_fixtures.exchange_emulator
exchange_emulator_factory = emulator_fixtures.exchange_emulator_factory


@pytest.fixture()
def dark_theme(qapp: QApplication) -> Iterator[None]:
    """The app's dark theme for this test only."""
    style, palette, sheet = qapp.style().name(), qapp.palette(), qapp.styleSheet()
    apply_theme(qapp, Theme.DARK)
    yield
    qapp.setStyle(style)
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)
    qapp.setProperty("cryptobot_theme", None)


def _grab(wizard: SetupWizard, folder: Path, shots: list[Path]) -> None:
    QApplication.processEvents()
    name = PAGE_NAMES[wizard.currentId()]
    path = folder / f"wizard_{len(shots) + 1}_{name}.png"
    assert wizard.grab().save(str(path))
    shots.append(path)


def test_every_page_renders(
    qtbot: QtBot, exchange_emulator: ExchangeEmulator, tmp_path: Path, dark_theme: None
) -> None:
    folder = Path(os.environ.get("CRYPTOBOT_SCREENSHOT_DIR", "") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    wizard, _, _ = make_wizard(qtbot, emulator_settings(exchange_emulator))
    shots: list[Path] = []
    wizard.welcome_page.accept_box.setChecked(True)
    _grab(wizard, folder, shots)
    wizard.next()
    wizard.mode_page.select(TradingMode.TESTNET)
    _grab(wizard, folder, shots)
    wizard.next()
    wizard.exchange_page.picker.select("binance")
    _grab(wizard, folder, shots)
    wizard.next()
    enter_key(wizard.credentials, exchange_emulator.api_key, exchange_emulator.api_secret)
    assert run_test(qtbot, wizard.credentials)
    _grab(wizard, folder, shots)
    for _ in range(4):
        wizard.next()
        _grab(wizard, folder, shots)
    assert [path.name.split("_", 2)[2] for path in shots] == [f"{n}.png" for n in PAGE_NAMES]
    for path in shots:
        image = QImage(str(path))
        assert image.width() >= 700 and image.height() >= 500
        corner, centre = image.pixelColor(2, 2), image.pixelColor(350, 250)
        assert corner.isValid() and centre.isValid()
