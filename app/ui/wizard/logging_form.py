"""Logging settings: overall level, per-component levels, file size, backups and retention."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.config.fields import LOG_LEVELS, LOGGER_NAME_RE
from app.config.schema import LoggingSettings

_MB = 1024 * 1024


def parse_component_levels(text: str) -> tuple[dict[str, str], list[str]]:
    """Lines of ``logger.name = LEVEL`` as a mapping, plus a problem per bad line.

    Blank lines and lines starting with ``#`` are ignored.
    """
    levels: dict[str, str] = {}
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"Component levels, line {number}"
        name, sep, level = (part.strip() for part in line.partition("="))
        if not sep:
            problems.append(f"{where}: write it as 'app.exchange = DEBUG', got {line!r}")
        elif not LOGGER_NAME_RE.match(name):
            problems.append(f"{where}: {name!r} is not a logger name like 'app.exchange'")
        elif level.upper() not in LOG_LEVELS:
            problems.append(f"{where}: level must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
        elif name in levels:
            problems.append(f"{where}: {name} is listed twice")
        else:
            levels[name] = level.upper()
    return levels, problems


class LoggingForm(QWidget):
    """The ``[logging]`` section as a form."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.level = QComboBox()
        self.level.setObjectName("logLevel")
        self.level.addItems(list(LOG_LEVELS))
        self.components = QPlainTextEdit()
        self.components.setObjectName("componentLevels")
        self.components.setPlaceholderText("app.exchange = DEBUG\nccxt = WARNING")
        self.components.setMaximumHeight(110)
        self.max_mb = QSpinBox()
        self.max_mb.setRange(1, 1024)
        self.max_mb.setSuffix(" MB")
        self.backups = QSpinBox()
        self.backups.setRange(1, 100)
        self.retention = QSpinBox()
        self.retention.setObjectName("retentionDays")
        self.retention.setRange(1, 3650)
        self.retention.setSuffix(" days")
        self.console = QCheckBox("Also log to the terminal")
        hint = QLabel("Logs never contain API keys: they are redacted before anything is written.")
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        for spin in (self.max_mb, self.backups, self.retention):
            spin.setMaximumWidth(160)
        self.level.setMaximumWidth(160)
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        form.addRow("Log level", self.level)
        form.addRow("Component levels", self.components)
        form.addRow("Rotate the file at", self.max_mb)
        form.addRow("Rotated files kept", self.backups)
        form.addRow("Delete rotated files after", self.retention)
        form.addRow(self.console)
        form.addRow(hint)

    def load(self, settings: LoggingSettings) -> None:
        """Show ``settings``."""
        self.level.setCurrentText(settings.level)
        self.components.setPlainText(
            "\n".join(f"{name} = {level}" for name, level in settings.component_levels.items())
        )
        self.max_mb.setValue(max(1, settings.max_bytes // _MB))
        self.backups.setValue(settings.backups)
        self.retention.setValue(settings.retention_days)
        self.console.setChecked(settings.console)

    def problems(self) -> list[str]:
        """Bad component-level lines."""
        return parse_component_levels(self.components.toPlainText())[1]

    def changes(self) -> dict[str, Any]:
        """The ``logging`` section's new values."""
        return {
            "level": self.level.currentText(),
            "component_levels": parse_component_levels(self.components.toPlainText())[0],
            "max_bytes": self.max_mb.value() * _MB,
            "backups": self.backups.value(),
            "retention_days": self.retention.value(),
            "console": self.console.isChecked(),
        }
