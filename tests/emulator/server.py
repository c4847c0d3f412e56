"""The emulator's HTTP/websocket server: aiohttp on 127.0.0.1 in its own thread and loop.

Every REST request goes through :meth:`EmulatorServer.dispatch`, which counts it, applies an
injected fault, checks the signature of signed endpoints and runs the handler under the state
lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from aiohttp import web

from tests.emulator.errors import BinanceError
from tests.emulator.faults import ArmedFault, Fault, FaultPlan
from tests.emulator.recorder import Recorder, RequestRecord
from tests.emulator.rest import ROUTES
from tests.emulator.state import State
from tests.emulator.userstream import user_events
from tests.emulator.ws import WebsocketHub

logger = logging.getLogger(__name__)

T = TypeVar("T")

RATE_LIMIT_MSG = (
    "Too much request weight used; current limit is 6000 request weight per 1 MINUTE. "
    "Please use WebSocket Streams for live updates to avoid polling the API."
)
BANNED_MSG = (
    "Way too much request weight used; IP banned until {until}. "
    "Please use WebSocket Streams for live updates to avoid bans."
)
START_TIMEOUT_S = 10.0


class _Dropped(Exception):
    """A fault cut the connection: the client gets no reply."""


class EmulatorServer:
    """Runs the aiohttp application on a free loopback port in a background thread."""

    def __init__(self, state: State, faults: FaultPlan, recorder: Recorder) -> None:
        self._state = state
        self._faults = faults
        self._recorder = recorder
        self.hub = WebsocketHub(state, faults, recorder)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._stopping: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Start serving; returns once the port accepts connections.

        Raises:
            RuntimeError: the server did not come up within 10 s.
        """
        if self._thread is not None:
            raise RuntimeError("the exchange emulator was already started; create a new one")
        self._thread = threading.Thread(target=self._run, name=f"emulator-{self.port}", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S) or self._error is not None:
            raise RuntimeError(f"exchange emulator failed to start: {self._error!r}")
        logger.debug("exchange emulator listening on 127.0.0.1:%d", self.port)

    def stop(self) -> None:
        """Close every connection, stop the loop and join the thread."""
        loop = self._loop
        if loop is None or self._thread is None:
            self._socket.close()
            return
        with contextlib.suppress(RuntimeError, TimeoutError):
            self.call(self._shutdown(), timeout=START_TIMEOUT_S)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(START_TIMEOUT_S)
        self._loop = None
        logger.debug("exchange emulator on port %d stopped", self.port)

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._loop is not None

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = START_TIMEOUT_S) -> T:
        """Run ``coro`` on the server loop from another thread and return its result.

        Raises:
            RuntimeError: the server is not running.
        """
        if self._loop is None:
            coro.close()
            raise RuntimeError("the exchange emulator is not running; call start() first")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._startup())
        except Exception as exc:  # reported to start() through self._error
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _startup(self) -> None:
        self._stopping = asyncio.Event()
        app = web.Application()
        for path in ("/ws", "/ws/{tail:.*}", "/stream", "/stream/{tail:.*}", "/ws-api/{tail:.*}"):
            app.router.add_get(path, self.hub.handle)
        app.router.add_route("*", "/{tail:.*}", self.dispatch)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        await web.SockSite(self._runner, self._socket).start()

    async def _shutdown(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        await self.hub.drop_all()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _pause(self, milliseconds: float) -> None:
        """Sleep, waking early when the server stops."""
        if self._stopping is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), milliseconds / 1000)

    # ------------------------------------------------------------------ requests
    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        """Answer one REST request (with its injected fault, if any).

        The request is logged as soon as its outcome is decided: before a stall, so a test
        sees it even while the reply is still held.
        """
        endpoint = f"{request.method} {request.path}"
        raw_query = request.rel_url.raw_query_string
        body = await request.text() if request.can_read_body else ""
        params = dict(request.query)
        params.update(parse_qsl(body, keep_blank_values=True))
        self._recorder.count(endpoint)
        fault = self._faults.take(endpoint)

        def log(status: int, code: int | None = None) -> None:
            logged = {k: v for k, v in params.items() if k != "signature"}
            name = fault.fault.value if fault else None
            record = RequestRecord(self._state.server_time(), endpoint, logged, status, code, name)
            self._recorder.record(record)

        try:
            early = await self._before(fault, request, log)
            if early is not None:
                return early
            try:
                status, code = 200, None
                text, events = self._process(request, raw_query + body, params)
            except BinanceError as exc:
                status, code, text, events = exc.status, exc.code, json.dumps(exc.body()), []
            log(status, code)
            await self.hub.publish_user(events)
            return await self._after(fault, request, status, text)
        except _Dropped:
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=499)

    def _process(
        self, request: web.Request, payload: str, params: dict[str, str]
    ) -> tuple[str, list[dict[str, object]]]:
        """Run the endpoint; returns the reply body and the user-stream events it caused."""
        route = ROUTES.get((request.method, request.path))
        if route is None:
            raise BinanceError(404, -1000, f"The emulator does not serve {request.path}.")
        with self._state.lock:
            if route.signed:
                self._state.auth.check(
                    request.headers,
                    payload,
                    params,
                    self._state.server_time(),
                    trading=route.trading,
                )
            result = route.handler(self._state, params)
            events = user_events(self._state)
        return json.dumps(result), events

    async def _before(
        self, fault: ArmedFault | None, request: web.Request, log: Callable[[int, int | None], None]
    ) -> web.Response | None:
        """Apply a fault that acts before processing (logging its outcome); a reply ends it."""
        if fault is None:
            return None
        kind = fault.fault
        if kind is Fault.LATENCY:
            await self._pause(float(fault.option("ms")))
            return None
        if kind in (Fault.HTTP_429, Fault.HTTP_418):
            retry_after = int(fault.option("retry_after"))
            msg = RATE_LIMIT_MSG
            if kind is Fault.HTTP_418:
                msg = BANNED_MSG.format(until=self._state.server_time() + retry_after * 1000)
            status = 429 if kind is Fault.HTTP_429 else 418
            log(status, -1003)
            return web.json_response(
                {"code": -1003, "msg": msg},
                status=status,
                headers={"Retry-After": str(retry_after)},
            )
        if kind in (Fault.HTTP_500, Fault.HTTP_502, Fault.HTTP_503):
            status = int(kind.value.removeprefix("http_"))
            if fault.option("code") is not None:
                code = int(fault.option("code"))
                log(status, code)
                return web.json_response(
                    {"code": code, "msg": str(fault.option("msg") or "")}, status=status
                )
            log(status, None)
            html = f"<html><body><h1>{status} Server Error</h1></body></html>"
            return web.Response(text=html, status=status, content_type="text/html")
        if kind is Fault.TIMEOUT_BEFORE_ACCEPT:
            log(0, None)
            await self._stall(fault, request)
            raise _Dropped
        return None

    async def _after(
        self, fault: ArmedFault | None, request: web.Request, status: int, text: str
    ) -> web.Response:
        """Apply a fault that acts after processing, then reply ``text`` with ``status``."""
        if fault is not None and fault.fault is Fault.TIMEOUT_AFTER_ACCEPT:
            await self._stall(fault, request)
        if fault is not None and fault.fault is Fault.BAD_JSON:
            text = text[: max(1, len(text) // 2)]
        return web.Response(text=text, status=status, content_type="application/json")

    async def _stall(self, fault: ArmedFault, request: web.Request) -> None:
        """Hold the reply for ``delay_ms`` or drop the connection (``mode="drop"``)."""
        if fault.option("mode") == "drop":
            if request.transport is not None:
                request.transport.abort()
            raise _Dropped
        await self._pause(float(fault.option("delay_ms")))
