"""Convert between :class:`Settings` and the plain mapping stored in ``settings.toml``.

Reading collects every problem (unknown keys with a "did you mean" hint, wrong types, values out
of range, secrets where only keyring references belong) before giving up, so the user can fix
the file in one go.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from decimal import Decimal
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from app.config import fields as f
from app.config.schema import (
    SETTINGS_VERSION,
    DatabaseSettings,
    ExchangeSettings,
    GeneralSettings,
    LoggingSettings,
    PaperSettings,
    ReplaySettings,
    Settings,
    Theme,
)
from app.core.enums import TradingMode
from app.core.errors import ConfigError
from app.risk.limits import RiskLimits

ROOT = "settings"

_CAMEL_RE = re.compile(r"([a-z0-9])([A-Z])")
_SECRET_WORDS = frozenset({"secret", "password", "passwd", "passphrase", "signature", "apikey"})
_SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("access", "key")})

_SECTIONS: dict[str, tuple[type[Any], dict[str, f.Reader]]] = {
    "general": (
        GeneralSettings,
        {
            "mode": f.choice(TradingMode),
            "quote_currency": f.text(f.CURRENCY_RE, "a currency code like 'USDT'"),
            "symbols": f.symbol_list,
            "timeframe": f.timeframe,
            "theme": f.choice(Theme),
            "notifications": f.boolean(),
            "first_run_done": f.boolean(),
            "live_confirmed": f.boolean(),
        },
    ),
    "exchange": (
        ExchangeSettings,
        {
            "id": f.text(f.EXCHANGE_ID_RE, "a ccxt exchange id like 'binance'"),
            "sandbox": f.boolean(),
            "api_key_ref": f.optional(f.any_text),
            "key_added_at": f.optional(f.integer(0, 2**53)),
            "ccxt_config": f.table,
        },
    ),
    "database": (DatabaseSettings, {"url": f.optional(f.any_text)}),
    "logging": (
        LoggingSettings,
        {
            "level": f.log_level,
            "component_levels": f.mapping_of(
                f.text(f.LOGGER_NAME_RE, "a logger name like 'app.exchange'"), f.log_level
            ),
            "max_bytes": f.integer(64 * 1024, 1024**3),
            "backups": f.integer(1, 100),
            "retention_days": f.integer(1, 3650),
            "console": f.boolean(),
        },
    ),
    "paper": (
        PaperSettings,
        {
            "initial_balances": f.mapping_of(
                f.text(f.CURRENCY_RE, "a currency code like 'USDT'"),
                f.decimal(Decimal(0)),
                non_empty=True,
            ),
            "fee_rate": f.decimal(Decimal(0), Decimal("0.1"), "a fraction: 0.001 means 0.1 %"),
            "slippage_bps": f.decimal(Decimal(0), Decimal(1000), "basis points: 5 means 0.05 %"),
        },
    ),
    "replay": (
        ReplaySettings,
        {
            "data_file": f.text(f.CSV_NAME_RE, "the name of a CSV file in resources/demo"),
            "exchange": f.text(f.EXCHANGE_ID_RE, "a ccxt exchange id like 'binance'"),
            "symbol": f.text(f.SYMBOL_RE, "a symbol like 'BTC/USDT'"),
            "timeframe": f.timeframe,
            "speed": f.real(0.0, 1_000_000.0),
        },
    ),
}

_SECTION_NAMES = (
    "version",
    "general",
    "exchange",
    "database",
    "logging",
    "risk",
    "paper",
    "replay",
)


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    """The settings as plain TOML-ready data: Decimals as strings, enums as values, no ``None``.

    Args:
        settings: the settings to convert.

    Returns:
        A new nested dict (safe to modify) in the layout of ``settings.toml``.
    """
    data: dict[str, Any] = {"version": SETTINGS_VERSION}
    for item in fields(settings):
        section = getattr(settings, item.name)
        if isinstance(section, RiskLimits):
            data[item.name] = section.to_mapping()
        else:
            data[item.name] = _plain(section)
    return data


def settings_from_dict(data: Mapping[str, Any]) -> Settings:
    """Build settings from the plain mapping of ``settings.toml``; missing keys take defaults.

    Args:
        data: the parsed file (or any mapping of the same layout).

    Returns:
        The validated settings.

    Raises:
        ConfigError: one or more problems; the message lists every one by field name.
    """
    settings, problems = _parse(data)
    if settings is None:
        raise ConfigError(format_problems(problems))
    return settings


def settings_problems(data: Mapping[str, Any] | Settings) -> list[str]:
    """Every problem with a settings mapping or object, as ``"settings.<field>: <problem>"``.

    Args:
        data: a mapping in the file layout, or a :class:`Settings` built in code.

    Returns:
        The problems; empty when the settings are valid.
    """
    if isinstance(data, Settings):
        data = settings_to_dict(data)
    return _parse(data)[1]


def format_problems(problems: list[str], source: str | None = None) -> str:
    """One message for the user listing ``problems`` (found in ``source``, when given)."""
    where = f" in {source}" if source else ""
    if len(problems) == 1:
        return f"Invalid setting{where}: {problems[0]}"
    listed = "\n".join(f"- {problem}" for problem in problems)
    return f"{len(problems)} invalid settings{where}:\n{listed}"


def is_credential_name(name: str) -> bool:
    """True when a config key names a credential (``secret``, ``apiKey``, ``access_token``...).

    Args:
        name: the key, in snake_case, camelCase or kebab-case.
    """
    snake = _CAMEL_RE.sub(r"\1_\2", name).lower()
    words = [word for word in re.split(r"[^a-z0-9]+", snake) if word]
    if any(any(secret in word for secret in _SECRET_WORDS) for word in words):
        return True
    if any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words)):
        return True
    return bool(words) and words[-1] == "token"


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for item in fields(value):
            converted = _plain(getattr(value, item.name))
            if converted is not None:
                out[item.name] = converted
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _parse(data: Mapping[str, Any]) -> tuple[Settings | None, list[str]]:
    problems: list[str] = []
    if not isinstance(data, Mapping):
        return None, [f"{ROOT}: must be a table of sections, got {f.show(data)}"]
    _check_unknown(ROOT, data, _SECTION_NAMES, problems, what="section")
    _check_version(data.get("version", SETTINGS_VERSION), problems)
    sections: dict[str, Any] = {}
    for name, (cls, readers) in _SECTIONS.items():
        raw = _section(data, name, problems)
        if raw is not None:
            sections[name] = _read_section(f"{ROOT}.{name}", cls, readers, raw, problems)
        if name == "exchange" and raw is not None:
            problems.extend(_secret_problems(f"{ROOT}.exchange.ccxt_config", raw))
    raw_risk = _section(data, "risk", problems)
    if raw_risk is not None:
        sections["risk"] = _read_risk(raw_risk, problems)
    if sections.get("database") is not None:
        problems.extend(_url_password_problems(sections["database"]))
    if problems:
        return None, problems
    return Settings(**sections), []


def _section(data: Mapping[str, Any], name: str, problems: list[str]) -> Mapping[str, Any] | None:
    raw = data.get(name, {})
    if not isinstance(raw, Mapping):
        problems.append(f"{ROOT}.{name}: must be a table ([{name}]), got {f.show(raw)}")
        return None
    return raw


def _check_version(raw: Any, problems: list[str]) -> None:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        problems.append(f"{ROOT}.version: must be a whole number like 1, got {f.show(raw)}")
    elif raw > SETTINGS_VERSION:
        problems.append(
            f"{ROOT}.version: the file was written by a newer Cryptobot (layout {raw}); "
            f"this version reads layout {SETTINGS_VERSION}: update Cryptobot"
        )


def _check_unknown(
    path: str,
    raw: Mapping[str, Any],
    known: tuple[str, ...] | list[str],
    problems: list[str],
    what: str = "setting",
) -> None:
    for key in raw:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"{path}.{key}: unknown {what}{hint}")


def _read_section(
    path: str,
    cls: type[Any],
    readers: dict[str, f.Reader],
    raw: Mapping[str, Any],
    problems: list[str],
) -> Any:
    before = len(problems)
    _check_unknown(path, raw, list(readers), problems)
    values: dict[str, Any] = {}
    for name, reader in readers.items():
        if name not in raw:
            continue
        try:
            values[name] = reader(f"{path}.{name}", raw[name])
        except ValueError as exc:
            problems.append(str(exc))
    if len(problems) > before:
        return None
    return cls(**values)


def _read_risk(raw: Mapping[str, Any], problems: list[str]) -> RiskLimits | None:
    path = f"{ROOT}.risk"
    known = [item.name for item in fields(RiskLimits)]
    before = len(problems)
    _check_unknown(path, raw, known, problems)
    # One field at a time so that every problem is reported on its own, by name.
    for name in known:
        if name in raw:
            try:
                RiskLimits.from_mapping({name: raw[name]}, prefix=path)
            except ConfigError as exc:
                problems.append(str(exc))
    if len(problems) > before:
        return None
    return RiskLimits.from_mapping({k: v for k, v in raw.items() if k in known}, prefix=path)


def _secret_problems(path: str, exchange: Mapping[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(item_path: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                child = f"{item_path}.{key}"
                if is_credential_name(str(key)):
                    found.append(
                        f"{child}: looks like an API credential; keys and secrets belong in the "
                        "OS keyring, never in the settings file: remove it and add the key with "
                        "the setup wizard or the exchange settings"
                    )
                else:
                    walk(child, item)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(f"{item_path}[{index}]", item)

    walk(path, exchange.get("ccxt_config", {}))
    return found


def _url_password_problems(database: DatabaseSettings) -> list[str]:
    if database.url is None:
        return []
    try:
        password = urlsplit(database.url).password
    except ValueError:
        return [f"{ROOT}.database.url: is not a database URL like 'postgresql://host/db'"]
    if password:
        return [
            f"{ROOT}.database.url: contains a password; keep passwords out of the settings "
            "file: set the full URL in the CRYPTOBOT_DB_URL environment variable or use a "
            "password file (~/.pgpass)"
        ]
    return []
