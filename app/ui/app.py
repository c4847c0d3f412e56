"""The Qt application: names, icon, theme, a global exception hook and the qasync event loop."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from types import TracebackType

from PySide6.QtCore import QObject, QRectF, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.config.paths import AppPaths, resource_path
from app.config.schema import Theme
from app.ui.gc_guard import install_gc_guard
from app.ui.messages import show_message
from app.ui.theme import apply_theme

logger = logging.getLogger(__name__)

ORGANIZATION = "Cryptobot"
APPLICATION = "Cryptobot"


def app_icon() -> QIcon:
    """The app icon from ``resources/icons`` (svg, then png), or a drawn one when absent."""
    for name in ("cryptobot.svg", "cryptobot.png"):
        path = resource_path("icons", name)
        if path.is_file():
            icon = QIcon(str(path))
            if not icon.isNull():
                return icon
    logger.debug("no icon file in %s; drawing one", resource_path("icons"))
    return _drawn_icon()


def _drawn_icon() -> QIcon:
    pixmap = QPixmap(64, 64)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#2962ff"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(QRectF(2, 2, 60, 60), 12, 12)
    painter.setPen(QColor("#ffffff"))
    painter.setFont(QFont("Sans", 30, QFont.Weight.Bold))
    painter.drawText(QRectF(0, 0, 64, 64), Qt.AlignmentFlag.AlignCenter, "C")
    painter.end()
    return QIcon(pixmap)


def create_application(argv: Sequence[str] = (), theme: Theme = Theme.DARK) -> QApplication:
    """The QApplication (created once) with names, icon and ``theme`` applied.

    Args:
        argv: Qt command-line arguments (after the program name).
        theme: dark or light.

    Returns:
        The application instance.
    """
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *argv])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setWindowIcon(app_icon())
    apply_theme(app, theme)
    install_gc_guard(app)
    return app


def configure_qsettings(paths: AppPaths) -> None:
    """Keep window layout and UI preferences in an INI file in the app's config folder.

    Portable installs and tests (``CRYPTOBOT_HOME``) then never touch the user's registry or
    ``~/.config``.
    """
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(paths.config_dir))


def show_fatal(title: str, text: str) -> None:
    """Show a start-up error and wait for the user (before the event loop runs)."""
    logger.error("%s: %s", title, text)
    QMessageBox.critical(None, f"Cryptobot — {title}", text)


class ExceptionHook(QObject):
    """Logs every uncaught exception (GUI and other threads) and shows it to the user.

    Exceptions from other threads are handed to the GUI thread through a queued signal.

    Args:
        window: returns the window to parent the message to (None before it exists).
        on_error: also called with (title, message), e.g. to send a notification.
    """

    raised = Signal(str, str)

    def __init__(
        self,
        window: Callable[[], QWidget | None] = lambda: None,
        on_error: Callable[[str, str], None] | None = None,
    ) -> None:
        super().__init__()
        self._window = window
        self.on_error = on_error
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        self.shown: list[str] = []
        self._box: QMessageBox | None = None
        self._first = ""
        self._more = 0
        self.raised.connect(self._show)

    def install(self) -> None:
        """Become ``sys.excepthook`` and ``threading.excepthook``."""
        sys.excepthook = self.handle
        threading.excepthook = self._handle_thread

    def uninstall(self) -> None:
        """Restore the previous hooks."""
        sys.excepthook = self._previous_hook
        threading.excepthook = self._previous_thread_hook

    def handle(
        self,
        kind: type[BaseException],
        error: BaseException,
        trace: TracebackType | None,
    ) -> None:
        """Log ``error`` with its traceback and show it (queued to the GUI thread)."""
        if issubclass(kind, KeyboardInterrupt):
            self._previous_hook(kind, error, trace)
            return
        logger.critical("uncaught exception: %s", error, exc_info=(kind, error, trace))
        details = "".join(traceback.format_exception(kind, error, trace))
        self.raised.emit(f"{kind.__name__}: {error}", details)

    def _handle_thread(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    def _show(self, summary: str, details: str) -> None:
        self.shown.append(summary)
        if self.on_error is not None:
            self.on_error("Unexpected error", summary)
        box = self._box
        if box is not None and box.isVisible():  # one box at a time, however many errors
            self._more += 1
            box.setText(
                f"{self._text(self._first)}\n\n{self._more} more error(s) since; see the log."
            )
            return
        self._first, self._more = summary, 0
        self._box = show_message(self._window(), "Unexpected error", self._text(summary))
        self._box.setDetailedText(details)
        self._box.destroyed.connect(self._forget_box)

    def _forget_box(self) -> None:
        self._box = None

    @staticmethod
    def _text(summary: str) -> str:
        return (
            f"Something went wrong: {summary}\n\nThe error was written to the log "
            "(Log panel, and cryptobot.jsonl in the log folder). Your orders and settings "
            "are unaffected unless the message says otherwise."
        )


def run_event_loop(app: QApplication, main: Callable[[], None] | None = None) -> int:
    """Run Qt under a qasync loop (UI code may ``await`` engine futures) until the app quits.

    Args:
        app: the application.
        main: called once the loop runs (e.g. to show the window).

    Returns:
        The exit code.
    """
    import qasync

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    if main is not None:
        loop.call_soon(main)
    with loop:
        loop.run_until_complete(closed.wait())
    return 0
