"""Status bar: trading-mode badge, exchange connection, engine state and equity."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from app.core.enums import TradingMode
from app.core.events import (
    ConnectionStateChanged,
    EngineStateChanged,
    EquityUpdated,
    WorkerHealthChanged,
)
from app.ui.models.formatting import format_money, format_signed_money
from app.ui.theme import MODE_BADGES


def badge_style(mode: TradingMode) -> str:
    """Style sheet of the mode badge (LIVE: red and bold; TESTNET: amber; PAPER: green)."""
    _text, background, foreground = MODE_BADGES[mode]
    weight = "900" if mode is TradingMode.LIVE else "bold"
    return (
        f"QLabel {{ background: {background}; color: {foreground}; font-weight: {weight}; "
        "border-radius: 3px; padding: 2px 10px; }"
    )


class StatusBar(QStatusBar):
    """The main window's status bar.

    Args:
        mode: the engine's trading mode (shown as a coloured badge).
        quote_currency: currency equity is shown in.
        parent: owning widget.
    """

    def __init__(
        self, mode: TradingMode, quote_currency: str = "USDT", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.quote_currency = quote_currency
        self.mode_badge = QLabel(self)
        self.mode_badge.setObjectName("modeBadge")
        self.connection_label = QLabel(self)
        self.engine_label = QLabel(self)
        self.workers_label = QLabel(self)
        self.workers: dict[str, WorkerHealthChanged] = {}
        self.equity_label = QLabel(self)
        self.equity_label.setMinimumWidth(260)
        self.addWidget(self.mode_badge)
        self.addPermanentWidget(self.connection_label)
        self.addPermanentWidget(self.engine_label)
        self.addPermanentWidget(self.workers_label)
        self.addPermanentWidget(self.equity_label)
        self.set_mode(mode)
        self.set_engine_running(False)
        offline = mode is TradingMode.OFFLINE
        self.connection_label.setText(
            "Market data: offline replay" if offline else "Exchange: not connected"
        )
        self.equity_label.setText(f"Equity: – {quote_currency}")

    def set_mode(self, mode: TradingMode) -> None:
        """Show ``mode`` on the badge."""
        text, _background, _foreground = MODE_BADGES[mode]
        self.mode_badge.setText(text)
        self.mode_badge.setStyleSheet(badge_style(mode))
        self.mode_badge.setToolTip(
            "Orders go to the exchange with real money"
            if mode is TradingMode.LIVE
            else "Orders go to the exchange's test environment"
            if mode is TradingMode.TESTNET
            else "Simulated orders: no real money is used"
        )

    def set_engine_running(self, running: bool, detail: str = "") -> None:
        """Show whether the engine runs."""
        state = "running" if running else "stopped"
        self.engine_label.setText(f"Engine: {state}" + (f" ({detail})" if detail else ""))

    def set_engine_loading(self) -> None:
        """The engine is still being built (shown right after start-up)."""
        self.engine_label.setText("Engine: loading…")

    def on_engine_state(self, event: EngineStateChanged) -> None:
        """The engine started or stopped."""
        self.set_mode(event.mode)
        self.set_engine_running(event.running, event.detail)

    def on_connection(self, event: ConnectionStateChanged) -> None:
        """The exchange connection changed."""
        state = "connected" if event.connected else "disconnected"
        text = f"{event.exchange}: {state}"
        self.connection_label.setText(text + (f" ({event.detail})" if event.detail else ""))

    def on_worker_health(self, event: WorkerHealthChanged) -> None:
        """A background worker started, crashed, restarted or stopped."""
        self.workers[event.worker] = event
        troubled = [w for w in self.workers.values() if w.status not in ("running", "stopped")]
        running = sum(1 for w in self.workers.values() if w.status == "running")
        if troubled:
            first = troubled[0]
            self.workers_label.setText(
                f"⚠ {first.worker}: {first.status} (restarts {first.restarts})"
                + (f" +{len(troubled) - 1} more" if len(troubled) > 1 else "")
            )
            self.workers_label.setToolTip(first.error or "")
            self.workers_label.setObjectName("error")
        else:
            self.workers_label.setText(f"Workers: {running} running" if running else "")
            self.workers_label.setToolTip("")
            self.workers_label.setObjectName("")
        self.workers_label.style().unpolish(self.workers_label)
        self.workers_label.style().polish(self.workers_label)

    def on_equity(self, event: EquityUpdated) -> None:
        """Equity and P&L changed."""
        pnl = event.realised_pnl + event.unrealised_pnl
        self.equity_label.setText(
            f"Equity: {format_money(event.equity)} {self.quote_currency}   "
            f"P&L: {format_signed_money(pnl)}"
        )
