"""Building blocks shared by the setup wizard, the settings dialog and the key dialogs."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

OK_COLOUR = "#26a69a"
ERROR_COLOUR = "#ef5350"


def error_label(object_name: str) -> QLabel:
    """An empty, word-wrapped red line for the reasons a form refuses to go on.

    Args:
        object_name: the label's Qt object name (tests and style sheets find it by this name).

    Returns:
        The label, without a parent (the layout that takes it adopts it).
    """
    label = QLabel("")
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {ERROR_COLOUR};")
    return label


def status_style(ok: bool | None) -> str:
    """The style sheet of a status line: green when ``ok``, red when not, plain when None."""
    return "" if ok is None else f"color: {OK_COLOUR if ok else ERROR_COLOUR};"
