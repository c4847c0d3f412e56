"""Binance-style local exchange emulator for tests (spot REST + websocket on 127.0.0.1).

Real ccxt code talks to it over HTTP and websockets; tests steer the market, inject faults and
inspect what the client really sent.

Fixtures
--------
Register them in your test package's ``conftest.py`` (assign rather than import when that
conftest also defines fixtures taking ``exchange_emulator``, or ruff reports F811)::

    from tests.emulator import fixtures as emulator_fixtures

    exchange_emulator = emulator_fixtures.exchange_emulator
    exchange_emulator_factory = emulator_fixtures.exchange_emulator_factory

- ``exchange_emulator`` (function scope): a running :class:`ExchangeEmulator` listing BTC/USDT,
  ETH/USDT and ETH/BTC (Binance's filters), with 10000 USDT, 0.5 BTC and 5 ETH free, fee 0.1 %
  in the quote asset, and real candles from the shared data folder: BTC/USDT 1h + 5m, ETH/USDT
  1h, ETH/BTC 5m. The current price of each symbol starts at the last close of its most recent
  series.
- ``exchange_emulator_factory(**kwargs)``: starts more emulators with ``markets`` (list of
  :class:`MarketSpec`), ``balances`` (``{"USDT": Decimal(...)}``), ``fee_rate``, ``data_dir``
  (None: no candles), ``api_key``/``api_secret``. All are stopped after the test.

Connecting ccxt
---------------
``emulator.ccxt_config(**overrides)`` is a constructor config for ``ccxt.binance``,
``ccxt.async_support.binance`` and ``ccxt.pro.binance``: every REST and websocket URL points at
the emulator, the key pair is set, ``load_markets()`` calls only ``GET /api/v3/exchangeInfo``,
client-side rate limiting is off. Pass ``timeout=200`` (ms) in timeout tests::

    exchange = ccxt.async_support.binance(emulator.ccxt_config(timeout=200))

Attributes: ``base_url`` (``http://127.0.0.1:<port>``), ``ws_url``, ``api_key``, ``api_secret``.

Market control (thread-safe; callable from sync tests or, briefly blocking, from async ones)
--------------------------------------------------------------------------------------------
- ``set_price(symbol, price)``: move the market (``"BTC/USDT"`` or ``"BTCUSDT"``; Decimal/str/int
  on the tick grid). Crossed resting limit orders fill at their limit price (maker), triggered
  stops fill at the new price (taker), oldest order first; returns the trades. Pushes
  ``24hrMiniTicker``/``24hrTicker`` and forming ``kline`` events and returns once they are sent.
- ``close_candle(symbol, timeframe)``: close the forming candle (kline ``x: true``) and open
  the next one at its close.
- ``load_candles(symbol, timeframe, frame)``: serve a DataFrame (timestamp, open, high, low,
  close, volume) as klines.
- ``set_fill_limit(symbol, qty)``: cap each order's fill per matching event (partial fills;
  None restores complete fills).
- ``set_fee_asset("received")``: charge fees in the asset the order receives (a BUY pays in
  the base coin and is credited the quantity minus the fee, like Binance without BNB);
  ``"quote"`` (the default) charges every fee in the quote asset.
- ``set_balance(asset, free)``, ``set_time_offset(ms)`` (clock skew; -1021 beyond the
  recvWindow), ``set_permissions(**flags)`` (``enable_withdrawals``,
  ``enable_spot_and_margin_trading``, ``enable_reading``, ``ip_restrict``, ``ip_allowed=False``
  for "IP not allowed", ``can_trade`` ...; see :class:`~tests.emulator.auth.Permissions`).

Matching rules: market orders, and limit orders that cross on arrival, fill completely at the
current price as taker; the book shows one tick either side. Buys reserve
``qty x price x (1 + fee)`` of the quote asset, sells reserve the base quantity. Client order
ids are never reusable: a second ``newClientOrderId`` is rejected with -2010 "Duplicate order
sent." (stricter than Binance, which only checks open orders).

Faults
------
``inject(endpoint, fault, times=1, **options)`` arms a fault for the next ``times`` requests to
``endpoint`` (``"POST /api/v3/order"``; ``"*"`` any REST endpoint; ``"WS"`` websocket messages;
``times=None`` until ``clear_faults()``). Faults and options (:class:`Fault`): ``latency``
(``ms``), ``http_429``/``http_418`` (``retry_after`` s, -1003 body), ``http_500``/``502``/``503``
(HTML body, or JSON with ``code``/``msg``), ``timeout_after_accept`` (order stored, reply held
``delay_ms`` or ``mode="drop"``), ``timeout_before_accept``, ``bad_json`` (processed, body cut),
``drop_websocket``. ``drop_websockets()`` cuts every open websocket now.

Inspection
----------
``calls(endpoint)`` counts requests (``calls("POST /api/v3/order")``; websocket connections
count as ``"WS /ws/<n>"``, their messages as ``"WS SUBSCRIBE"`` etc.); ``requests(endpoint)``
is the log (:class:`RequestRecord`: params without signature, status, Binance code, fault);
``reset_counters()`` forgets both. ``snapshot()`` returns orders by client order id
(:class:`~tests.emulator.orders.EmuOrder`, Binance status strings), trades, balances
``{asset: (free, locked)}`` and prices; ``order(client_id)`` and ``balance(asset)`` are
shortcuts.

REST endpoints: ping, time, exchangeInfo, klines, ticker/24hr, ticker/price, ticker/bookTicker,
depth; signed: order (POST/GET/DELETE, also order/test), openOrders (GET/DELETE), allOrders,
account, myTrades, and ``GET /sapi/v1/account/apiRestrictions``. Websocket: ``/ws`` and
``/stream`` with SUBSCRIBE/UNSUBSCRIBE/LIST_SUBSCRIPTIONS, streams ``<symbol>@miniTicker``,
``<symbol>@ticker`` and ``<symbol>@kline_<interval>``; ``/ws-api/v3`` serves the spot user data
stream ccxt.pro's ``watch_orders``/``watch_balance``/``watch_my_trades`` use
(``userDataStream.subscribe.signature``, then ``executionReport`` and
``outboundAccountPosition`` events on every order change, also when the REST reply was held by a
fault); ``user_stream_subscribers`` tells a test when ccxt has subscribed.
"""

from tests.emulator.auth import Permissions
from tests.emulator.emulator import EmulatorSnapshot, ExchangeEmulator
from tests.emulator.faults import Fault
from tests.emulator.markets import MarketSpec
from tests.emulator.recorder import RequestRecord

__all__ = [
    "EmulatorSnapshot",
    "ExchangeEmulator",
    "Fault",
    "MarketSpec",
    "Permissions",
    "RequestRecord",
]
