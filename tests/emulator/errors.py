"""Binance-style API errors raised inside the emulator and turned into JSON error replies."""

from __future__ import annotations


class BinanceError(Exception):
    """An error reply: HTTP ``status`` with the body ``{"code": code, "msg": msg}``.

    Args:
        status: HTTP status of the reply (400 for bad requests, 401 for key problems, ...).
        code: Binance error code (negative).
        msg: Binance error message, worded as Binance words it (ccxt matches some exactly).
    """

    def __init__(self, status: int, code: int, msg: str) -> None:
        super().__init__(f"{status} {code} {msg}")
        self.status = status
        self.code = code
        self.msg = msg

    def body(self) -> dict[str, object]:
        """The JSON body Binance sends for this error."""
        return {"code": self.code, "msg": self.msg}


def bad_request(code: int, msg: str) -> BinanceError:
    """A 400 reply with the given Binance code and message."""
    return BinanceError(400, code, msg)


def invalid_symbol() -> BinanceError:
    """-1121: the symbol is not listed."""
    return bad_request(-1121, "Invalid symbol.")


def mandatory(param: str) -> BinanceError:
    """-1102: a required parameter is missing."""
    return bad_request(
        -1102, f"Mandatory parameter '{param}' was not sent, was empty/null, or malformed."
    )


def illegal_characters(param: str) -> BinanceError:
    """-1100: a parameter is not a well-formed number."""
    return bad_request(
        -1100,
        f"Illegal characters found in parameter '{param}'; "
        "legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.",
    )


def filter_failure(name: str) -> BinanceError:
    """-1013: an order breaks one of the symbol's filters (LOT_SIZE, PRICE_FILTER, NOTIONAL)."""
    return bad_request(-1013, f"Filter failure: {name}")


def order_rejected(msg: str) -> BinanceError:
    """-2010: the new order was rejected (duplicate id, balance, would trigger immediately)."""
    return bad_request(-2010, msg)


DUPLICATE_ORDER = "Duplicate order sent."
INSUFFICIENT_BALANCE = "Account has insufficient balance for requested action."
INVALID_KEY = "Invalid API-key, IP, or permissions for action."
