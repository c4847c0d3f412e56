"""Listed symbols of the emulated venue and their exchangeInfo JSON (Binance spot shapes)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ORDER_TYPES = (
    "LIMIT",
    "LIMIT_MAKER",
    "MARKET",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
    "TAKE_PROFIT_LIMIT",
)
"""Order types every emulated symbol accepts (ccxt checks them before sending)."""


def fmt(value: Decimal) -> str:
    """A Decimal the way Binance prints amounts: fixed point with 8 decimals."""
    return f"{value:.8f}"


@dataclass(frozen=True, slots=True)
class MarketSpec:
    """Trading rules of one emulated spot symbol.

    ``symbol`` is the unified name (``BTC/USDT``); :attr:`market_id` is Binance's (``BTCUSDT``).
    """

    base: str
    quote: str
    tick_size: Decimal
    step_size: Decimal
    min_qty: Decimal
    min_notional: Decimal
    max_qty: Decimal = Decimal(9000)
    min_price: Decimal | None = None
    max_price: Decimal = Decimal(1000000)
    status: str = "TRADING"

    @property
    def symbol(self) -> str:
        """Unified ccxt symbol, e.g. ``BTC/USDT``."""
        return f"{self.base}/{self.quote}"

    @property
    def market_id(self) -> str:
        """Binance symbol, e.g. ``BTCUSDT``."""
        return f"{self.base}{self.quote}"

    @property
    def lowest_price(self) -> Decimal:
        """PRICE_FILTER minPrice (the tick size unless set)."""
        return self.tick_size if self.min_price is None else self.min_price

    def to_json(self) -> dict[str, object]:
        """The symbol's entry in ``GET /api/v3/exchangeInfo``."""
        return {
            "symbol": self.market_id,
            "status": self.status,
            "baseAsset": self.base,
            "baseAssetPrecision": 8,
            "quoteAsset": self.quote,
            "quotePrecision": 8,
            "quoteAssetPrecision": 8,
            "baseCommissionPrecision": 8,
            "quoteCommissionPrecision": 8,
            "orderTypes": list(ORDER_TYPES),
            "icebergAllowed": False,
            "ocoAllowed": False,
            "otoAllowed": False,
            "quoteOrderQtyMarketAllowed": True,
            "allowTrailingStop": False,
            "cancelReplaceAllowed": False,
            "amendAllowed": False,
            "isSpotTradingAllowed": True,
            "isMarginTradingAllowed": False,
            "filters": [
                {
                    "filterType": "PRICE_FILTER",
                    "minPrice": fmt(self.lowest_price),
                    "maxPrice": fmt(self.max_price),
                    "tickSize": fmt(self.tick_size),
                },
                {
                    "filterType": "LOT_SIZE",
                    "minQty": fmt(self.min_qty),
                    "maxQty": fmt(self.max_qty),
                    "stepSize": fmt(self.step_size),
                },
                {
                    "filterType": "NOTIONAL",
                    "minNotional": fmt(self.min_notional),
                    "applyMinToMarket": True,
                    "maxNotional": "9000000.00000000",
                    "applyMaxToMarket": False,
                    "avgPriceMins": 5,
                },
            ],
            "permissions": [],
            "permissionSets": [["SPOT"]],
            "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
            "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER"],
        }


DEFAULT_MARKETS: tuple[MarketSpec, ...] = (
    MarketSpec("BTC", "USDT", Decimal("0.01"), Decimal("0.00001"), Decimal("0.00001"), Decimal(5)),
    MarketSpec("ETH", "USDT", Decimal("0.01"), Decimal("0.0001"), Decimal("0.0001"), Decimal(5)),
    MarketSpec(
        "ETH", "BTC", Decimal("0.00001"), Decimal("0.0001"), Decimal("0.0001"), Decimal("0.0001")
    ),
)
"""Symbols listed by default (Binance's real filters for these pairs, rounded)."""

RATE_LIMITS: list[dict[str, object]] = [
    {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
    {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
    {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 200000},
    {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000},
]


def exchange_info_json(markets: list[MarketSpec], server_time: int) -> dict[str, object]:
    """The body of ``GET /api/v3/exchangeInfo`` for ``markets``."""
    return {
        "timezone": "UTC",
        "serverTime": server_time,
        "rateLimits": RATE_LIMITS,
        "exchangeFilters": [],
        "symbols": [spec.to_json() for spec in markets],
    }
