"""Identifiers created before any request leaves the process."""

from __future__ import annotations

import secrets

CLIENT_ORDER_ID_PREFIX = "cb"


def new_client_order_id(prefix: str = CLIENT_ORDER_ID_PREFIX) -> str:
    """A unique client order id (<= 32 chars of [A-Za-z0-9_-], accepted by most venues)."""
    return f"{prefix}-{secrets.token_hex(12)}"


def new_correlation_id() -> str:
    """An id that ties together every log line and audit record of one decision or order."""
    return secrets.token_hex(8)
