"""ChartPanel: a toolbar (symbol and timeframe pickers, study toggles) above a ChartWidget."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from app.ui.chart.palette import DARK, ChartPalette
from app.ui.chart.studies import Study, StudyKind
from app.ui.chart.widget import ChartWidget

DEFAULT_TIMEFRAMES = ("1m", "5m", "15m", "1h", "4h", "1d")
DEFAULT_OVERLAYS = (
    Study(StudyKind.SMA, 20),
    Study(StudyKind.SMA, 50),
    Study(StudyKind.EMA, 21),
    Study(StudyKind.BOLLINGER, 20, 2.0),
)


class ChartPanel(QWidget):
    """The chart panel of the main window.

    Signals are emitted when the user picks another symbol or timeframe; the owner then loads
    the candles and calls ``panel.chart.set_candles(...)``.

    Args:
        symbols: symbols offered in the picker ("BTC/USDT", ...).
        timeframes: timeframes offered ("1m", "1h", ...).
        overlays: overlay studies offered as toggle buttons.
        palette: chart colours.
        parent: owning widget.
    """

    symbol_changed = Signal(str)
    timeframe_changed = Signal(str)

    def __init__(
        self,
        symbols: Sequence[str] = (),
        timeframes: Sequence[str] = DEFAULT_TIMEFRAMES,
        overlays: Sequence[Study] = DEFAULT_OVERLAYS,
        palette: ChartPalette = DARK,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.chart = ChartWidget(palette, parent=self)
        self.symbol_box = QComboBox(self)
        self.symbol_box.setMinimumContentsLength(10)
        self.symbol_box.setToolTip("Symbol")
        self.timeframe_box = QComboBox(self)
        self.timeframe_box.setToolTip("Timeframe")
        self.overlay_buttons: dict[Study, QToolButton] = {}
        self.rsi_button = self._toggle("RSI", "Relative strength index (14) pane")
        self.macd_button = self._toggle("MACD", "MACD (12, 26, 9) pane")
        for study in overlays:
            if not study.kind.is_overlay:
                raise ValueError(f"{study.label} is not a price overlay")
            button = self._toggle(study.label, f"Show {study.label} on the price pane")
            button.toggled.connect(self._on_overlays_toggled)
            self.overlay_buttons[study] = button
        self.rsi_button.toggled.connect(self.chart.show_rsi)
        self.macd_button.toggled.connect(self.chart.show_macd)

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 4, 4, 0)
        bar.addWidget(QLabel("Symbol", self))
        bar.addWidget(self.symbol_box)
        bar.addWidget(QLabel("Timeframe", self))
        bar.addWidget(self.timeframe_box)
        bar.addSpacing(12)
        for button in (*self.overlay_buttons.values(), self.rsi_button, self.macd_button):
            bar.addWidget(button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.chart, 1)

        self.set_symbols(symbols)
        self.set_timeframes(timeframes)
        self.symbol_box.currentTextChanged.connect(self._on_symbol)
        self.timeframe_box.currentTextChanged.connect(self._on_timeframe)

    def symbol(self) -> str:
        """The selected symbol ('' when none)."""
        return str(self.symbol_box.currentText())

    def timeframe(self) -> str:
        """The selected timeframe."""
        return str(self.timeframe_box.currentText())

    def set_symbols(self, symbols: Sequence[str], current: str | None = None) -> None:
        """Offer ``symbols`` and select ``current`` (or keep the selection); emits nothing."""
        self._fill(self.symbol_box, symbols, current)

    def set_timeframes(self, timeframes: Sequence[str], current: str | None = None) -> None:
        """Offer ``timeframes`` and select ``current`` (or keep the selection); emits nothing."""
        self._fill(self.timeframe_box, timeframes, current)

    def _fill(self, box: QComboBox, items: Sequence[str], current: str | None) -> None:
        keep = current if current is not None else box.currentText()
        blocked = box.blockSignals(True)
        box.clear()
        box.addItems(list(items))
        index = box.findText(keep)
        box.setCurrentIndex(index if index >= 0 else 0 if items else -1)
        box.blockSignals(blocked)

    def _toggle(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setCheckable(True)
        return button

    def _on_overlays_toggled(self) -> None:
        self.chart.set_overlays(
            study for study, button in self.overlay_buttons.items() if button.isChecked()
        )

    def _on_symbol(self, symbol: str) -> None:
        if symbol:
            self.symbol_changed.emit(symbol)

    def _on_timeframe(self, timeframe: str) -> None:
        if timeframe:
            self.timeframe_changed.emit(timeframe)
