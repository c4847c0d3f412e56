"""Build a position sizer of :mod:`app.risk.sizing` from a strategy spec's ``sizing`` mapping."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.core.errors import ConfigError
from app.core.money import to_decimal
from app.risk.sizing import (
    FixedQuantity,
    FixedQuote,
    FractionalKelly,
    PercentOfEquity,
    Sizer,
    VolatilitySizer,
)

SIZING_KINDS = ("fixed_quantity", "fixed_quote", "percent_of_equity", "kelly", "volatility")
_FIELDS: dict[str, tuple[str, ...]] = {
    "fixed_quantity": ("qty",),
    "fixed_quote": ("amount",),
    "percent_of_equity": ("pct",),
    "kelly": ("fraction", "min_trades", "cap_pct", "base_pct"),
    "volatility": ("risk_pct", "atr_multiple"),
}


def sizer_from_spec(sizing: Mapping[str, Any]) -> Sizer:
    """The sizer described by ``sizing`` (``{"kind": ..., <fields>}``).

    Numbers may be strings or numbers; they become Decimals exactly.

    Args:
        sizing: e.g. ``{"kind": "fixed_quote", "amount": "100"}``.

    Returns:
        The sizer.

    Raises:
        ConfigError: unknown kind, unknown or missing field, or a value out of range.
    """
    kind = str(sizing.get("kind", ""))
    if kind not in _FIELDS:
        raise ConfigError(
            f"sizing.kind: must be one of {', '.join(SIZING_KINDS)}, got {kind or 'nothing'!r}"
        )
    unknown = sorted(set(sizing) - {"kind", *_FIELDS[kind]})
    if unknown:
        raise ConfigError(
            f"sizing: {', '.join(unknown)} not known for kind {kind!r} "
            f"(fields: {', '.join(_FIELDS[kind])})"
        )
    if kind == "fixed_quantity":
        return FixedQuantity(_number(sizing, "qty"))
    if kind == "fixed_quote":
        return FixedQuote(_number(sizing, "amount"))
    if kind == "percent_of_equity":
        return PercentOfEquity(_number(sizing, "pct"))
    if kind == "volatility":
        return VolatilitySizer(
            _number(sizing, "risk_pct", Decimal(1)), _number(sizing, "atr_multiple", Decimal(2))
        )
    min_trades = sizing.get("min_trades", 20)
    if isinstance(min_trades, bool) or not isinstance(min_trades, int):
        raise ConfigError(f"sizing.min_trades: must be a whole number, got {min_trades!r}")
    return FractionalKelly(
        fraction=_number(sizing, "fraction", Decimal("0.5")),
        min_trades=min_trades,
        cap_pct=_number(sizing, "cap_pct", Decimal(25)),
        base=PercentOfEquity(_number(sizing, "base_pct", Decimal(1))),
    )


def _number(sizing: Mapping[str, Any], name: str, default: Decimal | None = None) -> Decimal:
    raw = sizing.get(name)
    if raw is None:
        if default is None:
            raise ConfigError(f"sizing.{name}: is required for kind {sizing.get('kind')!r}")
        return default
    try:
        return to_decimal(raw, field=f"sizing.{name}")
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
