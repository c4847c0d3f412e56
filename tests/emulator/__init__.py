"""Binance-style local exchange emulator for tests (REST + websocket on 127.0.0.1).

Fixtures (register them in your package's ``conftest.py``)::

    from tests.emulator.fixtures import exchange_emulator, exchange_emulator_factory  # noqa: F401

``exchange_emulator`` is a running :class:`~tests.emulator.emulator.ExchangeEmulator` with
BTC/USDT, ETH/USDT and ETH/BTC listed, 10000 USDT / 0.5 BTC / 5 ETH free and real candles
(BTC/USDT 1h+5m, ETH/USDT 1h, ETH/BTC 5m); ``exchange_emulator_factory(**kwargs)`` starts
more with custom ``markets``, ``balances``, ``fee_rate``, ``data_dir``, ``api_key``/``api_secret``.

Connect real ccxt::

    exchange = ccxt.async_support.binance(emulator.ccxt_config())   # or ccxt.pro.binance(...)
"""
