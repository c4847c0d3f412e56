"""Repositories: typed access to orders, fills, balances, runs, the audit log and settings history.

Each maps between app.core models (or small frozen records) and one table, with Decimals exact.
"""

from app.storage.repositories.audit import AuditEntry, AuditLog
from app.storage.repositories.balances import BalanceRepository
from app.storage.repositories.fills import FillRepository
from app.storage.repositories.orders import OrderRepository
from app.storage.repositories.runs import (
    BacktestRun,
    BacktestRunRepository,
    StrategyRun,
    StrategyRunRepository,
)
from app.storage.repositories.settings_history import SettingsHistoryRepository, SettingsVersion

__all__ = [
    "AuditEntry",
    "AuditLog",
    "BacktestRun",
    "BacktestRunRepository",
    "BalanceRepository",
    "FillRepository",
    "OrderRepository",
    "SettingsHistoryRepository",
    "SettingsVersion",
    "StrategyRun",
    "StrategyRunRepository",
]
