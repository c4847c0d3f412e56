"""The typed settings model: one frozen dataclass per section of ``settings.toml``.

Defaults give a working offline install: paper trading on the bundled replay data, no account,
no network. Values are validated by :mod:`app.config.validation`, never here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from app.core.enums import TradingMode
from app.risk.limits import RiskLimits

SETTINGS_VERSION = 1
"""Version of the file layout written by this release."""


class Theme(StrEnum):
    """Colour scheme of the window."""

    DARK = "dark"
    LIGHT = "light"


@dataclass(frozen=True, slots=True)
class GeneralSettings:
    """What the app trades and how it looks."""

    mode: TradingMode = TradingMode.OFFLINE
    """Where orders go; live needs ``live_confirmed``."""
    quote_currency: str = "USDT"
    """Currency in which equity and P&L are reported."""
    symbols: tuple[str, ...] = ("BTC/USDT", "ETH/USDT")
    """Watch-list in ccxt unified form (BASE/QUOTE)."""
    timeframe: str = "1h"
    """Default chart and strategy timeframe."""
    theme: Theme = Theme.DARK
    notifications: bool = True
    """Desktop notifications for fills and risk events."""
    first_run_done: bool = False
    """Set by the setup wizard when it finishes."""
    live_confirmed: bool = False
    """Set only after the user typed the live-trading confirmation."""


@dataclass(frozen=True, slots=True)
class ExchangeSettings:
    """Which exchange to connect to. Holds a keyring reference, never an API secret."""

    id: str = "binance"
    """ccxt exchange id."""
    sandbox: bool = False
    """Use the exchange's testnet/sandbox endpoints."""
    api_key_ref: str | None = None
    """Name of the credentials entry in the OS keyring (not the key itself)."""
    key_added_at: int | None = None
    """When the key was stored, ms UTC (to remind the user to rotate it)."""
    ccxt_config: dict[str, Any] = field(default_factory=dict)
    """Extra arguments for the ccxt constructor (options, urls, proxies); treat as read-only."""


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    """Where orders, fills, candles and the audit log are stored."""

    url: str | None = None
    """SQLAlchemy URL; ``None`` means the SQLite file in the data directory."""


@dataclass(frozen=True, slots=True)
class LoggingSettings:
    """Log levels and the rotation of the JSON-lines log files."""

    level: str = "INFO"
    component_levels: dict[str, str] = field(default_factory=dict)
    """Logger name -> level, e.g. ``{"app.exchange": "DEBUG"}``; treat as read-only."""
    max_bytes: int = 10 * 1024 * 1024
    """Size at which the log file is rotated."""
    backups: int = 5
    """Rotated files kept."""
    retention_days: int = 30
    """Rotated files older than this are deleted at start-up."""
    console: bool = True
    """Also log to the terminal."""


@dataclass(frozen=True, slots=True)
class PaperSettings:
    """The simulated account used in offline and paper mode."""

    initial_balances: dict[str, Decimal] = field(default_factory=lambda: {"USDT": Decimal(10000)})
    """Currency -> starting balance; treat as read-only."""
    fee_rate: Decimal = Decimal("0.001")
    """Fee as a fraction of notional (0.001 = 0.1 %)."""
    slippage_bps: Decimal = Decimal(5)
    """Adverse slippage on market fills, in basis points."""


@dataclass(frozen=True, slots=True)
class ReplaySettings:
    """The offline price feed: bundled candles played back at ``speed`` x real time."""

    data_file: str = "btc_usdt_1h.csv"
    """Name of a CSV in ``resources/demo``."""
    exchange: str = "binance"
    symbol: str = "BTC/USDT"
    timeframe: str = "1h"
    speed: float = 3600.0
    """Bars are played ``speed`` times faster than real time; 0 = as fast as possible.

    The default plays a 1h candle a second, so a new user sees a strategy trade within a minute.
    """


@dataclass(frozen=True, slots=True)
class Settings:
    """Every user setting, grouped by section as in ``settings.toml``."""

    general: GeneralSettings = field(default_factory=GeneralSettings)
    exchange: ExchangeSettings = field(default_factory=ExchangeSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    risk: RiskLimits = field(default_factory=RiskLimits)
    paper: PaperSettings = field(default_factory=PaperSettings)
    replay: ReplaySettings = field(default_factory=ReplaySettings)
