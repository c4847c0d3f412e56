"""``cryptobot data download``: fetch candle history from an exchange into the candle store.

    cryptobot data download --exchange binance --symbol BTC/USDT --timeframe 1h \\
        --since 2021-01-01 [--until 2021-06-01] [--ccxt-config '{"timeout": 30000}']

Pages through the history, resumes after the newest stored candle, stores only closed candles
(de-duplicated by timestamp) and shows a progress bar on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from typing import Any, TextIO

from app.core.errors import ConfigError
from app.core.time import format_ms, parse_date_ms, timeframe_to_ms

logger = logging.getLogger(__name__)

BAR_WIDTH = 30


def register(data_subparsers: Any) -> None:
    """Add ``download`` to the ``data`` command."""
    parser = data_subparsers.add_parser(
        "download",
        help="download candle history from an exchange into the local store",
        description=(
            "Download candles page by page; a second run only fetches what is new. "
            "Only closed candles are stored."
        ),
    )
    parser.add_argument("--exchange", help="ccxt exchange id (default: the settings' exchange)")
    parser.add_argument("--symbol", required=True, help="unified symbol, e.g. BTC/USDT")
    parser.add_argument("--timeframe", required=True, type=_timeframe, help="e.g. 1m, 5m, 1h")
    parser.add_argument("--since", required=True, type=_date, help="first candle, UTC date")
    parser.add_argument("--until", type=_date, help="end of the range, exclusive (default: now)")
    add_ccxt_config_argument(parser)
    parser.add_argument(
        "--page-limit", type=int, default=1000, help="candles per request (default 1000)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=run)


def add_ccxt_config_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--ccxt-config JSON`` (merged over the settings' ccxt_config for this run)."""
    parser.add_argument(
        "--ccxt-config",
        type=parse_ccxt_config,
        default=None,
        metavar="JSON",
        help="JSON object merged over settings.exchange.ccxt_config for this run "
        '(e.g. \'{"options": {"adjustForTimeDifference": true}, "proxies": {...}}\')',
    )


def parse_ccxt_config(text: str) -> dict[str, Any]:
    """The ``--ccxt-config`` value as a mapping.

    Raises:
        argparse.ArgumentTypeError: not a JSON object.
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON ({exc.msg} at {exc.pos})") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object, e.g. '{\"timeout\": 30000}'")
    return value


def _timeframe(text: str) -> str:
    try:
        timeframe_to_ms(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text.strip()


def _date(text: str) -> int:
    try:
        return parse_date_ms(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class ProgressBar:
    """A one-line progress bar redrawn in place on a terminal stream."""

    def __init__(self, label: str, stream: TextIO) -> None:
        self._label = label
        self._stream = stream
        self._drawn = False

    def __call__(self, progress: Any) -> None:
        """Redraw for a :class:`~app.exchange.download.DownloadProgress`."""
        done = int(progress.fraction * BAR_WIDTH)
        bar = "#" * done + "." * (BAR_WIDTH - done)
        self._stream.write(
            f"\r{self._label} [{bar}] {progress.fraction:6.1%} {format_ms(progress.cursor)} "
            f"{progress.stored} new"
        )
        self._stream.flush()
        self._drawn = True

    def finish(self) -> None:
        """End the line."""
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()


def run(args: argparse.Namespace) -> int:
    """Handler of ``cryptobot data download``; returns the exit code.

    Raises:
        ConfigError: invalid settings, unknown exchange, or an empty time range.
        ExchangeError: the exchange failed (candles stored so far are kept).
        StorageError: the database failed.
    """
    from app.cli.data import open_database
    from app.config.paths import resolve_paths
    from app.config.settings import load_settings
    from app.exchange.ccxt_adapter import CcxtExchange
    from app.exchange.ccxt_config import merge_ccxt_config
    from app.exchange.download import download_candles
    from app.storage.candles import CandleStore

    settings = load_settings(resolve_paths()).settings
    exchange_id = (args.exchange or settings.exchange.id).strip()
    same_venue = exchange_id == settings.exchange.id
    base_config = settings.exchange.ccxt_config if same_venue else {}
    config = merge_ccxt_config(base_config, args.ccxt_config)
    if args.until is not None and args.until <= args.since:
        raise ConfigError(
            f"--until ({format_ms(args.until)}) must be after --since ({format_ms(args.since)})"
        )
    label = f"{exchange_id} {args.symbol} {args.timeframe}"
    database = open_database()
    bar = None if args.quiet else ProgressBar(label, sys.stderr)
    try:
        store = CandleStore(database)
        exchange = CcxtExchange(
            exchange_id, config, sandbox=settings.exchange.sandbox and same_venue
        )

        async def download() -> Any:
            try:
                return await download_candles(
                    exchange,
                    store,
                    exchange=exchange_id,
                    symbol=args.symbol,
                    timeframe=args.timeframe,
                    since=args.since,
                    until=args.until,
                    page_limit=args.page_limit,
                    progress=bar,
                )
            finally:
                await exchange.close()

        result = asyncio.run(download())
    finally:
        if bar is not None:
            bar.finish()
        database.dispose()
    print(result.describe(label))
    return 0
