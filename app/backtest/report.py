"""Self-contained HTML report of a backtest: metrics, equity, drawdown, trades on the price chart.

The file has no scripts and loads nothing from the network: charts are inline SVG.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

from app.backtest.metrics import drawdown_curve
from app.backtest.result import BacktestResult
from app.backtest.svg import Marker, Series, line_chart
from app.core.errors import BacktestError
from app.core.money import quantize_quote
from app.core.time import format_ms

logger = logging.getLogger(__name__)

MAX_TABLE_ROWS = 2_000
MAX_MARKERS = 4_000

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; background: #fff; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; }
.sub { color: #666; margin-top: 0; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: right; }
th { background: #f4f4f4; } td.l, th.l { text-align: left; }
.metrics { display: flex; flex-wrap: wrap; gap: 28px; }
.neg { color: #c0392b; } .pos { color: #1e8449; } .note { color: #666; font-size: 13px; }
svg text { font-size: 11px; fill: #444; }
"""


def render_html(result: BacktestResult, title: str | None = None) -> str:
    """The report as one HTML document.

    Args:
        result: the backtest.
        title: page heading (default: strategy name and period).

    Returns:
        HTML text.
    """
    heading = title or f"Backtest: {result.strategy}"
    period = f"{format_ms(int(result.timestamp[0]))} – {format_ms(int(result.timestamp[-1]))} UTC"
    params = ", ".join(f"{key}={value}" for key, value in result.params.items()) or "none"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(heading)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(heading)}</h1>",
        f'<p class="sub">{period} · {result.bars:,} bars · parameters: {html.escape(params)}</p>',
        '<div class="metrics">',
        _key_value_table("Performance", _performance_rows(result)),
        _key_value_table("Trades", _trade_rows(result)),
        _key_value_table("Settings", _settings_rows(result)),
        "</div>",
        "<h2>Price and trades</h2>",
        _price_chart(result),
        "<h2>Equity and drawdown</h2>",
        line_chart(
            "Equity (quote currency, at every close)",
            result.timestamp,
            [Series(result.equity, "#2c7fb8", "equity")],
        ),
        line_chart(
            "Drawdown from the running peak (%)",
            result.timestamp,
            [
                Series(
                    drawdown_curve(result.equity, float(result.initial_capital)),
                    "#d73027",
                    "drawdown %",
                    area=True,
                )
            ],
            height=200,
        ),
        "<h2>Trades</h2>",
        _trades_table(result),
        *_optional_tables(result),
        "</body></html>",
    ]
    return "\n".join(parts)


def write_html_report(result: BacktestResult, path: Path, title: str | None = None) -> Path:
    """Write :func:`render_html` to ``path`` (UTF-8) and return the path.

    Raises:
        BacktestError: the file cannot be written (the message names it).
    """
    try:
        path.write_text(render_html(result, title), encoding="utf-8")
    except OSError as exc:
        raise BacktestError(f"report: cannot write {path}: {exc.strerror or exc}") from exc
    logger.info("backtest report written to %s", path)
    return path


def _money(value: Decimal) -> str:
    return f"{quantize_quote(value, 2):,}"


