"""Correlation ids: tie every log line of one decision or order together.

An id bound with :func:`correlation_scope` follows the code through ``await`` (asyncio tasks
copy the context) and is stamped on each log record by :class:`CorrelationFilter`, unless the
call passed its own ``extra={"correlation_id": ...}``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from app.core.ids import new_correlation_id

_current: ContextVar[str | None] = ContextVar("cryptobot_correlation_id", default=None)


def current_correlation_id() -> str | None:
    """The correlation id bound in this context, or ``None``."""
    return _current.get()


@contextmanager
def correlation_scope(correlation_id: str | None = None) -> Iterator[str]:
    """Bind a correlation id for the duration of a ``with`` block.

    Args:
        correlation_id: the id to bind; a new one is made when omitted.

    Returns:
        A context manager yielding the bound id.
    """
    value = correlation_id or new_correlation_id()
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)


class CorrelationFilter(logging.Filter):
    """Sets ``record.correlation_id`` (the bound id or ``None``) when the caller did not."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Stamp the record; always lets it through."""
        if getattr(record, "correlation_id", None) is None:
            record.correlation_id = _current.get()
        return True
