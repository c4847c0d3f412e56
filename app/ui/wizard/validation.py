"""Checks behind the wizard and settings forms; each problem is a sentence naming the field.

Pure functions (no Qt), shared by :mod:`app.ui.wizard` and :mod:`app.ui.settings_dialog`.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from app.config.fields import CURRENCY_RE, SYMBOL_RE
from app.core.money import to_decimal
from app.risk.limits import RiskLimits

RISK_LABELS: Mapping[str, str] = {
    "daily_loss_pct": "Daily loss limit (%)",
    "max_position_pct": "Largest position (% of equity)",
    "risk_per_trade_pct": "Risk per trade (%)",
}
"""The custom risk fields the wizard offers, by RiskLimits field name."""


def parse_symbols(text: str) -> list[str]:
    """Split a comma/space/newline separated list into symbols, upper-cased, in order."""
    parts = text.replace(",", " ").split()
    return [part.strip().upper() for part in parts if part.strip()]


def quote_problems(quote: str) -> list[str]:
    """Problems with the quote currency field."""
    if not CURRENCY_RE.match(quote.strip().upper()):
        return [f"Quote currency: must be a currency code like 'USDT', got {quote.strip()!r}"]
    return []


def symbol_problems(symbols: list[str], listed: Collection[str] | None = None) -> list[str]:
    """Problems with the watch-list.

    Args:
        symbols: the parsed symbols.
        listed: the exchange's symbols when known (after a connection test).
    """
    if not symbols:
        return ["Symbols: enter at least one symbol, like BTC/USDT"]
    problems = [
        f"Symbols: {symbol!r} is not a symbol like BTC/USDT (BASE/QUOTE)"
        for symbol in symbols
        if not SYMBOL_RE.match(symbol)
    ]
    duplicates = sorted({symbol for symbol in symbols if symbols.count(symbol) > 1})
    if duplicates:
        problems.append(f"Symbols: {', '.join(duplicates)} listed more than once")
    if listed is not None and not problems:
        missing = [symbol for symbol in symbols if symbol not in listed]
        if missing:
            problems.append(
                f"Symbols: {', '.join(missing)} not listed on this exchange; check the spelling"
            )
    return problems


def custom_risk(base: RiskLimits, values: Mapping[str, str]) -> tuple[RiskLimits | None, list[str]]:
    """``base`` with the custom percentages typed by the user, or the problems.

    Args:
        base: limits to start from (the other fields are kept).
        values: RiskLimits field name -> typed text (keys of :data:`RISK_LABELS`).

    Returns:
        ``(limits, [])`` when valid, else ``(None, problems)``.
    """
    problems: list[str] = []
    parsed: dict[str, Any] = {}
    for name, text in values.items():
        label = RISK_LABELS.get(name, name)
        if not text.strip():
            problems.append(f"{label}: enter a percentage")
            continue
        try:
            parsed[name] = to_decimal(text.strip(), field=label)
        except ValueError:
            problems.append(f"{label}: {text.strip()!r} is not a number")
    if problems:
        return None, problems
    limits = replace(base, **parsed)
    for problem in limits.problems(prefix="risk"):
        name = problem.split(":", 1)[0].removeprefix("risk.")
        label = RISK_LABELS.get(name, name)
        problems.append(f"{label}:{problem.split(':', 1)[1]}")
    return (None, problems) if problems else (limits, [])


def folder_problems(text: str, label: str) -> list[str]:
    """Problems with a folder the app must write to (it may not exist yet).

    Args:
        text: the path typed or chosen.
        label: the field's name in messages ("Data folder").
    """
    raw = text.strip()
    if not raw:
        return [f"{label}: choose a folder"]
    path = Path(raw).expanduser()
    if not path.is_absolute():
        return [f"{label}: use a full path (like {Path.home() / 'Cryptobot'}), got {raw!r}"]
    if path.exists() and not path.is_dir():
        return [f"{label}: {path} is a file, not a folder; choose a folder"]
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            return [f"{label}: {path} cannot be created; choose another folder"]
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        return [f"{label}: {existing} is not writable; choose a folder you may write to"]
    return []
