"""API-key checks of the emulated venue: HMAC-SHA256 signatures, recvWindow, permissions."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from tests.emulator.errors import INVALID_KEY, BinanceError, bad_request, mandatory

DEFAULT_RECV_WINDOW = 5000
MAX_RECV_WINDOW = 60000
FUTURE_TOLERANCE_MS = 1000


@dataclass(frozen=True, slots=True)
class Permissions:
    """What the API key may do (``GET /sapi/v1/account/apiRestrictions``) and account flags.

    ``ip_allowed=False`` emulates a key whose IP allow-list excludes the caller: every signed
    request then fails with -2015, as Binance answers.
    """

    enable_reading: bool = True
    enable_spot_and_margin_trading: bool = True
    enable_withdrawals: bool = False
    enable_internal_transfer: bool = False
    enable_margin: bool = False
    enable_futures: bool = False
    enable_vanilla_options: bool = False
    enable_portfolio_margin_trading: bool = False
    enable_fix_api: bool = False
    permits_universal_transfer: bool = False
    ip_restrict: bool = False
    ip_allowed: bool = True
    can_trade: bool = True
    can_withdraw: bool = True
    can_deposit: bool = True
    create_time: int = 1_700_000_000_000

    def updated(self, **changes: bool) -> Permissions:
        """A copy with ``changes`` applied.

        Raises:
            ValueError: an unknown permission name (the message lists the valid ones).
        """
        names = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise ValueError(f"unknown permission(s) {unknown}; valid: {sorted(names)}")
        return replace(self, **changes)

    def restrictions_json(self) -> dict[str, object]:
        """Body of ``GET /sapi/v1/account/apiRestrictions``."""
        return {
            "ipRestrict": self.ip_restrict,
            "createTime": self.create_time,
            "enableReading": self.enable_reading,
            "enableSpotAndMarginTrading": self.enable_spot_and_margin_trading,
            "enableWithdrawals": self.enable_withdrawals,
            "enableInternalTransfer": self.enable_internal_transfer,
            "enableMargin": self.enable_margin,
            "enableFutures": self.enable_futures,
            "permitsUniversalTransfer": self.permits_universal_transfer,
            "enableVanillaOptions": self.enable_vanilla_options,
            "enableFixApiTrade": self.enable_fix_api,
            "enableFixReadOnly": self.enable_fix_api,
            "enablePortfolioMarginTrading": self.enable_portfolio_margin_trading,
        }


def sign(query: str, secret: str) -> str:
    """Hex HMAC-SHA256 of ``query`` with ``secret`` (how Binance clients sign)."""
    return hmac.new(secret.encode(), query.encode(), hashlib.sha256).hexdigest()


def split_signature(payload: str) -> tuple[str, str | None]:
    """``payload`` without its ``signature=`` parameter, and that signature (None if absent)."""
    kept: list[str] = []
    signature: str | None = None
    for part in payload.split("&"):
        if part.startswith("signature="):
            signature = part[len("signature=") :]
        elif part:
            kept.append(part)
    return "&".join(kept), signature


def _auth_error(msg: str = INVALID_KEY) -> BinanceError:
    return BinanceError(401, -2015, msg)


@dataclass(slots=True)
class Authenticator:
    """Checks signed requests against one key pair, the venue clock and the key permissions."""

    api_key: str
    api_secret: str
    permissions: Permissions = field(default_factory=Permissions)

    def check(
        self,
        headers: Mapping[str, str],
        payload: str,
        params: Mapping[str, str],
        server_time: int,
        *,
        trading: bool,
    ) -> None:
        """Validate one signed request, in Binance's order of checks.

        Args:
            headers: request headers (``X-MBX-APIKEY``).
            payload: the signed text: query string followed by the body, as sent.
            params: parsed parameters (``timestamp``, ``recvWindow``).
            server_time: venue time in ms (including any injected clock offset).
            trading: the endpoint places or cancels orders.

        Raises:
            BinanceError: -2014 no key, -2015 unknown key / IP not allowed / missing
                permission, -1102 no signature or timestamp, -1022 bad signature, -1131 bad
                recvWindow, -1021 timestamp outside the recvWindow.
        """
        key = headers.get("X-MBX-APIKEY")
        if not key:
            raise BinanceError(401, -2014, "API-key format invalid.")
        if key != self.api_key or not self.permissions.ip_allowed:
            raise _auth_error()
        unsigned, signature = split_signature(payload)
        if not signature:
            raise mandatory("signature")
        if not hmac.compare_digest(signature.lower(), sign(unsigned, self.api_secret)):
            raise bad_request(-1022, "Signature for this request is not valid.")
        self.check_time(params, server_time)
        if not self.permissions.enable_reading:
            raise _auth_error()
        if trading and not (self.permissions.enable_spot_and_margin_trading and self.can_trade):
            raise _auth_error()

    @property
    def can_trade(self) -> bool:
        """The account itself may trade."""
        return self.permissions.can_trade

    @staticmethod
    def check_time(params: Mapping[str, str], server_time: int) -> None:
        """Check ``timestamp`` against the venue clock and ``recvWindow``.

        Raises:
            BinanceError: -1102 no timestamp, -1131 bad recvWindow, -1021 outside the window.
        """
        raw_time = params.get("timestamp")
        if not raw_time:
            raise mandatory("timestamp")
        try:
            timestamp = int(raw_time)
            window = int(params.get("recvWindow", DEFAULT_RECV_WINDOW))
        except ValueError:
            raise bad_request(-1100, "Illegal characters found in a parameter.") from None
        if window <= 0 or window > MAX_RECV_WINDOW:
            raise bad_request(-1131, "recvWindow must be less than 60000")
        if timestamp > server_time + FUTURE_TOLERANCE_MS:
            raise bad_request(
                -1021, "Timestamp for this request was 1000ms ahead of the server's time."
            )
        if server_time - timestamp > window:
            raise bad_request(-1021, "Timestamp for this request is outside of the recvWindow.")
