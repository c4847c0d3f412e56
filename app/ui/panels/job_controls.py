"""Run/Cancel buttons, progress bar and status line of a panel that runs jobs in a worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

PROBLEM_STYLE = "color: #ef5350;"

#: Builds the job from the settings: ``(job, [])`` when they are valid, else ``(None, problems)``.
JobCheck = Callable[[], tuple[Any, list[str]]]


class JobControls(QWidget):
    """The controls under a job panel's settings, with their idle and running states.

    Run is enabled only while ``check`` finds the settings valid; its problems are listed in the
    status line. While a job runs, Run and the widgets given to :meth:`lock_while_running` are
    disabled and Cancel is enabled.

    Args:
        run_text: label of the Run button (e.g. "Run backtest").
        status_name: object name of the status label (for style sheets and tests).
        check: builds the job from the panel's settings.
        parent: owning widget.
    """

    def __init__(
        self, run_text: str, status_name: str, check: JobCheck, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._check = check
        self._locked: list[QWidget] = []
        self.running = False
        self.run_button = QPushButton(run_text, self)
        self.run_button.setObjectName("primary")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setEnabled(False)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setFormat("Idle")
        self.progress_bar.setValue(0)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setObjectName(status_name)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button, 1)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status)

    def lock_while_running(self, *widgets: QWidget) -> None:
        """Disable ``widgets`` (the settings) while a job runs."""
        self._locked.extend(widgets)

    def set_running(self, running: bool) -> None:
        """Enter the running state (Cancel only) or go back to idle and check the settings."""
        self.running = running
        for widget in self._locked:
            widget.setEnabled(not running)
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        if not running:
            self.validate()

    def next_job(self) -> Any:
        """The job the settings describe, or None when one runs or they are invalid (shown)."""
        if self.running:
            return None
        job, problems = self._check()
        if job is None:
            self.show_problems(problems)
        return job

    def validate(self) -> None:
        """Check the settings (unless a job runs): enable Run or list the problems."""
        if self.running:
            return
        job, problems = self._check()
        self.run_button.setEnabled(job is not None)
        if problems:
            self.show_problems(problems)
        elif self.status.property("problem"):
            self.status.setProperty("problem", False)
            self.say("")

    def show_problems(self, problems: list[str]) -> None:
        """Show ``problems`` (one per line) in the status line, in red."""
        self.status.setProperty("problem", True)
        self.status.setStyleSheet(PROBLEM_STYLE)
        self.status.setText("\n".join(problems))

    def say(self, text: str) -> None:
        """Show ``text`` in the status line in the normal colour."""
        self.status.setStyleSheet("")
        self.status.setText(text)

    def busy(self, text: str) -> None:
        """Show a busy (indeterminate) progress bar captioned ``text``."""
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setFormat(text)

    def show_done(self, text: str) -> None:
        """A job finished: full progress bar captioned "Done" and ``text`` in the status line."""
        self.idle("Done", 1)
        self.say(text)

    def show_failed(self, problem: str) -> None:
        """A job failed: empty progress bar captioned "Failed" and ``problem`` in red."""
        self.idle("Failed", 0)
        self.show_problems([problem])

    def show_cancelled(self, text: str) -> None:
        """A job was cancelled: empty progress bar captioned "Cancelled" and ``text``."""
        self.idle("Cancelled", 0)
        self.say(text)

    def idle(self, text: str, value: int) -> None:
        """Show a stopped progress bar, full (``value`` 1) or empty (0), captioned ``text``."""
        self.progress_bar.setRange(0, 1)
        self.progress_bar.setValue(value)
        self.progress_bar.setFormat(text)


def job_splitter(
    panel: QWidget, inputs: list[QWidget], controls: JobControls, results: QWidget
) -> QSplitter:
    """Lay out ``panel``: ``inputs`` (the first stretching) above ``controls``, ``results`` right.

    Returns:
        The splitter between the two columns (size it with ``setSizes``).
    """
    left = QWidget(panel)
    left_layout = QVBoxLayout(left)
    left_layout.setContentsMargins(4, 4, 4, 4)
    for index, widget in enumerate(inputs):
        left_layout.addWidget(widget, 1 if index == 0 else 0)
    left_layout.addWidget(controls)
    splitter = QSplitter(Qt.Orientation.Horizontal, panel)
    splitter.addWidget(left)
    splitter.addWidget(results)
    splitter.setStretchFactor(1, 1)
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(splitter)
    return splitter
