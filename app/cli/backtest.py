"""``cryptobot backtest``: run a strategy over candles; summary, JSON and an HTML report.

Examples::

    cryptobot backtest --strategy sma_cross --data btc_usdt_1h.csv --size 0.1 --report out.html
    cryptobot backtest --strategy rsi_revert --exchange binance --symbol BTC/USDT \\
        --timeframe 1h --start 2021-01-01 --param period=10 --stake-pct 50 --json out.json
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.run_options import (
    add_money_arguments,
    add_risk_argument,
    add_strategy_and_data_arguments,
    load_candles_from_args,
    money_kwargs,
    risk_limits_from_args,
)
from app.core.errors import BacktestError, StrategyError
from app.core.time import format_ms

if TYPE_CHECKING:
    from app.backtest.lookahead import LookaheadReport
    from app.backtest.result import BacktestResult
    from app.core.models import Market
    from app.risk.manager import RiskManager
    from app.strategies.base import BaseStrategy

logger = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    """Add the ``backtest`` sub-command."""
    parser = subparsers.add_parser(
        "backtest",
        help="run a strategy over historical candles",
        description=(
            "Backtest a strategy: signals at each bar's close fill at the next bar's open, "
            "fees on every fill, equity marked to market at every close."
        ),
    )
    add_strategy_and_data_arguments(parser)
    parser.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE",
        help="strategy parameter (repeatable), e.g. --param fast=5",
    )  # fmt: skip
    add_risk_argument(add_money_arguments(parser))
    output = parser.add_argument_group("output")
    output.add_argument("--json", type=Path, metavar="OUT.json", help="write the result as JSON")
    output.add_argument("--report", type=Path, metavar="OUT.html", help="write an HTML report")
    output.add_argument(
        "--no-save", action="store_true", help="do not save the run in the local database"
    )
    output.add_argument(
        "--check-lookahead", action="store_true",
        help="recompute signals on truncated data and report any that change (peeking)",
    )  # fmt: skip
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Handle ``cryptobot backtest``; returns the exit code (1 when the lookahead check fails).

    Raises:
        BacktestError: invalid settings or data source.
        StrategyError: unknown strategy or invalid parameters.
        DataError: the CSV file is invalid.
    """
    from app.backtest import run_backtest

    strategy = _strategy(args)
    candles = load_candles_from_args(args)
    result = run_backtest(
        strategy,
        candles,
        **money_kwargs(args),
        risk=_risk_manager(args),
        market=_market(args),
    )
    print(summary(result))
    exit_code = 0
    lookahead = None
    if args.check_lookahead:
        from app.backtest.lookahead import check_lookahead

        lookahead = check_lookahead(strategy, candles)
        print(_lookahead_text(lookahead))
        exit_code = 1 if lookahead.peeks else 0
    if args.json is not None:
        payload = result.to_dict()
        if lookahead is not None:
            payload["lookahead"] = lookahead.to_dict()
        _write_json(payload, args.json)
        print(f"JSON written to {args.json}")
    if args.report is not None:
        from app.backtest.report import write_html_report

        write_html_report(result, args.report)
        print(f"report written to {args.report}")
    if not args.no_save:
        _save_run(args, result)
    return exit_code


def summary(result: BacktestResult) -> str:
    """A readable multi-line summary of a backtest for the terminal."""
    metrics = result.metrics

    def num(value: float | None, suffix: str = "") -> str:
        return "n/a" if value is None else f"{value:,.2f}{suffix}"

    params = ", ".join(f"{key}={value}" for key, value in result.params.items()) or "none"
    lines = [
        f"Backtest {result.strategy} ({params})",
        f"  period        {format_ms(int(result.timestamp[0]))} - "
        f"{format_ms(int(result.timestamp[-1]))} UTC, {result.bars:,} bars",
        f"  sizing        {result.sizing}, fee {result.config.fee}, "
        f"slippage {result.config.slippage_bps} bps",
        f"  capital       {result.initial_capital:,.2f} -> {result.final_equity:,.2f} "
        f"({num(metrics.total_return_pct, ' %')}, CAGR {num(metrics.cagr_pct, ' %')})",
        f"  max drawdown  {num(metrics.max_drawdown_pct, ' %')} ({num(metrics.max_drawdown_abs)})"
        f", {format_ms(metrics.max_drawdown_peak_time)} -> "
        f"{format_ms(metrics.max_drawdown_trough_time)}",
        f"  sharpe        {num(metrics.sharpe_ratio)}   sortino {num(metrics.sortino_ratio)}"
        f"   calmar {num(metrics.calmar_ratio)}",
        f"  trades        {result.num_trades:,} closed, win rate {num(metrics.win_rate_pct, ' %')}"
        f", profit factor {num(metrics.profit_factor)}, expectancy {num(metrics.expectancy)}",
        f"  exposure      {num(metrics.exposure_pct, ' %')}, avg bars held "
        f"{num(metrics.avg_bars_held)}, fees paid {result.fees_paid:,.2f}",
    ]
    held = result.open_trade
    if held is not None:
        lines.append(
            f"  open trade    {held.side} {held.qty} since {format_ms(held.entry_time)} at "
            f"{held.entry_price}, unrealised {held.unrealised_pnl:,.2f}"
        )
    for period in result.halted_periods[:10]:
        until = "the end" if period.end is None else format_ms(period.end)
        lines.append(
            f"  risk          {period.breaker} {period.state.value} from "
            f"{format_ms(period.start)} to {until}: {period.reason}"
        )
    if result.rejected_orders:
        first = result.rejected_orders[0]
        lines.append(
            f"  refused       {len(result.rejected_orders):,} orders; first at "
            f"{format_ms(first.time)}: {first.reason}"
        )
    return "\n".join(lines)


