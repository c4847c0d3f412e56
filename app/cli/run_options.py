"""Options and candle loading shared by the commands that run a strategy over candles
(``backtest``, ``optimize``, ``walkforward``, ``montecarlo``)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.errors import BacktestError
from app.core.time import parse_date_ms, timeframe_to_ms
from app.risk.limits import PRESETS, RiskLimits

if TYPE_CHECKING:
    import pandas as pd


def date_argument(text: str) -> int:
    """argparse type: a date (YYYY-MM-DD[THH:MM], UTC) or ms, as ms UTC."""
    try:
        return parse_date_ms(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_strategy_and_data_arguments(parser: argparse.ArgumentParser) -> None:
    """``--strategy``, ``--strategies-dir`` and the data source group."""
    parser.add_argument("--strategy", required=True, help="strategy name, e.g. sma_cross")
    parser.add_argument(
        "--strategies-dir", type=Path, metavar="DIR", help="also load user strategies from DIR"
    )
    source = parser.add_argument_group("data (a CSV file, or candles stored with `data import`)")
    source.add_argument("--data", type=Path, metavar="FILE.csv", help="candle CSV file")
    source.add_argument("--exchange", help="stored candles: exchange id, e.g. binance")
    source.add_argument(
        "--symbol", help="symbol, e.g. BTC/USDT (stored candles; a label for --data)"
    )
    source.add_argument("--timeframe", help="bar length, e.g. 1h (required with --exchange)")
    source.add_argument("--start", type=date_argument, help="first bar (YYYY-MM-DD[THH:MM], UTC)")
    source.add_argument("--end", type=date_argument, help="last bar, inclusive (UTC)")


def add_money_arguments(parser: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    """Capital, fees, slippage, sizing (one of three), stops and shorting; returns the group."""
    money = parser.add_argument_group("money and execution")
    money.add_argument("--cash", default="10000", help="initial capital (default 10000)")
    money.add_argument("--fee", default="0.001", help="fee per fill, fraction (default 0.001)")
    money.add_argument("--slippage-bps", default="0", help="adverse slippage in bps (default 0)")
    sizing = money.add_mutually_exclusive_group(required=True)
    sizing.add_argument("--size", help="fixed quantity per entry, e.g. 0.1")
    sizing.add_argument("--stake-pct", help="percent of equity per entry")
    sizing.add_argument("--stake-amount", help="quote-currency amount per entry")
    money.add_argument("--stop-loss-pct", help="stop-loss distance, %% of entry")
    money.add_argument("--take-profit-pct", help="take-profit distance, %% of entry")
    money.add_argument("--trailing-stop-pct", help="trailing-stop distance, %%")
    money.add_argument("--allow-short", action="store_true", help="trade short signals too")
    return money


def add_risk_argument(group: argparse._ArgumentGroup) -> None:
    """``--risk settings|conservative|moderate``: check every order against risk limits."""
    group.add_argument(
        "--risk", choices=("settings", *sorted(PRESETS)),
        help="check every order against risk limits, as live: your saved settings or a preset",
    )  # fmt: skip


def risk_limits_from_args(args: argparse.Namespace) -> RiskLimits | None:
    """The limits ``--risk`` names: the saved settings' or a preset's; None without ``--risk``.

    Raises:
        ConfigError: the saved settings are invalid.
    """
    choice = args.risk
    if choice is None:
        return None
    if choice == "settings":
        from app.config.paths import resolve_paths
        from app.config.settings import load_settings

        return load_settings(resolve_paths()).settings.risk
    return PRESETS[choice]


def money_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """The :func:`app.backtest.run_backtest` keywords the money options and ``--timeframe`` set."""
    names = (
        "cash", "fee", "slippage_bps", "size", "stake_pct", "stake_amount", "stop_loss_pct",
        "take_profit_pct", "trailing_stop_pct", "allow_short", "timeframe",
    )  # fmt: skip
    return {name: getattr(args, name) for name in names}


def load_candles_from_args(args: argparse.Namespace) -> pd.DataFrame:
    """The candles the options name: ``--data FILE`` or stored ``--exchange/--symbol/--timeframe``.

    Raises:
        BacktestError: both or neither source given, a bad timeframe.
        DataError: the CSV is malformed (line and reason).
    """
    from app.backtest.sources import CsvSource, clip_range, load_candles

    if args.data is not None:
        if args.exchange:
            raise BacktestError("give either --data FILE or --exchange, not both")
        return load_candles(CsvSource(args.data), args.start, args.end)
    label = f"{args.exchange} {args.symbol} {args.timeframe}"
    return clip_range(_stored_candles(args), args.start, args.end, label)


def _stored_candles(args: argparse.Namespace) -> pd.DataFrame:
    if not (args.exchange and args.symbol and args.timeframe):
        raise BacktestError(
            "choose the candles: --data FILE.csv, or --exchange E --symbol S --timeframe T "
            "(stored with `cryptobot data import` or `data download`)"
        )
    try:
        timeframe_to_ms(args.timeframe)
    except ValueError as exc:
        raise BacktestError(f"--timeframe: {exc}") from exc
    from app.cli.data import open_database
    from app.storage.candles import CandleStore

    database = open_database()
    try:
        return CandleStore(database).load(
            args.exchange, args.symbol, args.timeframe, args.start, args.end
        )
    finally:
        database.dispose()
