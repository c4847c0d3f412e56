"""Structured JSON-lines logging with rotation and secret redaction; metrics.

The names most callers need are re-exported here; nothing is configured on import.
"""

from app.observability.correlation import correlation_scope, current_correlation_id
from app.observability.logging_config import LoggingHandle, configure_logging, log_retention
from app.observability.metrics import MetricsRegistry, default_registry, render_prometheus
from app.observability.redaction import forget_secret, register_secret
from app.observability.ring import LogEntry, RingBufferHandler

__all__ = [
    "LogEntry",
    "LoggingHandle",
    "MetricsRegistry",
    "RingBufferHandler",
    "configure_logging",
    "correlation_scope",
    "current_correlation_id",
    "default_registry",
    "forget_secret",
    "log_retention",
    "register_secret",
    "render_prometheus",
]
