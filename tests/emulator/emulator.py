"""The exchange emulator object tests use: server lifecycle plus thread-safe control methods."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from app.core.money import is_multiple_of, to_decimal
from tests.emulator.auth import Authenticator
from tests.emulator.candles import CandleSeries, frame_to_arrays, interval_ms, read_candle_csv
from tests.emulator.faults import ArmedFault, Fault, FaultPlan
from tests.emulator.markets import DEFAULT_MARKETS, MarketSpec
from tests.emulator.orders import EmuOrder, EmuTrade
from tests.emulator.recorder import Recorder, RequestRecord
from tests.emulator.server import EmulatorServer
from tests.emulator.state import State
from tests.emulator.streams import Message, kline_event, price_messages
from tests.emulator.userstream import user_events
from tests.emulator.venue import FEE_ASSETS, Venue

DEFAULT_BALANCES: dict[str, Decimal] = {
    "USDT": Decimal(10000),
    "BTC": Decimal("0.5"),
    "ETH": Decimal(5),
}
"""Free balances of a new emulated account."""

DEFAULT_CANDLES: tuple[tuple[str, str, str], ...] = (
    ("BTC/USDT", "1h", "btc_usdt_1h.csv"),
    ("BTC/USDT", "5m", "btc_usdt_5m.csv"),
    ("ETH/USDT", "1h", "eth_usdt_1h.csv"),
    ("ETH/BTC", "5m", "eth_btc_5m.csv"),
)
"""Real candles loaded by default (symbol, timeframe, file in the shared data folder)."""

CCXT_OPTIONS: dict[str, Any] = {
    "fetchMarkets": {"types": ["spot"]},
    "fetchCurrencies": False,
    "fetchMargins": False,
}


@dataclass(frozen=True, slots=True)
class EmulatorSnapshot:
    """A copy of the emulated account for assertions (values never change afterwards)."""

    orders: dict[str, EmuOrder]
    """Every order keyed by client order id."""
    trades: tuple[EmuTrade, ...]
    balances: dict[str, tuple[Decimal, Decimal]]
    """``{asset: (free, locked)}``."""
    prices: dict[str, Decimal]
    """Last price per Binance symbol id."""


@functools.lru_cache(maxsize=1)
def _ccxt_url_template() -> dict[str, Any]:
    """ccxt.pro binance's ``urls`` (REST and websocket), read once."""
    import ccxt.pro

    exchange = ccxt.pro.binance()
    return {key: exchange.urls[key] for key in ("api", "test", "demo")}


def _rewrite(value: Any, http_base: str, ws_base: str) -> Any:
    """Point every URL in ``value`` at the emulator, keeping the path."""
    if isinstance(value, dict):
        return {k: _rewrite(v, http_base, ws_base) for k, v in value.items()}
    if isinstance(value, str) and "://" in value:
        parts = urlsplit(value)
        base = ws_base if parts.scheme in ("ws", "wss") else http_base
        return base + parts.path
    return value


def market_id_of(symbol: str) -> str:
    """Binance id of a symbol given as ``BTC/USDT`` or ``BTCUSDT``."""
    return symbol.replace("/", "").upper()


