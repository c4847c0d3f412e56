"""Table models (QAbstractTableModel) of orders, positions, fills, balances and strategies."""

from app.ui.models.columns import SORT_ROLE, Column
from app.ui.models.record_model import RecordTableModel
from app.ui.models.trading import (
    BalancesModel,
    FillsModel,
    OrdersModel,
    PositionsModel,
    StrategiesModel,
)

__all__ = [
    "SORT_ROLE",
    "BalancesModel",
    "Column",
    "FillsModel",
    "OrdersModel",
    "PositionsModel",
    "RecordTableModel",
    "StrategiesModel",
]
