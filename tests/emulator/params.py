"""Parsing of Binance request parameters (strings) with Binance's error replies."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal

from tests.emulator.errors import bad_request, illegal_characters, mandatory

_NUMBER = re.compile(r"^[0-9]{1,20}(\.[0-9]{1,20})?$")

Params = Mapping[str, str]


def required(params: Params, name: str) -> str:
    """The non-empty parameter ``name`` (raises -1102 when missing)."""
    value = params.get(name, "")
    if not value:
        raise mandatory(name)
    return value


def decimal_param(params: Params, name: str) -> Decimal | None:
    """Parameter ``name`` as a Decimal, None when absent (raises -1100 when malformed)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if not _NUMBER.match(raw):
        raise illegal_characters(name)
    return Decimal(raw)


def int_param(params: Params, name: str) -> int | None:
    """Parameter ``name`` as an int, None when absent (raises -1100 when malformed)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if not raw.lstrip("-").isdigit():
        raise illegal_characters(name)
    return int(raw)


def limit_param(params: Params, default: int, maximum: int) -> int:
    """The ``limit`` parameter, ``default`` when absent (raises -1130 above ``maximum``)."""
    limit = int_param(params, "limit")
    if limit is None:
        return default
    if limit < 1 or limit > maximum:
        raise bad_request(-1130, "Data sent for parameter 'limit' is not valid.")
    return limit


def symbols_param(params: Params) -> list[str] | None:
    """The ``symbols`` parameter (a JSON array of market ids), None when absent."""
    raw = params.get("symbols")
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise illegal_characters("symbols") from None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise illegal_characters("symbols")
    return value


def flag_param(params: Params, name: str) -> bool:
    """A boolean parameter sent as ``true``/``false``."""
    return params.get(name, "").lower() == "true"