class ExchangeEmulator:
    """A Binance-style spot venue on 127.0.0.1 for tests (see the package docstring).

    Args:
        markets: listed symbols (default: BTC/USDT, ETH/USDT, ETH/BTC).
        balances: starting free balances (default: 10000 USDT, 0.5 BTC, 5 ETH).
        fee_rate: fee per fill as a fraction of notional, in the quote asset.
        data_dir: folder of the shared candle CSVs to seed from; None loads no candles.
        api_key / api_secret: the one valid key pair (random when omitted).
    """

    def __init__(
        self,
        *,
        markets: list[MarketSpec] | None = None,
        balances: dict[str, Decimal] | None = None,
        fee_rate: Decimal = Decimal("0.001"),
        data_dir: Path | None = None,
        api_key: str | None = None,
        api_secret: str | None = None,
    ) -> None:
        self.api_key = api_key or f"emu{secrets.token_hex(30)}"
        self.api_secret = api_secret or secrets.token_hex(32)
        self.faults = FaultPlan()
        self.recorder = Recorder()
        self._state = State(
            venue=Venue(
                list(markets or DEFAULT_MARKETS),
                dict(DEFAULT_BALANCES if balances is None else balances),
                fee_rate,
                self._clock,
            ),
            auth=Authenticator(self.api_key, self.api_secret),
        )
        self._server = EmulatorServer(self._state, self.faults, self.recorder)
        if data_dir is not None:
            self._seed_candles(data_dir)

    def _clock(self) -> int:
        return self._state.server_time()

    def _seed_candles(self, data_dir: Path) -> None:
        listed = {spec.symbol for spec in self._state.venue.markets.values()}
        for symbol, timeframe, name in DEFAULT_CANDLES:
            path = data_dir / name
            if symbol in listed and path.is_file():
                stamps, ohlcv = read_candle_csv(path)
                series = CandleSeries.from_arrays(timeframe, stamps, ohlcv)
                self._state.add_series(market_id_of(symbol), series)
        for market_id in self._state.venue.markets:
            loaded = self._state.series_for(market_id)
            if loaded:
                self._state.price_from(market_id, loaded[0])

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> ExchangeEmulator:
        """Start serving on 127.0.0.1 (returns self)."""
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection."""
        self._server.stop()

    def __enter__(self) -> ExchangeEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self._server.port}"

    @property
    def ws_url(self) -> str:
        """``ws://127.0.0.1:<port>``."""
        return f"ws://127.0.0.1:{self._server.port}"

    def ccxt_config(self, **overrides: Any) -> dict[str, Any]:
        """Constructor config for ``ccxt.binance`` (sync, async_support or pro).

        Every REST and websocket URL points at the emulator; ``load_markets`` only calls
        ``/api/v3/exchangeInfo``; client-side rate limiting is off (tests inject 429s instead)
        and ``close()`` does not linger (no TLS to shut down).
        ``overrides`` are merged on top (``options`` are merged key by key).
        """
        config: dict[str, Any] = {
            "apiKey": self.api_key,
            "secret": self.api_secret,
            "enableRateLimit": False,
            "timeout_on_exit": 0,
            "urls": _rewrite(_ccxt_url_template(), self.base_url, self.ws_url),
            "options": dict(CCXT_OPTIONS),
        }
        options = overrides.pop("options", {})
        config.update(overrides)
        config["options"].update(options)
        return config

    # ------------------------------------------------------------------ market control
    def set_price(self, symbol: str, price: Decimal | str | int) -> list[EmuTrade]:
        """Move the market: fill crossed orders, then push ticker and kline events.

        Args:
            symbol: ``BTC/USDT`` or ``BTCUSDT``.
            price: the new last price (on the symbol's tick grid; floats are refused).

        Returns:
            The trades the move produced.

        Raises:
            ValueError: price not positive, off the tick grid, or a float.
        """
        if isinstance(price, float):
            raise ValueError("set_price takes a Decimal, str or int, not a float")
        value = to_decimal(price, field="price")
        market_id = market_id_of(symbol)
        with self._state.lock:
            spec = self._state.market(market_id)
            if value <= 0 or not is_multiple_of(value, spec.tick_size):
                raise ValueError(
                    f"{symbol}: price {value} must be positive, on tick {spec.tick_size}"
                )
            trades = self._state.venue.set_price(market_id, value)
            self._state.pinned_prices.add(market_id)
            for (sym, _), series in self._state.candles.items():
                if sym == market_id:
                    series.update_price(float(value))
            messages = price_messages(self._state, market_id)
            events = user_events(self._state)
        self._publish(messages, events)
        return trades

    def close_candle(self, symbol: str, timeframe: str) -> None:
        """Close the forming candle (kline event with ``x: true``) and open the next one."""
        market_id = market_id_of(symbol)
        interval_ms(timeframe)
        with self._state.lock:
            series = self._state.candles[(market_id, timeframe)]
            closed_index = len(series.stamps) - 1
            stream = f"{market_id.lower()}@kline_{timeframe}"
            closed = kline_event(self._state, market_id, series, closed_index, closed=True)
            series.roll()
            opened = kline_event(self._state, market_id, series, closed_index + 1, closed=False)
        self._publish([(stream, closed), (stream, opened)])

    def load_candles(self, symbol: str, timeframe: str, frame: pd.DataFrame) -> None:
        """Serve ``frame`` (timestamp, open, high, low, close, volume) as ``symbol``'s klines.

        Unless :meth:`set_price` pinned the price, the last close becomes the current price.
        """
        interval_ms(timeframe)
        stamps, ohlcv = frame_to_arrays(frame)
        with self._state.lock:
            series = CandleSeries.from_arrays(timeframe, stamps, ohlcv)
            self._state.add_series(market_id_of(symbol), series)

    def set_fill_limit(self, symbol: str, quantity: Decimal | str | int | None) -> None:
        """Cap the quantity one order fills per matching event (None: fill completely).

        With a cap, limit orders fill partially (``PARTIALLY_FILLED``) and keep resting; each
        later :meth:`set_price` that crosses them fills up to the cap again.
        """
        market_id = market_id_of(symbol)
        with self._state.lock:
            self._state.market(market_id)
            if quantity is None:
                self._state.venue.fill_limits.pop(market_id, None)
            else:
                self._state.venue.fill_limits[market_id] = to_decimal(quantity, field="quantity")

    def set_fee_asset(self, fee_asset: str) -> None:
        """Charge fees in ``"quote"`` (the default) or in the ``"received"`` asset.

        With ``"received"`` a BUY pays its fee in the base coin (Binance without BNB): the
        account is credited the quantity minus the fee and the trade's ``commissionAsset`` is
        the base; a SELL still pays in the quote asset.

        Raises:
            ValueError: ``fee_asset`` is neither "quote" nor "received".
        """
        if fee_asset not in FEE_ASSETS:
            raise ValueError(f"fee_asset: expected one of {sorted(FEE_ASSETS)}, got {fee_asset!r}")
        with self._state.lock:
            self._state.venue.fee_asset = fee_asset

    def set_balance(self, asset: str, free: Decimal | str | int) -> None:
        """Set the free balance of ``asset`` (locked amounts are unchanged)."""
        with self._state.lock:
            self._state.venue.ledger.set_free(asset, to_decimal(free, field=asset))

    def set_time_offset(self, milliseconds: int) -> None:
        """Skew the venue clock by ``milliseconds`` (negative: server behind the client)."""
        with self._state.lock:
            self._state.time_offset_ms = milliseconds

    def set_permissions(self, **flags: bool) -> None:
        """Change key permissions / account flags, e.g. ``enable_withdrawals=True``,
        ``enable_spot_and_margin_trading=False``, ``ip_allowed=False`` (see ``Permissions``)."""
        with self._state.lock:
            self._state.auth.permissions = self._state.auth.permissions.updated(**flags)

    # ------------------------------------------------------------------ faults
    def inject(self, endpoint: str, fault: Fault | str, times: int | None = 1, **kw: Any) -> None:
        """Arm a fault for the next ``times`` requests to ``endpoint`` (see ``Fault``)."""
        self.faults.arm(endpoint, fault, times, **kw)

    def clear_faults(self) -> None:
        """Disarm every injected fault."""
        self.faults.clear()

    def pending_faults(self) -> list[ArmedFault]:
        """Faults not yet used up."""
        return self.faults.pending()

    def drop_websockets(self) -> int:
        """Cut every open websocket connection now; returns how many there were."""
        return self._server.call(self._server.hub.drop_all())

    # ------------------------------------------------------------------ inspection
    def calls(self, endpoint: str | None = None) -> int:
        """Requests received for ``endpoint`` (``"POST /api/v3/order"``), all when None."""
        return self.recorder.calls(endpoint)

    def requests(self, endpoint: str | None = None) -> list[RequestRecord]:
        """The request log, oldest first (only ``endpoint``'s when given)."""
        return self.recorder.log(endpoint)

    def reset_counters(self) -> None:
        """Forget call counts and the request log."""
        self.recorder.reset()

    def snapshot(self) -> EmulatorSnapshot:
        """A consistent copy of orders, trades, balances and prices."""
        with self._state.lock:
            venue = self._state.venue
            return EmulatorSnapshot(
                orders=venue.by_client_id(),
                trades=tuple(venue.trades),
                balances=venue.ledger.snapshot(),
                prices=dict(venue.prices),
            )

    def order(self, client_order_id: str) -> EmuOrder:
        """The order with ``client_order_id`` (KeyError when the venue never accepted it)."""
        return self.snapshot().orders[client_order_id]

    def balance(self, asset: str) -> tuple[Decimal, Decimal]:
        """``(free, locked)`` of ``asset``."""
        with self._state.lock:
            ledger = self._state.venue.ledger
            return ledger.free(asset), ledger.locked(asset)

    @property
    def websocket_connections(self) -> int:
        """Websocket connections currently open."""
        return self._server.hub.connection_count

    @property
    def user_stream_subscribers(self) -> int:
        """WebSocket API connections subscribed to the user data stream."""
        return self._server.hub.user_subscribers

    def _publish(
        self, messages: list[Message], account_events: list[dict[str, object]] | None = None
    ) -> None:
        """Send events to subscribers and wait until they are written (no-op before start)."""
        if not self._server.running:
            return
        hub = self._server.hub
        self._server.call(hub.publish(messages))
        if account_events:
            self._server.call(hub.publish_user(account_events))
