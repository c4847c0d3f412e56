"""``cryptobot optimize | walkforward | montecarlo``: is the edge real or over-fitted?

Examples::

    cryptobot optimize --strategy sma_cross --data btc_usdt_1h.csv --size 0.1 \\
        --param fast=5:50:5 --param slow=20:200:10 --objective sharpe --min-trades 20
    cryptobot walkforward --strategy sma_cross --data btc_usdt_1h.csv --size 0.1 \\
        --param fast=5:50:5 --param slow=20:200:10 --train 2000 --test 500
    cryptobot montecarlo --strategy sma_cross --data btc_usdt_1h.csv --size 0.1 \\
        --param fast=10 --param slow=50 --runs 10000 --ruin-pct 30

Add ``--cluster tcp://HOST:PORT`` to run on a Dask cluster instead of the local cores.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from app.cli.research_session import ResearchSession
from app.cli.run_options import (
    add_money_arguments,
    add_risk_argument,
    add_strategy_and_data_arguments,
    load_candles_from_args,
    money_kwargs,
    risk_limits_from_args,
)
from app.core.errors import BacktestError, CryptobotError

if TYPE_CHECKING:
    import pandas as pd

    from app.research.settings import ResearchSettings
    from app.research.space import SearchSpace
    from app.research.store import DataSource

_Result = TypeVar("_Result")


def register(subparsers: Any) -> None:
    """Add the ``optimize``, ``walkforward`` and ``montecarlo`` sub-commands."""
    optimize = subparsers.add_parser(
        "optimize",
        help="search strategy parameters (grid, random, Optuna TPE)",
        description="Score parameter sets in parallel and rank them by an objective.",
    )
    _common(optimize)
    _search(optimize)
    optimize.add_argument("--top", type=int, default=10, help="rows shown (default 10)")
    optimize.set_defaults(handler=run_optimize)

    walk = subparsers.add_parser(
        "walkforward",
        help="optimise on rolling train windows, test on the unseen next window",
        description="Walk-forward analysis with a stitched out-of-sample equity curve.",
    )
    _common(walk)
    _search(walk)
    walk.add_argument("--train", type=int, required=True, metavar="BARS", help="train bars")
    walk.add_argument("--test", type=int, required=True, metavar="BARS", help="test bars")
    walk.add_argument(
        "--anchored", action="store_true", help="grow the train window from the first bar"
    )
    walk.set_defaults(handler=run_walkforward)

    carlo = subparsers.add_parser(
        "montecarlo",
        help="resample a backtest's trades or returns: spread of return and drawdown",
        description="Monte Carlo robustness of one backtest (parameters given with --param).",
    )
    _common(carlo)
    carlo.add_argument(
        "--method",
        choices=("reshuffle", "bootstrap", "block"),
        default="reshuffle",
        help="trade-order reshuffle, trade bootstrap, or block bootstrap of bar returns",
    )
    carlo.add_argument("--runs", type=int, default=10_000, help="runs (default 10000)")
    carlo.add_argument("--block", type=int, default=24, help="bars per block (default 24)")
    carlo.add_argument(
        "--ruin-pct", type=float, default=50.0, help="drawdown %% counted as ruin (default 50)"
    )
    carlo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    carlo.set_defaults(handler=run_montecarlo)


def _common(parser: argparse.ArgumentParser) -> None:
    add_strategy_and_data_arguments(parser)
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=SPEC",
        help="LOW:HIGH:STEP, A,B,C or a fixed VALUE (repeatable), e.g. --param fast=5:50:5",
    )
    add_risk_argument(add_money_arguments(parser))
    run = parser.add_argument_group("where it runs and output")
    run.add_argument("--workers", type=int, help="local worker processes (default: all cores)")
    run.add_argument("--cluster", metavar="tcp://HOST:PORT", help="run on this Dask scheduler")
    run.add_argument("--json", type=Path, metavar="OUT.json", help="write the report as JSON")
    run.add_argument("--no-save", action="store_true", help="do not save the run in the database")
    run.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def _search(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--method", choices=("grid", "random", "tpe"), default="grid")
    parser.add_argument(
        "--objective",
        default="sharpe",
        choices=("sharpe", "sortino", "calmar", "total_return", "profit_factor"),
    )
    parser.add_argument(
        "--min-trades", type=int, default=10, help="rank only runs with this many trades (10)"
    )
    parser.add_argument("--trials", type=int, default=200, help="random/TPE runs (default 200)")
    parser.add_argument("--seed", type=int, default=0, help="random/TPE seed (default 0)")


def run_optimize(args: argparse.Namespace) -> int:
    """Handle ``cryptobot optimize``.

    Raises:
        BacktestError: invalid settings or data.
        StrategyError: unknown strategy or invalid parameter specs.
    """
    from app.research.optimize import optimize
    from app.research.summary import optimization_summary

    candles, settings, result = _run_search(args, optimize)
    print(optimization_summary(result, args.top))
    report = result.to_dict(top=1000)
    best = result.best
    _finish(args, candles, settings.strategy, report, None if best is None else best.params)
    return 0


def run_walkforward(args: argparse.Namespace) -> int:
    """Handle ``cryptobot walkforward``.

    Raises:
        BacktestError: invalid windows, settings or data.
        StrategyError: unknown strategy or invalid parameter specs.
    """
    from app.research.summary import walkforward_summary
    from app.research.walkforward import walk_forward

    candles, settings, result = _run_search(
        args, walk_forward, train=args.train, test=args.test, anchored=args.anchored
    )
    print(walkforward_summary(result))
    _finish(args, candles, settings.strategy, result.to_dict(), None)
    return 0


def run_montecarlo(args: argparse.Namespace) -> int:
    """Handle ``cryptobot montecarlo``: backtest once with --param values, then resample.

    Raises:
        BacktestError: invalid settings, data, or too few trades.
        StrategyError: unknown strategy or invalid parameters.
    """
    from app.backtest import run_backtest
    from app.research.montecarlo import bar_returns, monte_carlo, trade_returns
    from app.research.summary import montecarlo_summary

    candles = _load_candles(args)
    strategy_class = _strategy_class(args)
    params = _fixed_params(strategy_class, args.param, args.strategy)
    backtest = run_backtest(
        strategy_class(params),
        candles,
        **money_kwargs(args),
    )
    returns = bar_returns(backtest) if args.method == "block" else trade_returns(backtest)
    with ResearchSession(args) as session:
        result = monte_carlo(
            returns,
            method=args.method,
            runs=args.runs,
            seed=args.seed,
            block=args.block,
            ruin_pct=args.ruin_pct,
            **session.job_options(),
        )
    print(
        f"Backtest {backtest.strategy} ({', '.join(f'{k}={v}' for k, v in params.items())}): "
        f"{backtest.num_trades} trades, return {backtest.metrics.total_return_pct:,.2f} %"
    )
    print(montecarlo_summary(result))
    report = result.to_dict()
    report["strategy"] = backtest.strategy
    report["params"] = dict(params)
    _finish(args, candles, backtest.strategy, report, dict(params))
    return 0


def _run_search(
    args: argparse.Namespace, search: Callable[..., _Result], **options: Any
) -> tuple[pd.DataFrame, ResearchSettings, _Result]:
    """Run ``search`` (optimize or walk_forward) on the inputs and search options of ``args``."""
    candles, settings, space = _inputs(args)
    with ResearchSession(args) as session:
        result = search(
            candles,
            settings,
            space,
            method=args.method,
            objective=args.objective,
            min_trades=args.min_trades,
            trials=args.trials,
            seed=args.seed,
            **options,
            **session.job_options(),
        )
    return candles, settings, result


def _inputs(args: argparse.Namespace) -> tuple[pd.DataFrame, ResearchSettings, SearchSpace]:
    from app.research.settings import ResearchSettings
    from app.research.space import SearchSpace

    candles = _load_candles(args)
    strategy_class = _strategy_class(args)
    specs: dict[str, str] = {}
    for item in args.param:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise BacktestError(f"--param {item!r}: expected NAME=SPEC, e.g. --param fast=5:50:5")
        specs[name.strip()] = text
    space = SearchSpace.from_strategy(strategy_class, specs)
    settings = ResearchSettings.create(
        args.strategy,
        cash=args.cash,
        fee=args.fee,
        slippage_bps=args.slippage_bps,
        size=args.size,
        stake_pct=args.stake_pct,
        stake_amount=args.stake_amount,
        stop_loss_pct=args.stop_loss_pct,
        take_profit_pct=args.take_profit_pct,
        trailing_stop_pct=args.trailing_stop_pct,
        allow_short=args.allow_short,
        timeframe_ms=_timeframe_ms(args.timeframe),
        strategies_dir=args.strategies_dir,
        risk_limits=risk_limits_from_args(args),
    )
    return candles, settings, space


def _strategy_class(args: argparse.Namespace) -> Any:
    from app.strategies.registry import default_registry

    registry = default_registry()
    if args.strategies_dir is not None:
        for problem in registry.load_user_strategies(args.strategies_dir):
            print(f"warning: {problem.path}: {problem.message}", file=sys.stderr)
    return registry.get(args.strategy)


def _fixed_params(strategy_class: Any, items: list[str], owner: str) -> dict[str, Any]:
    declared = {parameter.name: parameter for parameter in strategy_class.get_parameters()}
    params: dict[str, Any] = {}
    for item in items:
        name, sep, text = item.partition("=")
        parameter = declared.get(name.strip())
        if not sep or parameter is None:
            raise BacktestError(
                f"--param {item!r}: expected NAME=VALUE with NAME one of {', '.join(declared)}"
            )
        params[parameter.name] = parameter.parse(text, owner=owner)
    return dict(strategy_class.validate_params(params))


def _load_candles(args: argparse.Namespace) -> pd.DataFrame:
    return load_candles_from_args(args)


def _timeframe_ms(timeframe: str | None) -> int | None:
    if timeframe is None:
        return None
    from app.core.time import timeframe_to_ms

    try:
        return timeframe_to_ms(timeframe)
    except ValueError as exc:
        raise BacktestError(f"--timeframe: {exc}") from exc


def _finish(
    args: argparse.Namespace,
    candles: pd.DataFrame,
    strategy: str,
    report: dict[str, Any],
    params: dict[str, Any] | None,
) -> None:
    if args.json is not None:
        from app.backtest.result import json_default

        try:
            args.json.write_text(
                json.dumps(report, indent=2, default=json_default) + "\n", encoding="utf-8"
            )
        except OSError as exc:
            raise BacktestError(f"--json: cannot write {args.json}: {exc.strerror or exc}") from exc
        print(f"JSON written to {args.json}")
    if not args.no_save:
        _save(args, candles, strategy, report, params)


def _save(
    args: argparse.Namespace,
    candles: pd.DataFrame,
    strategy: str,
    report: dict[str, Any],
    params: dict[str, Any] | None,
) -> None:
    """Store the report; a failure is reported, not fatal."""
    from app.cli.data import open_database
    from app.research.store import save_research_run

    try:
        database = open_database()
        try:
            run_id = save_research_run(database, strategy, report, _source(args, candles), params)
        finally:
            database.dispose()
    except CryptobotError as exc:
        print(f"warning: the run was not saved in the database: {exc}", file=sys.stderr)
        return
    print(f"saved as run {run_id}")


def _source(args: argparse.Namespace, candles: pd.DataFrame) -> DataSource:
    from app.research.store import DataSource

    stamps = candles["timestamp"]
    return DataSource(
        exchange=args.exchange or "csv",
        symbol=args.symbol or (args.data.name if args.data is not None else ""),
        timeframe=args.timeframe or "",
        start_ts=int(stamps.iloc[0]),
        end_ts=int(stamps.iloc[-1]),
    )
