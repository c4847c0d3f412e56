"""Log viewer: follows the JSON-lines logs live, filters in the background, one order's story."""

from __future__ import annotations

import json
import logging
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.ui.backtest_future import FutureWatcher, run_in_thread
from app.ui.log_export import ExportError, export_job
from app.ui.log_model import LogTableModel
from app.ui.log_reader import LOG_FILE_NAME, LogFilter, OffsetArray, log_files
from app.ui.log_scanner import LogScanner
from app.ui.panels.log_filter_bar import LogFilterBar

logger = logging.getLogger(__name__)

POLL_MS = 1000
FILTER_DELAY_MS = 250


class LogViewerPanel(QWidget):
    """Shows the app's JSON-lines logs in ``log_dir``; big files open without freezing.

    Signals:
        scan_finished(int): the whole file was read (with the current filter); the row count.
        export_finished(str, int): records were exported (path, count).
        export_failed(str): the export failed (message for the user).

    Args:
        log_dir: folder of ``cryptobot.jsonl`` and its rotated siblings.
        parent: owning widget.
    """

    scan_finished = Signal(int)
    export_finished = Signal(str, int)
    export_failed = Signal(str)

    def __init__(self, log_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.log_dir = log_dir
        self.model = LogTableModel(self)
        self.scanner = LogScanner(self)
        self._generation = 0
        self._scanned_to = 0
        self._identity: tuple[int, int] | None = None
        self._check_again = False
        self._reading_all = False
        self._exports = FutureWatcher(self)
        self._build_widgets()
        self._connect()
        self.refresh_files()

    # ------------------------------------------------------------------ layout
    def _build_widgets(self) -> None:
        self.file_box = QComboBox(self)
        self.file_box.setToolTip("The current log file, or an older (rotated) one")
        self.follow_box = QCheckBox("Follow", self)
        self.follow_box.setChecked(True)
        self.follow_box.setToolTip("Show new records as they are written and scroll to them")
        self.folder_button = QPushButton("Open log folder", self)
        self.export_button = QPushButton("Export…", self)
        self.export_button.setToolTip("Save the records shown as JSON lines or CSV")
        self.filter_bar = LogFilterBar(self)
        bar = self.filter_bar
        self.level_box, self.component_edit = bar.level_box, bar.component_edit
        self.text_edit, self.correlation_edit = bar.text_edit, bar.correlation_edit
        self.story_button, self.clear_button = bar.story_button, bar.clear_button

        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        vertical = self.table.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(22)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for column, width in enumerate((150, 80, 200, 560, 160)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setPlaceholderText("Select a record to see all its fields")
        self.status = QLabel(self)

        top = QHBoxLayout()
        top.addWidget(QLabel("File", self))
        top.addWidget(self.file_box, 1)
        top.addWidget(self.follow_box)
        top.addWidget(self.folder_button)
        top.addWidget(self.export_button)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.filter_bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

        self.watcher = QFileSystemWatcher(self)
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(POLL_MS)
        self.check_timer = QTimer(self)
        self.check_timer.setSingleShot(True)
        self.check_timer.setInterval(50)
        self.filter_timer = QTimer(self)
        self.filter_timer.setSingleShot(True)
        self.filter_timer.setInterval(FILTER_DELAY_MS)

    def _connect(self) -> None:
        self.file_box.currentIndexChanged.connect(self._on_file_chosen)
        self.folder_button.clicked.connect(self.open_folder)
        self.export_button.clicked.connect(self.on_export_clicked)
        self.filter_bar.edited.connect(self.filter_timer.start)
        self.filter_timer.timeout.connect(self.apply_filter)
        self.story_button.clicked.connect(self.show_story)
        self.clear_button.clicked.connect(self.clear_filters)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)
        self.scanner.batch.connect(self._on_batch)
        self.scanner.finished.connect(self._on_scan_finished)
        self.scanner.failed.connect(self._on_scan_failed)
        self.watcher.fileChanged.connect(self.check_timer.start)
        self.watcher.directoryChanged.connect(self.check_timer.start)
        self.check_timer.timeout.connect(self.check_file)
        self.poll_timer.timeout.connect(self.check_file)
        self._exports.done.connect(self._on_export_done)
        self.export_finished.connect(self._on_export_finished)
        self.export_failed.connect(self.status.setText)
        self.poll_timer.start()
        if self.log_dir.is_dir():
            self.watcher.addPath(str(self.log_dir))

    # ------------------------------------------------------------------ files
    @property
    def current_file(self) -> Path:
        """The live log file (``<log_dir>/cryptobot.jsonl``)."""
        return self.log_dir / LOG_FILE_NAME

    def refresh_files(self) -> None:
        """List the log files again, keeping the chosen one if it still exists."""
        chosen = self.file_box.currentData()
        files = log_files(self.log_dir)
        if [self.file_box.itemData(i) for i in range(self.file_box.count())] == files:
            if not files:
                self.status.setText(f"No log file yet in {self.log_dir}; waiting for one.")
            elif self.model.path is None:
                self.open_file(files[0])
            return
        self.file_box.blockSignals(True)
        self.file_box.clear()
        for path in files:
            self.file_box.addItem(path.name, path)
        index = files.index(chosen) if chosen in files else 0
        self.file_box.setCurrentIndex(index)
        self.file_box.blockSignals(False)
        if not files:
            self.model.open(None)
            self.status.setText(f"No log file yet in {self.log_dir}; waiting for one.")
        elif self.model.path != files[index]:
            self.open_file(files[index])

    def open_file(self, path: Path) -> None:
        """Show ``path`` (read in the background, filter applied)."""
        try:
            self.model.open(path)
            stat = path.stat()
        except OSError as exc:
            self.model.open(None)
            self.status.setText(f"Could not open {path}: {exc.strerror or exc}")
            return
        self._identity = (stat.st_dev, stat.st_ino)
        if str(path) not in self.watcher.files():
            self.watcher.addPath(str(path))
        if self.log_dir.is_dir() and str(self.log_dir) not in self.watcher.directories():
            self.watcher.addPath(str(self.log_dir))
        self.apply_filter()

    def check_file(self) -> None:
        """Pick up new lines, a rotation, or a log file that appeared (watcher and poll timer)."""
        path = self.model.path
        if path is None or path.parent != self.log_dir or path.name != LOG_FILE_NAME:
            self.refresh_files()
            return
        if self.scanner.is_running():
            self._check_again = True
            return
        try:
            stat = path.stat()
        except FileNotFoundError:
            return  # being rotated: the new file shows up on the next check
        except OSError as exc:
            self.status.setText(f"Could not read {path}: {exc.strerror or exc}")
            return
        if (stat.st_dev, stat.st_ino) != self._identity or stat.st_size < self._scanned_to:
            logger.debug("log file %s was rotated or truncated; reopening", path)
            self.refresh_files()
            self.open_file(path)
        elif stat.st_size > self._scanned_to:
            self._generation = self.scanner.start(path, self._scanned_to, self.log_filter())

    # ------------------------------------------------------------------ filters
    def log_filter(self) -> LogFilter:
        """The filter the fields describe."""
        return self.filter_bar.log_filter()

    def apply_filter(self) -> None:
        """Read the file again from the start with the current filter (in the background)."""
        self.filter_timer.stop()
        path = self.model.path
        if path is None:
            return
        self.model.clear()
        self.details.clear()
        self._scanned_to = 0
        self._reading_all = True
        self._generation = self.scanner.start(path, 0, self.log_filter())
        self.status.setText(f"Reading {path.name}…")

    def show_story(self) -> None:
        """Show every record sharing the selected record's correlation id (one order's story)."""
        row = self.table.currentIndex().row()
        if row < 0:
            self.status.setText("Select a record first, then ask for its story.")
            return
        correlation_id = self.model.record(row).get("correlation_id")
        if not correlation_id:
            self.status.setText("This record has no correlation id; it belongs to no order.")
            return
        self.filter_bar.set_filters(0, "", "", str(correlation_id))
        self.apply_filter()

    def clear_filters(self) -> None:
        """Show every record."""
        self.filter_bar.set_filters(0, "", "", "")
        self.apply_filter()

    # ------------------------------------------------------------------ scan results
    def _on_batch(self, generation: int, starts: OffsetArray, ends: OffsetArray, end: int) -> None:
        if generation != self._generation:
            return
        self._scanned_to = int(end)
        self.model.append_lines(starts, ends)
        if not self._reading_all:  # a whole-file read scrolls once, at its end
            self._follow()

    def _on_scan_finished(self, generation: int, end: int) -> None:
        if generation != self._generation:
            return
        self._scanned_to = int(end)
        if self._reading_all:
            self._reading_all = False
            self._follow()
        rows = self.model.rowCount()
        name = self.model.path.name if self.model.path is not None else ""
        shown = "records" if self.log_filter().is_empty else "matching records"
        self.status.setText(f"{rows:,} {shown} in {name}.")
        self.scan_finished.emit(rows)
        if self._check_again:
            self._check_again = False
            self.check_timer.start()

    def _on_scan_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.status.setText(f"{message}. Check that the log folder is readable.")

    def _on_row_changed(self) -> None:
        row = self.table.currentIndex().row()
        if row < 0:
            self.details.clear()
            return
        record = self.model.record(row)
        self.details.setPlainText(json.dumps(record, indent=2, ensure_ascii=False, default=str))

    def _on_file_chosen(self) -> None:
        path = self.file_box.currentData()
        if isinstance(path, Path):
            self.open_file(path)

    def _follow(self) -> None:
        if self.follow_box.isChecked() and self.model.path == self.current_file:
            self.table.scrollToBottom()

    # ------------------------------------------------------------------ folder and export
    def open_folder(self) -> bool:
        """Open the log folder in the system's file manager."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_dir)))

    def on_export_clicked(self) -> None:
        """Ask for a file and export the records shown."""
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            "Export log records",
            str(Path.home() / "cryptobot-log.jsonl"),
            "JSON lines (*.jsonl);;CSV (*.csv)",
        )
        if chosen:
            self.export_to(Path(chosen))

    def export_to(self, target: Path) -> None:
        """Write the records shown to ``target`` in the background (``.csv`` or JSON lines)."""
        source = self.model.path
        if source is None:
            self.export_failed.emit("There is no log file to export yet.")
            return
        starts, ends = self.model.offsets()
        self.status.setText(f"Exporting {len(starts):,} records to {target}…")
        job = run_in_thread(export_job, source, starts, ends, target, name="log-export")
        self._exports.watch(job)

    def _on_export_done(self, future: Future[tuple[Path, int]]) -> None:
        try:
            target, count = future.result()
        except ExportError as exc:
            self.export_failed.emit(
                f"Could not export to {exc.target}: {exc.reason}. "
                "Choose another folder or free some disk space."
            )
            return
        self.export_finished.emit(str(target), count)

    def _on_export_finished(self, target: str, count: int) -> None:
        self.status.setText(f"Exported {count:,} records to {target}.")

    def closeEvent(self, event: object) -> None:  # noqa: N802
        """Stop reading and close the file."""
        self.scanner.cancel()
        self.poll_timer.stop()
        self.model.open(None)
        super().closeEvent(event)  # type: ignore[arg-type]
