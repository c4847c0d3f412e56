"""The live-trading gate only opens for the exact typed sentence."""

from __future__ import annotations

from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.ui.live_gate import LIVE_CONFIRMATION_PHRASE, LiveGateDialog, phrase_matches


def test_switch_button_needs_the_exact_phrase(qtbot: QtBot) -> None:
    dialog = LiveGateDialog()
    qtbot.addWidget(dialog)
    dialog.open()
    assert not dialog.switch_button.isEnabled()
    for wrong in ("", "yes", LIVE_CONFIRMATION_PHRASE.lower(), LIVE_CONFIRMATION_PHRASE[:-1]):
        dialog.confirmation.field.setText(wrong)
        assert not dialog.switch_button.isEnabled(), wrong
        dialog.accept()
        assert dialog.isVisible(), f"accepted with {wrong!r}"
    dialog.confirmation.field.clear()
    QTest.keyClicks(dialog.confirmation.field, " " + LIVE_CONFIRMATION_PHRASE)
    assert dialog.switch_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        dialog.switch_button.click()
    assert dialog.result() == LiveGateDialog.DialogCode.Accepted


def test_cancel_rejects(qtbot: QtBot) -> None:
    dialog = LiveGateDialog()
    qtbot.addWidget(dialog)
    dialog.open()
    with qtbot.waitSignal(dialog.rejected, timeout=1000):
        dialog.reject()
    assert dialog.result() == LiveGateDialog.DialogCode.Rejected


def test_phrase_is_case_exact_but_ignores_surrounding_spaces() -> None:
    assert phrase_matches(f"  {LIVE_CONFIRMATION_PHRASE} ")
    assert not phrase_matches(LIVE_CONFIRMATION_PHRASE.upper())
    assert not phrase_matches("I understand")
