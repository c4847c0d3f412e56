"""``cryptobot data``: import, list and export the stored candles.

Other modules add ``data`` sub-commands: each module named in ``DATA_SUBCOMMAND_MODULES`` that
exists defines ``register(data_subparsers)`` (e.g. ``app.cli.data_download``).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.errors import DataError
from app.core.time import format_ms, parse_date_ms

if TYPE_CHECKING:
    from app.storage.database import Database

logger = logging.getLogger(__name__)

DATA_SUBCOMMAND_MODULES: tuple[str, ...] = ("app.cli.data_download",)


def register(subparsers: Any) -> None:
    """Add the ``data`` command and its sub-commands (import, list, export, plug-ins)."""
    parser = subparsers.add_parser(
        "data",
        help="import, list and export stored candles",
        description="Manage the candles stored in the local database.",
    )
    parser.set_defaults(handler=lambda _args: _print_help(parser))
    actions = parser.add_subparsers(dest="data_command", metavar="ACTION")

    importer = actions.add_parser(
        "import",
        help="store candles from a CSV file (timestamp,open,high,low,close,volume)",
        description="Validate a candle CSV file and store its candles; a bad file stores nothing.",
    )
    importer.add_argument("file", type=Path, metavar="FILE", help="CSV file to import")
    _add_series_arguments(importer)
    importer.set_defaults(handler=_run_import)

    lister = actions.add_parser("list", help="show what is stored: ranges, counts, gaps")
    lister.add_argument("--gaps", action="store_true", help="also print every gap")
    lister.set_defaults(handler=_run_list)

    exporter = actions.add_parser(
        "export", help="write stored candles to a CSV file in the import layout"
    )
    _add_series_arguments(exporter)
    exporter.add_argument("--start", type=_date, help="first candle (YYYY-MM-DD[THH:MM], UTC)")
    exporter.add_argument("--end", type=_date, help="last candle, inclusive (UTC)")
    exporter.add_argument("--output", "-o", type=Path, required=True, metavar="FILE")
    exporter.add_argument("--force", action="store_true", help="replace an existing file")
    exporter.set_defaults(handler=_run_export)

    remover = actions.add_parser("delete", help="remove one stored series")
    _add_series_arguments(remover)
    remover.add_argument("--yes", action="store_true", help="confirm: the candles are removed")
    remover.set_defaults(handler=_run_delete)

    for module_name in DATA_SUBCOMMAND_MODULES:
        if importlib.util.find_spec(module_name) is None:
            continue
        importlib.import_module(module_name).register(actions)


def open_database() -> Database:
    """The user's database (from settings / ``CRYPTOBOT_DB_URL``), migrated to this version.

    Raises:
        ConfigError: the settings file is invalid.
        StorageError: the database cannot be opened or migrated.
    """
    from app.config.paths import resolve_paths
    from app.config.settings import database_url, load_settings
    from app.storage.database import Database

    paths = resolve_paths()
    loaded = load_settings(paths)
    database = Database(database_url(loaded.settings, paths))
    try:
        database.migrate()
    except BaseException:
        database.dispose()
        raise
    return database


def _add_series_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--exchange", required=True, type=_exchange, help="ccxt exchange id, e.g. binance"
    )
    parser.add_argument("--symbol", required=True, type=_name, help="symbol, e.g. BTC/USDT")
    parser.add_argument("--timeframe", required=True, type=_timeframe, help="e.g. 1m, 5m, 1h, 1d")


def _name(text: str) -> str:
    stripped = text.strip()
    if not stripped:
        raise argparse.ArgumentTypeError("must not be empty")
    return stripped


def _exchange(text: str) -> str:
    return _name(text).lower()  # ccxt ids are lowercase: "Binance" is binance


def _timeframe(text: str) -> str:
    from app.core.time import timeframe_to_ms

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


def _print_help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _run_import(args: argparse.Namespace) -> int:
    from app.storage.candle_csv import read_candle_csv
    from app.storage.candles import CandleStore

    try:
        frame = read_candle_csv(args.file, timeframe=args.timeframe)
    except DataError as exc:
        raise DataError(f"{exc} (nothing was imported)") from exc
    label = f"{args.exchange} {args.symbol} {args.timeframe}"
    if frame.empty:
        print(f"{args.file} has no candles; nothing stored for {label}")
        return 0
    database = open_database()
    try:
        store = CandleStore(database)
        added = store.upsert(args.exchange, args.symbol, args.timeframe, frame)
        info = next(
            item
            for item in store.series()
            if (item.exchange, item.symbol, item.timeframe)
            == (args.exchange, args.symbol, args.timeframe)
        )
    finally:
        database.dispose()
    print(
        f"stored {added:,} new candles for {label} ({len(frame) - added:,} already present); "
        f"range {format_ms(info.first_ts)} .. {format_ms(info.last_ts)} UTC; "
        f"{_plural(info.gaps, 'gap')}"
    )
    return 0


def _run_list(args: argparse.Namespace) -> int:
    from app.storage.candles import CandleStore

    database = open_database()
    try:
        store = CandleStore(database)
        series = store.series()
        gaps = {
            (item.exchange, item.symbol, item.timeframe): store.gaps(
                item.exchange, item.symbol, item.timeframe
            )
            for item in series
            if args.gaps and item.gaps
        }
        where = database.display_url
    finally:
        database.dispose()
    if not series:
        print(
            f"no candles stored in {where}; import some with: cryptobot data import FILE "
            "--exchange E --symbol S --timeframe T"
        )
        return 0
    headers = ("exchange", "symbol", "timeframe", "candles", "first (UTC)", "last (UTC)", "gaps")
    rows = [
        (
            item.exchange,
            item.symbol,
            item.timeframe,
            f"{item.count:,}",
            format_ms(item.first_ts),
            format_ms(item.last_ts),
            f"{item.gaps:,}",
        )
        for item in series
    ]
    print(_table(headers, rows, numeric={3, 6}))
    print(f"(database: {where})")
    for (exchange, symbol, timeframe), found in gaps.items():
        missing = sum(gap.missing_bars for gap in found)
        print(
            f"\n{exchange} {symbol} {timeframe}: {_plural(len(found), 'gap')}, "
            f"{_plural(missing, 'missing bar')}"
        )
        for gap in found:
            print(
                f"  after {format_ms(gap.after_ts)}, next {format_ms(gap.next_ts)} UTC: "
                f"{_plural(gap.missing_bars, 'missing bar')}"
            )
    return 0


def _run_export(args: argparse.Namespace) -> int:
    from app.storage.candle_csv import write_candle_csv
    from app.storage.candles import CandleStore

    output: Path = args.output
    if output.exists() and not args.force:
        raise DataError(f"{output} already exists; choose another --output or add --force")
    database = open_database()
    try:
        frame = CandleStore(database).load(
            args.exchange, args.symbol, args.timeframe, start=args.start, end=args.end
        )
    finally:
        database.dispose()
    label = f"{args.exchange} {args.symbol} {args.timeframe}"
    if frame.empty:
        raise DataError(
            f"no candles stored for {label} in that range; see what is stored with: "
            "cryptobot data list"
        )
    write_candle_csv(frame, output)
    first, last = int(frame["timestamp"].iloc[0]), int(frame["timestamp"].iloc[-1])
    print(
        f"wrote {len(frame):,} candles of {label} to {output}; "
        f"range {format_ms(first)} .. {format_ms(last)} UTC"
    )
    return 0


def _run_delete(args: argparse.Namespace) -> int:
    from app.storage.candles import CandleStore

    label = f"{args.exchange} {args.symbol} {args.timeframe}"
    if not args.yes:
        raise DataError(f"deleting {label} removes its candles for good; add --yes to confirm")
    database = open_database()
    try:
        removed = CandleStore(database).delete(args.exchange, args.symbol, args.timeframe)
    finally:
        database.dispose()
    if not removed:
        print(f"nothing stored for {label}; see what is stored with: cryptobot data list")
        return 1
    print(f"deleted {removed:,} candles of {label}")
    return 0


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    """Plain-text table; columns in ``numeric`` are right-aligned."""
    widths = [max(len(row[col]) for row in [headers, *rows]) for col in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(width) if col in numeric else cell.ljust(width)
            for col, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])
