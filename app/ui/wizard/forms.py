"""Form sections shared by the setup wizard and the settings dialog.

Each section loads from :class:`~app.config.schema.Settings`, lists its problems as sentences
naming the field, and returns its part of the settings as ``with_changes`` data.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url

from app.config.fields import LOG_LEVELS
from app.config.paths import AppPaths
from app.config.schema import Settings
from app.config.settings import SQLITE_FILE_NAME
from app.risk.limits import PRESETS, RiskLimits
from app.ui.wizard.validation import (
    RISK_LABELS,
    custom_risk,
    folder_problems,
    parse_symbols,
    quote_problems,
    symbol_problems,
)

CUSTOM = "custom"


class MarketsForm(QWidget):
    """Quote currency and the symbols to watch."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.quote = QLineEdit()
        self.quote.setObjectName("quoteCurrency")
        self.quote.setMaxLength(12)
        self.quote.setMaximumWidth(120)
        self.symbols = QLineEdit()
        self.symbols.setObjectName("symbols")
        self.symbols.setPlaceholderText("BTC/USDT, ETH/USDT")
        hint = QLabel("Separate symbols with commas. Equity and P&L are reported in the quote.")
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Quote currency", self.quote)
        form.addRow("Symbols to watch", self.symbols)
        form.addRow(hint)

    def load(self, settings: Settings) -> None:
        """Show ``settings.general``'s quote currency and symbols."""
        self.quote.setText(settings.general.quote_currency)
        self.symbols.setText(", ".join(settings.general.symbols))

    def problems(self, listed: set[str] | frozenset[str] | None = None) -> list[str]:
        """What is wrong; ``listed`` are the exchange's symbols when a test loaded them."""
        return quote_problems(self.quote.text()) + symbol_problems(
            parse_symbols(self.symbols.text()), listed
        )

    def changes(self) -> dict[str, Any]:
        """The ``general`` section's new values."""
        return {
            "quote_currency": self.quote.text().strip().upper(),
            "symbols": parse_symbols(self.symbols.text()),
        }


class RiskForm(QWidget):
    """Conservative / moderate preset, or custom daily loss, position size and risk per trade."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        texts = {
            "conservative": "Conservative: stop for the day at -2 %, positions up to 10 %, "
            "0.5 % risk per trade",
            "moderate": "Moderate: stop for the day at -5 %, positions up to 25 %, "
            "1 % risk per trade",
            CUSTOM: "Custom: choose the three limits below",
        }
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for name, text in texts.items():
            button = QRadioButton(text)
            button.setObjectName(f"risk_{name}")
            self.group.addButton(button)
            self.buttons[name] = button
            layout.addWidget(button)
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for name, label in RISK_LABELS.items():
            field = QLineEdit()
            field.setObjectName(name)
            field.setMaximumWidth(120)
            field.setStyleSheet("QLineEdit:disabled { color: #8a8f9c; border-style: dashed; }")
            self.fields[name] = field
            form.addRow(label, field)
        layout.addLayout(form)
        self._base = RiskLimits()
        self.group.buttonToggled.connect(self._on_toggled)

    def load(self, limits: RiskLimits) -> None:
        """Show ``limits``: the matching preset, or custom values."""
        self._base = limits
        preset = next(
            (
                name
                for name, candidate in PRESETS.items()
                if all(getattr(candidate, f) == getattr(limits, f) for f in RISK_LABELS)
            ),
            CUSTOM,
        )
        for name, field in self.fields.items():
            field.setText(str(getattr(limits, name)))
        self.buttons[preset].setChecked(True)
        self._on_toggled()

    def choice(self) -> str:
        """``"conservative"``, ``"moderate"`` or ``"custom"``."""
        return next(name for name, button in self.buttons.items() if button.isChecked())

    def select(self, choice: str) -> None:
        """Pick a preset (or custom)."""
        self.buttons[choice].setChecked(True)

    def result(self) -> tuple[RiskLimits | None, list[str]]:
        """The chosen limits (other limits kept as they were), or the problems."""
        choice = self.choice()
        if choice == CUSTOM:
            return custom_risk(self._base, {n: f.text() for n, f in self.fields.items()})
        preset = PRESETS[choice]
        return replace(self._base, **{name: getattr(preset, name) for name in RISK_LABELS}), []

    def _on_toggled(self, *_args: object) -> None:
        choice = next((n for n, b in self.buttons.items() if b.isChecked()), CUSTOM)
        for name, field in self.fields.items():
            field.setEnabled(choice == CUSTOM)
            if choice != CUSTOM:
                field.setText(str(getattr(PRESETS[choice], name)))


class FoldersForm(QWidget):
    """Data (database) folder, the log folder and, optionally, the log level.

    Args:
        paths: the application's directories.
        with_level: show the log level choice (the settings dialog has a logging tab).
    """

    def __init__(
        self, paths: AppPaths, *, with_level: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._paths = paths
        self._fixed_url: str | None = None
        self.data_folder = QLineEdit()
        self.data_folder.setObjectName("dataFolder")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.data_folder, 1)
        row.addWidget(browse)
        self.log_folder = QLabel(str(paths.log_dir))
        self.log_folder.setObjectName("logFolder")
        self.level = QComboBox()
        self.level.setObjectName("logLevel")
        self.level.addItems(list(LOG_LEVELS))
        hint = QLabel(
            f"The database (orders, fills, audit log) goes to the data folder. Candles and the "
            f"paper account stay in {paths.data_dir}. Set CRYPTOBOT_HOME to move every folder."
        )
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Data folder", row)
        form.addRow("Log folder", self.log_folder)
        if with_level:
            form.addRow("Log level", self.level)
        else:
            self.level.hide()
        form.addRow(hint)

    def load(self, settings: Settings) -> None:
        """Show the database folder and log level of ``settings``."""
        url = settings.database.url
        self._fixed_url = None
        folder = self._paths.data_dir
        if url:
            parsed = make_url(url)
            if parsed.get_backend_name() == "sqlite" and parsed.database:
                folder = Path(parsed.database).parent
            else:
                self._fixed_url = url
        self.data_folder.setText(str(folder))
        self.data_folder.setEnabled(self._fixed_url is None)
        if self._fixed_url is not None:
            self.data_folder.setText(make_url(url or "").render_as_string(hide_password=True))
        self.level.setCurrentText(settings.logging.level)

    def problems(self) -> list[str]:
        """What is wrong with the chosen folder."""
        if self._fixed_url is not None:
            return []
        return folder_problems(self.data_folder.text(), "Data folder")

    def database_changes(self) -> dict[str, Any]:
        """The ``database`` section: no URL for the default folder, else a SQLite file URL."""
        if self._fixed_url is not None:
            return {"url": self._fixed_url}
        folder = Path(self.data_folder.text().strip()).expanduser()
        if folder == self._paths.data_dir:
            return {"url": None}
        return {"url": f"sqlite:///{(folder / SQLITE_FILE_NAME).as_posix()}"}

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Data folder", self.data_folder.text())
        if chosen:
            self.data_folder.setText(chosen)
