"""Position sizing, pre-trade checks, circuit breakers and the kill switch.

Used unchanged by the backtest and the live engine, so a backtest shows what the rules would
have done live. Modules:

- :mod:`app.risk.limits`: :class:`RiskLimits`, the user's settings (validated, presets).
- :mod:`app.risk.sizing`: sizers (fixed quantity/quote, % of equity, fractional Kelly, ATR).
- :mod:`app.risk.rules`: the ten pre-trade rules (approve, reject with reason, or resize);
  :mod:`app.risk.rule_base`: their outcome, precomputed state and protocol.
- :mod:`app.risk.breakers`, :mod:`app.risk.board`, :mod:`app.risk.kill_switch`: breakers.
- :mod:`app.risk.stops`: stop-loss, take-profit and trailing-stop levels.
- :mod:`app.risk.manager`: :class:`RiskManager`, the one entry point the engines call.
- :mod:`app.risk.periods`: restricted-trading spans for results and the risk panel.
"""
