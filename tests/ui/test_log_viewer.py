"""Log viewer: real log files written by the app's logging, real widgets, background reading."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot

from app.observability import LoggingHandle, configure_logging, correlation_scope
from app.ui.log_reader import LEVELS
from app.ui.panels.log_viewer import LogViewerPanel

SCAN_TIMEOUT_MS = 10_000


@pytest.fixture()
def log_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "logs"
    handle = configure_logging(folder, level="DEBUG", console=False)
    _write_story(handle)
    yield folder
    handle.close()


def _write_story(handle: LoggingHandle) -> None:
    executor = logging.getLogger("app.engine.executor")
    for index in range(120):
        with correlation_scope(f"cb-order-{index % 6}"):
            executor.debug("checking order %d", index)
            executor.info("order %d submitted", index, extra={"symbol": "BTC/USDT", "qty": "0.01"})
        if index % 10 == 0:
            logging.getLogger("app.exchange.ccxt").warning("Rate limited, retrying %d", index)
        if index % 40 == 0:
            logging.getLogger("app.risk.manager").error("order refused: risk.max_position_pct")
    logging.getLogger("app.engine").critical("kill switch engaged")
    for handler in handle.handlers:
        handler.flush()


def _file_records(log_dir: Path) -> list[dict[str, object]]:
    text = (log_dir / "cryptobot.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line]


def _shown(panel: LogViewerPanel) -> list[dict[str, object]]:
    return [panel.model.record(row) for row in range(panel.model.rowCount())]


@pytest.fixture()
def panel(qtbot: QtBot, log_dir: Path) -> LogViewerPanel:
    widget = LogViewerPanel(log_dir)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.status.text().endswith("cryptobot.jsonl."), timeout=10_000)
    return widget


def _refilter(qtbot: QtBot, panel: LogViewerPanel, **fields: object) -> None:
    with qtbot.waitSignal(panel.scan_finished, timeout=SCAN_TIMEOUT_MS):
        if "level" in fields:
            panel.level_box.setCurrentIndex(panel.level_box.findData(fields["level"]))
        panel.component_edit.setText(str(fields.get("component", "")))
        panel.text_edit.setText(str(fields.get("text", "")))
        panel.correlation_edit.setText(str(fields.get("correlation_id", "")))
        panel.apply_filter()


def test_every_record_of_the_file_is_shown_in_order(panel: LogViewerPanel, log_dir: Path) -> None:
    expected = _file_records(log_dir)
    assert _shown(panel) == expected
    assert panel.model.index(0, 1).data() == expected[0]["level"]


def test_filter_the_log_by_level_component_and_text(
    qtbot: QtBot, panel: LogViewerPanel, log_dir: Path
) -> None:
    records = _file_records(log_dir)
    _refilter(qtbot, panel, level=LEVELS["WARNING"])
    assert _shown(panel) == [r for r in records if LEVELS[str(r["level"])] >= LEVELS["WARNING"]]
    assert {r["level"] for r in _shown(panel)} == {"WARNING", "ERROR", "CRITICAL"}

    _refilter(qtbot, panel, level=0, component="app.exchange")
    assert _shown(panel) == [r for r in records if str(r["component"]).startswith("app.exchange")]

    _refilter(qtbot, panel, level=0, text="RATE limited, retrying 3")
    assert [r["message"] for r in _shown(panel)] == ["Rate limited, retrying 30"]

    _refilter(qtbot, panel, level=LEVELS["INFO"], component="app.engine", text="btc/usdt")
    expected = [
        r
        for r in records
        if r["level"] == "INFO" and str(r["component"]).startswith("app.engine") and "symbol" in r
    ]
    assert _shown(panel) == expected and len(expected) == 120


def test_order_story_shows_every_record_of_one_correlation_id(
    qtbot: QtBot, panel: LogViewerPanel, log_dir: Path
) -> None:
    records = _file_records(log_dir)
    row = next(i for i, r in enumerate(records) if r["correlation_id"] == "cb-order-4")
    panel.table.setCurrentIndex(panel.model.index(row, 0))
    with qtbot.waitSignal(panel.scan_finished, timeout=SCAN_TIMEOUT_MS):
        panel.story_button.click()
    story = _shown(panel)
    assert story == [r for r in records if r["correlation_id"] == "cb-order-4"]
    assert len(story) == 40
    assert panel.correlation_edit.text() == "cb-order-4"


def test_story_of_a_record_without_correlation_id_is_explained(
    qtbot: QtBot, panel: LogViewerPanel, log_dir: Path
) -> None:
    records = _file_records(log_dir)
    row = next(i for i, r in enumerate(records) if r["correlation_id"] is None)
    panel.table.setCurrentIndex(panel.model.index(row, 0))
    panel.show_story()
    assert "no correlation id" in panel.status.text()
    assert panel.model.rowCount() == len(records)


def test_details_pane_shows_every_field_of_the_selected_record(
    panel: LogViewerPanel, log_dir: Path
) -> None:
    records = _file_records(log_dir)
    row = next(i for i, r in enumerate(records) if r["level"] == "INFO")
    panel.table.setCurrentIndex(panel.model.index(row, 0))
    shown = json.loads(panel.details.toPlainText())
    assert shown == records[row]
    assert shown["qty"] == "0.01" and shown["symbol"] == "BTC/USDT"


def test_rows_are_coloured_by_level(panel: LogViewerPanel, log_dir: Path) -> None:
    records = _file_records(log_dir)

    def colour(level: str) -> str:
        row = next(i for i, r in enumerate(records) if r["level"] == level)
        brush = panel.model.index(row, 3).data(Qt.ItemDataRole.ForegroundRole)
        return "" if brush is None else brush.color().name()

    colours = {level: colour(level) for level in ("DEBUG", "INFO", "WARNING", "ERROR")}
    assert colours["INFO"] == ""
    assert len({colours["DEBUG"], colours["WARNING"], colours["ERROR"]}) == 3
    critical = next(i for i, r in enumerate(records) if r["level"] == "CRITICAL")
    assert panel.model.index(critical, 0).data(Qt.ItemDataRole.BackgroundRole) is not None


def test_follows_new_records_live(qtbot: QtBot, panel: LogViewerPanel, log_dir: Path) -> None:
    before = panel.model.rowCount()
    logging.getLogger("app.engine").warning("a brand new record")
    qtbot.waitUntil(lambda: panel.model.rowCount() == before + 1, timeout=5_000)
    assert panel.model.record(before)["message"] == "a brand new record"


def test_follows_across_a_rotation(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "rotating"
    handle = configure_logging(folder, level="INFO", console=False, max_bytes=4096, backups=3)
    try:
        log = logging.getLogger("app.engine")
        log.info("first record")
        panel = LogViewerPanel(folder)
        qtbot.addWidget(panel)
        qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5_000)
        for index in range(60):
            log.info("filler record number %03d with some padding to rotate the file", index)
        log.info("after the rotation")
        current = _file_records(folder)
        qtbot.waitUntil(lambda: _shown(panel) == current, timeout=5_000)
        assert panel.file_box.count() >= 2
        assert panel.file_box.itemText(1) == "cryptobot.jsonl.1"
        assert current[-1]["message"] == "after the rotation"
    finally:
        handle.close()


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_export_the_filtered_records(
    qtbot: QtBot, panel: LogViewerPanel, log_dir: Path, tmp_path: Path, suffix: str
) -> None:
    records = _file_records(log_dir)
    _refilter(qtbot, panel, level=LEVELS["WARNING"])
    wanted = [r for r in records if LEVELS[str(r["level"])] >= LEVELS["WARNING"]]
    target = tmp_path / f"export{suffix}"
    with qtbot.waitSignal(panel.export_finished, timeout=SCAN_TIMEOUT_MS) as blocker:
        panel.export_to(target)
    assert blocker.args == [str(target), len(wanted)]
    if suffix == ".jsonl":
        lines = target.read_text(encoding="utf-8").splitlines()
        assert [json.loads(line) for line in lines] == wanted
    else:
        with target.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert [(row["level"], row["message"]) for row in rows] == [
            (r["level"], r["message"]) for r in wanted
        ]
    assert "Exported" in panel.status.text()


def test_a_big_file_shows_rows_before_it_is_fully_read(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    line = json.dumps(
        {
            "ts": "2026-01-01T00:00:00.000Z",
            "ts_ms": 1767225600000,
            "level": "WARNING",
            "component": "app.engine.executor",
            "message": "order submitted " + "x" * 150,
            "correlation_id": "cb-1",
        }
    )
    count = 60_000
    (folder / "cryptobot.jsonl").write_text((line + "\n") * count + "{broken", encoding="utf-8")
    panel = LogViewerPanel(folder)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.scan_finished, timeout=30_000) as blocker:
        pass
    assert blocker.args == [count]  # the unfinished last line waits for its newline

    inserts: list[int] = []
    panel.model.rowsInserted.connect(lambda _p, first, last: inserts.append(last - first + 1))
    with qtbot.waitSignal(panel.scan_finished, timeout=30_000) as blocker:
        panel.level_box.setCurrentIndex(panel.level_box.findData(LEVELS["WARNING"]))
        panel.apply_filter()  # every line is parsed: slow enough to arrive in several batches
    assert blocker.args == [count]
    assert len(inserts) > 1 and sum(inserts) == count
    assert panel.model.record(count - 1)["message"].startswith("order submitted")
    assert len(panel.model._cache) < count // 10  # records are parsed when shown, not all


def test_a_line_that_is_not_json_is_shown_as_text(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "cryptobot.jsonl").write_text(
        'not json at all\n{"level": "INFO", "message": "fine"}\n', encoding="utf-8"
    )
    panel = LogViewerPanel(folder)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2, timeout=5_000)
    assert panel.model.record(0)["level"] == "?"
    assert panel.model.record(0)["message"] == "not json at all"
    assert panel.model.record(1)["message"] == "fine"


def test_missing_log_folder_waits_for_the_first_file(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "later"
    panel = LogViewerPanel(folder)
    qtbot.addWidget(panel)
    assert "No log file yet" in panel.status.text()
    folder.mkdir()
    (folder / "cryptobot.jsonl").write_text('{"level": "INFO", "message": "hello"}\n', "utf-8")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5_000)


class _UrlCatcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open_url(self, url: QUrl) -> None:
        self.urls.append(url)


def test_open_log_folder_asks_the_desktop_to_open_it(panel: LogViewerPanel, log_dir: Path) -> None:
    catcher = _UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open_url")  # type: ignore[arg-type]
    try:
        panel.folder_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [Path(url.toLocalFile()) for url in catcher.urls] == [log_dir]


def test_an_export_that_cannot_be_written_names_the_file_and_the_fix(
    qtbot: QtBot, panel: LogViewerPanel, tmp_path: Path
) -> None:
    target = tmp_path / "missing-folder" / "export.jsonl"
    with qtbot.waitSignal(panel.export_failed, timeout=SCAN_TIMEOUT_MS) as blocker:
        panel.export_to(target)
    message = blocker.args[0]
    assert str(target) in message and "Choose another folder" in message
    assert panel.status.text() == message
