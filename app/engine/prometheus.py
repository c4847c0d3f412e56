"""Optional Prometheus endpoint: ``GET /metrics`` on 127.0.0.1, off unless a port is given.

It runs its own small thread and loop, so scraping never touches the engine loop.
"""

from __future__ import annotations

import logging

from aiohttp import web

from app.engine.runtime import EngineThread
from app.observability.metrics import MetricsRegistry, render_prometheus

logger = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain"
LOOPBACK = "127.0.0.1"


class MetricsServer:
    """Serves :func:`app.observability.metrics.render_prometheus` at ``/metrics``.

    Args:
        port: TCP port on 127.0.0.1 (0 picks a free one; see :attr:`port` after start).
        registry: metrics to serve (the process-wide registry by default).
    """

    def __init__(self, port: int, registry: MetricsRegistry | None = None) -> None:
        if not 0 <= port <= 65535:
            raise ValueError(f"--metrics-port: must be between 0 and 65535, got {port}")
        self.port = port
        self._registry = registry
        self._thread = EngineThread("cryptobot-metrics")
        self._runner: web.AppRunner | None = None

    def start(self) -> None:
        """Listen on 127.0.0.1:``port`` (returns once listening).

        Raises:
            OSError: the port is taken.
        """
        self._thread.start()
        try:
            self._thread.run(self._start(), timeout=10)
        except BaseException:
            self._thread.stop()
            raise
        logger.info("Prometheus metrics on http://%s:%d/metrics", LOOPBACK, self.port)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, LOOPBACK, self.port)
        await site.start()
        self._runner = runner
        for address in runner.addresses:
            self.port = int(address[1])

    async def _metrics(self, request: web.Request) -> web.Response:
        return web.Response(text=render_prometheus(self._registry), content_type=CONTENT_TYPE)

    def stop(self) -> None:
        """Stop listening and end the thread."""
        runner = self._runner
        if runner is not None and self._thread.is_running:
            self._thread.run(runner.cleanup(), timeout=10)
        self._runner = None
        self._thread.stop()