def _lookahead_text(report: LookaheadReport) -> str:
    if not report.peeks:
        return f"lookahead check: no signal changed on {report.prefixes_checked} truncated prefixes"
    shown = [f"  {change.describe()}" for change in report.changes[:50]]
    more = len(report.changes) - len(shown)
    tail = [f"  ... and {more} more (see --json)"] if more > 0 else []
    return "\n".join(
        [
            f"LOOKAHEAD: strategy {report.strategy} peeks at future data - "
            f"{len(report.changes)} signals changed when later bars were removed:",
            *shown,
            *tail,
        ]
    )


def _strategy(args: argparse.Namespace) -> BaseStrategy:
    from app.strategies.registry import default_registry

    registry = default_registry()
    if args.strategies_dir is not None:
        for problem in registry.load_user_strategies(args.strategies_dir):
            print(f"warning: {problem.path}: {problem.message}", file=sys.stderr)
    strategy_class = registry.get(args.strategy)
    declared = {parameter.name: parameter for parameter in strategy_class.get_parameters()}
    params: dict[str, Any] = {}
    for item in args.param:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise StrategyError(f"--param {item!r}: expected NAME=VALUE, e.g. --param fast=5")
        parameter = declared.get(name)
        if parameter is None:
            known = ", ".join(declared) or "none"
            raise StrategyError(
                f"strategy {args.strategy}: unknown parameter {name!r}; known: {known}"
            )
        params[name] = parameter.parse(text, owner=args.strategy)
    return registry.create(args.strategy, params)


def _risk_manager(args: argparse.Namespace) -> RiskManager | None:
    from app.risk.manager import RiskManager

    limits = risk_limits_from_args(args)
    return None if limits is None else RiskManager(limits)


def _market(args: argparse.Namespace) -> Market | None:
    if not args.symbol:
        return None
    from app.backtest.config import DEFAULT_QTY_STEP, required_decimal
    from app.backtest.sizing import default_market

    return default_market(args.symbol, DEFAULT_QTY_STEP, required_decimal(args.fee, "fee"))


def _save_run(args: argparse.Namespace, result: BacktestResult) -> None:
    """Store the run in the backtest_runs table; a failure is reported, not fatal."""
    from app.cli.data import open_database
    from app.core.errors import CryptobotError
    from app.storage.repositories.runs import BacktestRun, BacktestRunRepository

    payload = result.to_dict()
    listed = ("trades", "rejected_orders", "risk_events", "halted_periods", "params")
    run = BacktestRun(
        strategy=result.strategy,
        params=dict(payload["params"]),
        exchange=args.exchange or "csv",
        symbol=args.symbol or (args.data.name if args.data is not None else ""),
        timeframe=args.timeframe or _timeframe_label(result.timeframe_ms),
        start_ts=int(result.timestamp[0]),
        end_ts=int(result.timestamp[-1]),
        summary={key: value for key, value in payload.items() if key not in listed},
        result=payload,
    )
    try:
        database = open_database()
        try:
            run_id = BacktestRunRepository(database).add(run)
        finally:
            database.dispose()
    except CryptobotError as exc:
        print(f"warning: the run was not saved in the database: {exc}", file=sys.stderr)
        return
    print(f"saved as backtest run {run_id}")


def _timeframe_label(timeframe_ms: int) -> str:
    for unit, size in (("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000)):
        if timeframe_ms % size == 0:
            return f"{timeframe_ms // size}{unit}"
    return f"{timeframe_ms}ms"


def _write_json(payload: dict[str, Any], path: Path) -> None:
    import json

    from app.backtest.result import json_default

    try:
        text = json.dumps(payload, indent=2, default=json_default)
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise BacktestError(f"--json: cannot write {path}: {exc.strerror or exc}") from exc
