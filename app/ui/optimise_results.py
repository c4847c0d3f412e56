"""The ranked table of an optimisation: the best parameter sets with their headline metrics."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QApplication, QWidget

from app.research.optimize import OptimizationResult
from app.ui.models.columns import Column
from app.ui.models.record_model import RecordTableModel
from app.ui.optimise_job import OptimiseOutcome
from app.ui.theme import colours_for, current_theme

#: Rows the table shows.
TOP_ROWS = 50


@dataclass(frozen=True, slots=True)
class TopRow:
    """One ranked parameter set: its rank, every parameter value, objective and metrics."""

    rank: int
    params: dict[str, Any]
    objective: float | None
    metrics: dict[str, float | None]


def top_rows(result: OptimizationResult, count: int = TOP_ROWS) -> list[TopRow]:
    """The ``count`` best rows of ``result``, each with the fixed parameters filled in."""
    return [
        TopRow(rank, {**result.fixed, **row.params}, row.value, dict(row.score.metrics))
        for rank, row in enumerate(result.top(count), start=1)
    ]


def _float_text(places: int) -> Callable[[Any], str]:
    return lambda value: f"{value:,.{places}f}"


def _tone(value: Any) -> str:
    if isinstance(value, float):
        return "profit" if value > 0 else "loss" if value < 0 else ""
    return ""


def _metric(name: str) -> Callable[[TopRow], Any]:
    return lambda row: row.metrics.get(name)


def _count(name: str) -> Callable[[TopRow], Any]:
    def value(row: TopRow) -> int | None:
        number = row.metrics.get(name)
        return None if number is None else int(number)

    return value


def _param(name: str) -> Callable[[TopRow], Any]:
    return lambda row: row.params.get(name)


def result_columns(names: Sequence[str], objective: str) -> tuple[Column[TopRow], ...]:
    """Rank, one column per searched parameter, the objective and the headline metrics."""
    params = tuple(
        Column(name, _param(name), numeric=True, tooltip=f"Searched parameter {name}")
        for name in names
    )
    return (
        Column("#", lambda row: row.rank, numeric=True, width=40),
        *params,
        Column(
            "Objective",
            lambda row: row.objective,
            _float_text(3),
            numeric=True,
            tone=_tone,
            tooltip=f"The ranked objective: {objective}",
        ),
        Column("Return %", _metric("total_return_pct"), _float_text(2), numeric=True, tone=_tone),
        Column("Max DD %", _metric("max_drawdown_pct"), _float_text(2), numeric=True),
        Column("Sharpe", _metric("sharpe_ratio"), _float_text(2), numeric=True, tone=_tone),
        Column("Trades", _count("num_trades"), numeric=True),
        Column(
            "Refused",
            _count("refused_orders"),
            numeric=True,
            tooltip="Orders refused (cash or risk limits)",
        ),
    )


def results_model(
    names: Sequence[str], objective: str, parent: QWidget | None = None
) -> RecordTableModel[TopRow]:
    """An empty table model of ranked rows keyed by rank."""
    model: RecordTableModel[TopRow] = RecordTableModel(
        result_columns(names, objective), key=lambda row: row.rank, parent=parent
    )
    colours = colours_for(current_theme(_application()))
    model.set_tone_colours(colours.profit, colours.loss)
    return model


def summary_text(result: OptimizationResult) -> str:
    """The best parameter set in one line, or what to change when none qualified."""
    best = result.best
    if best is None or best.value is None:
        return (
            f"No parameter set reached {result.min_trades} trades: lower Min trades or widen "
            "the ranges."
        )
    params = ", ".join(f"{name}={value}" for name, value in best.params.items())
    return f"Best {result.objective} {best.value:,.3f} at {params}"


def status_text(outcome: OptimiseOutcome) -> str:
    """How many sets ran, how many qualified, and whether the run was saved."""
    result = outcome.result
    if outcome.run_id is not None:
        saved = f" Saved as run {outcome.run_id}."
    elif outcome.save_problem:
        saved = f" Not saved: {outcome.save_problem}"
    else:
        saved = ""
    return (
        f"{outcome.label}: {len(result.rows):,} parameter sets in {result.elapsed_s:,.1f} s, "
        f"{len(result.ranked()):,} with at least {result.min_trades} trades.{saved}"
    )


def cancelled_text(done: int, planned: int) -> str:
    """``"cancelled after 40 of 154 parameter sets"`` (``planned`` 0: not known yet)."""
    if planned <= 0:
        return f"cancelled after {done:,} parameter sets"
    return f"cancelled after {done:,} of {planned:,} parameter sets"


def duration_text(seconds: float) -> str:
    """``"42 s"``, ``"3 min 05 s"`` or ``"2 h 07 min"``."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, rest = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _application() -> Any:
    return QApplication.instance()