def _num(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "–" if value is None else f"{value:,.{digits}f}{suffix}"


def _performance_rows(result: BacktestResult) -> list[tuple[str, str]]:
    metrics = result.metrics
    return [
        ("Initial capital", _money(result.initial_capital)),
        ("Final equity", _money(result.final_equity)),
        ("Total return", _num(metrics.total_return_pct, suffix=" %")),
        ("CAGR", _num(metrics.cagr_pct, suffix=" %")),
        ("Sharpe ratio", _num(metrics.sharpe_ratio)),
        ("Sortino ratio", _num(metrics.sortino_ratio)),
        ("Calmar ratio", _num(metrics.calmar_ratio)),
        ("Max drawdown", _num(metrics.max_drawdown_pct, suffix=" %")),
        ("Max drawdown (abs)", _num(metrics.max_drawdown_abs)),
        (
            "Drawdown peak → trough",
            f"{format_ms(metrics.max_drawdown_peak_time)} → "
            f"{format_ms(metrics.max_drawdown_trough_time)}",
        ),
    ]


def _trade_rows(result: BacktestResult) -> list[tuple[str, str]]:
    metrics = result.metrics
    return [
        ("Closed trades", f"{result.num_trades:,}"),
        ("Open trade", "yes" if result.open_trade is not None else "no"),
        ("Refused orders", f"{len(result.rejected_orders):,}"),
        ("Win rate", _num(metrics.win_rate_pct, suffix=" %")),
        ("Profit factor", _num(metrics.profit_factor)),
        ("Expectancy", _num(metrics.expectancy)),
        ("Exposure", _num(metrics.exposure_pct, suffix=" %")),
        ("Avg bars held", _num(metrics.avg_bars_held, 1)),
        ("Fees paid", _money(result.fees_paid)),
    ]


def _settings_rows(result: BacktestResult) -> list[tuple[str, str]]:
    config = result.config
    stops = [
        f"{label} {value} %"
        for label, value in (
            ("stop", config.stop_loss_pct),
            ("target", config.take_profit_pct),
            ("trailing", config.trailing_stop_pct),
        )
        if value is not None
    ]
    return [
        ("Fee per fill", f"{config.fee * 100} %"),
        ("Slippage", f"{config.slippage_bps} bps"),
        ("Sizing", result.sizing),
        ("Stops", ", ".join(stops) or "none"),
        ("Shorts", "allowed" if config.allow_short else "long only"),
        ("Fills", "next bar open"),
    ]


def _key_value_table(title: str, rows: Iterable[tuple[str, str]]) -> str:
    body = "".join(
        f'<tr><td class="l">{html.escape(key)}</td><td>{html.escape(value)}</td></tr>'
        for key, value in rows
    )
    return f'<table><tr><th class="l" colspan="2">{html.escape(title)}</th></tr>{body}</table>'


def _price_chart(result: BacktestResult) -> str:
    markers: list[Marker] = []
    for trade in result.trades:
        entry_up = trade.side == "long"
        markers.append(
            Marker(
                trade.entry_bar,
                float(trade.entry_price),
                entry_up,
                f"{trade.side} entry {format_ms(trade.entry_time)} @ {trade.entry_price}",
            )
        )
        markers.append(
            Marker(
                trade.exit_bar,
                float(trade.exit_price),
                not entry_up,
                f"exit ({trade.exit_reason}) {format_ms(trade.exit_time)} @ {trade.exit_price}"
                f", P&L {_money(trade.pnl)}",
            )
        )
    held = result.open_trade
    if held is not None:
        markers.append(
            Marker(
                held.entry_bar,
                float(held.entry_price),
                held.side == "long",
                f"open {held.side} since {format_ms(held.entry_time)} @ {held.entry_price}",
            )
        )
    note = ""
    if len(markers) > MAX_MARKERS:
        note = f'<p class="note">Showing the last {MAX_MARKERS:,} of {len(markers):,} fills.</p>'
        markers = markers[-MAX_MARKERS:]
    chart = line_chart(
        "Close with entries (▲ buy) and exits (▼ sell)",
        result.timestamp,
        [Series(result.close, "#555", "close")],
        markers,
        height=340,
    )
    return chart + note


def _trades_table(result: BacktestResult) -> str:
    headers = (
        "#",
        "side",
        "entry (UTC)",
        "entry price",
        "exit (UTC)",
        "exit price",
        "qty",
        "fees",
        "P&L",
        "return %",
        "bars",
        "exit",
    )
    rows = []
    for number, trade in enumerate(result.trades[:MAX_TABLE_ROWS], start=1):
        css = "pos" if trade.pnl > 0 else "neg" if trade.pnl < 0 else ""
        rows.append(
            (
                str(number),
                trade.side,
                format_ms(trade.entry_time),
                str(trade.entry_price),
                format_ms(trade.exit_time),
                str(trade.exit_price),
                str(trade.qty),
                _money(trade.fees),
                f'<span class="{css}">{_money(trade.pnl)}</span>',
                f"{float(trade.return_pct):.2f}",
                str(trade.bars_held),
                trade.exit_reason,
            )
        )
    held = result.open_trade
    if held is not None:
        rows.append(
            (
                "open",
                held.side,
                format_ms(held.entry_time),
                str(held.entry_price),
                "–",
                f"{held.mark_price} (mark)",
                str(held.qty),
                _money(held.entry_fee),
                _money(held.unrealised_pnl),
                "",
                "",
                "still open",
            )
        )
    note = ""
    if len(result.trades) > MAX_TABLE_ROWS:
        note = (
            f'<p class="note">Showing the first {MAX_TABLE_ROWS:,} of {len(result.trades):,} '
            "trades; the JSON output has them all.</p>"
        )
    return _table(headers, rows, raw_columns={8}) + note


def _optional_tables(result: BacktestResult) -> list[str]:
    parts: list[str] = []
    rows: list[Sequence[str]]
    if result.rejected_orders:
        rows = [
            (
                format_ms(order.time),
                order.side,
                str(order.qty),
                str(order.price),
                order.stage,
                order.reason,
            )
            for order in result.rejected_orders[:MAX_TABLE_ROWS]
        ]
        parts += [
            "<h2>Refused orders</h2>",
            _table(("time (UTC)", "side", "qty", "price", "stage", "reason"), rows),
        ]
    if result.risk_events:
        rows = [
            (
                format_ms(event.timestamp),
                event.breaker,
                event.old_state.value,
                event.new_state.value,
                event.reason,
            )
            for event in result.risk_events
        ]
        parts += [
            "<h2>Risk events</h2>",
            _table(("time (UTC)", "breaker", "from", "to", "reason"), rows),
        ]
    if result.halted_periods:
        rows = [
            (
                period.breaker,
                period.state.value,
                format_ms(period.start),
                "end of data" if period.end is None else format_ms(period.end),
                period.reason,
            )
            for period in result.halted_periods
        ]
        parts += [
            "<h2>Halted periods</h2>",
            _table(("breaker", "state", "from (UTC)", "until (UTC)", "reason"), rows),
        ]
    return parts


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], raw_columns: set[int] | None = None
) -> str:
    raw = raw_columns or set()
    head = "".join(f"<th>{html.escape(name)}</th>" for name in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{cell if index in raw else html.escape(cell)}</td>"
            for index, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"
