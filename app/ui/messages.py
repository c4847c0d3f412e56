"""Non-blocking message boxes (the UI never waits in a nested event loop for a click)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

_parentless: set[QMessageBox] = set()


def show_message(
    parent: QWidget | None,
    title: str,
    text: str,
    icon: QMessageBox.Icon = QMessageBox.Icon.Warning,
) -> QMessageBox:
    """Open a window-modal message box without blocking; it is released when closed.

    Args:
        parent: the window it belongs to.
        title: window title.
        text: the message (name the thing and the fix).
        icon: warning by default.

    Returns:
        The open box (tests read its text and close it).
    """
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("cryptobotMessage")
    if parent is None:
        # Python owns a parentless box: keep it alive until it is closed, then let it go.
        _parentless.add(box)
        box.finished.connect(lambda _result: _parentless.discard(box))
    else:
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
