"""ExchangePort implementations: ccxt adapter, paper exchange, replay feed."""
