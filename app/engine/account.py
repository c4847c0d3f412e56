"""The account as the risk checks see it: equity, cash, positions, prices, open orders."""

from __future__ import annotations

from app.core.errors import EngineError
from app.engine.candle_book import CandleBook
from app.engine.portfolio import Portfolio
from app.engine.read_model import ReadModel
from app.engine.tracker import OrderTracker
from app.risk.context import RiskContext


class Account:
    """Builds the :class:`RiskContext` of an order from the engine's live state.

    Args:
        portfolio: positions and cash.
        tracker: the orders (open ones count against the limit).
        view: the markets.
        candles: the last prices.
    """

    def __init__(
        self, portfolio: Portfolio, tracker: OrderTracker, view: ReadModel, candles: CandleBook
    ) -> None:
        self._portfolio = portfolio
        self._tracker = tracker
        self._view = view
        self._candles = candles

    def risk_context(self, symbol: str) -> RiskContext:
        """Account snapshot for an order in ``symbol`` (strategies and manual orders).

        Raises:
            EngineError: the exchange does not list ``symbol``.
        """
        market = self._view.markets().get(symbol)
        if market is None:
            raise EngineError(
                f"{symbol} is not listed on {self._tracker.exchange.exchange_id}; "
                "pick a market from the list"
            )
        portfolio = self._portfolio
        marks = self._candles.last_prices()
        return RiskContext(
            equity=portfolio.snapshot(marks).equity,
            quote_free=portfolio.cash,
            positions={p.symbol: p.quantity for p in portfolio.positions},
            last_prices=marks,
            open_orders=len(self._tracker.active()),
            market=market,
            fee_rate=market.taker_fee,
        )
