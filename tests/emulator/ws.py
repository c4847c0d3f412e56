"""Websocket side of the emulator: /ws (raw events), /stream (combined), /ws-api (user data).

Clients subscribe with ``{"method": "SUBSCRIBE", "params": [...], "id": n}`` and get
``{"result": null, "id": n}``, then a snapshot event per stream, then an event on every price
move. All methods run on the server's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field

from aiohttp import WSMsgType, web

from tests.emulator.errors import BinanceError
from tests.emulator.faults import WEBSOCKET, FaultPlan
from tests.emulator.recorder import Recorder, RequestRecord
from tests.emulator.state import State
from tests.emulator.streams import Message, StreamName, snapshot_message
from tests.emulator.userstream import SUBSCRIBE_METHOD, verify_subscription

logger = logging.getLogger(__name__)


@dataclass(eq=False, slots=True)
class Connection:
    """One websocket client and its streams."""

    socket: web.WebSocketResponse
    combined: bool
    transport: asyncio.BaseTransport | None = None
    streams: set[str] = field(default_factory=set)
    user_subscription: int | None = None

    async def drop(self) -> None:
        """Cut the TCP connection without a close handshake (a network failure)."""
        if self.transport is not None:
            self.transport.abort()  # type: ignore[attr-defined]
        await self.socket.close()

    async def send(self, stream: str, payload: dict[str, object]) -> None:
        """Send ``payload`` (wrapped for combined-stream connections)."""
        message = {"stream": stream, "data": payload} if self.combined else payload
        await self.send_json(message)

    async def send_json(self, message: object) -> None:
        """Send ``message`` as JSON, ignoring a connection that is already gone."""
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self.socket.send_str(json.dumps(message))


class WebsocketHub:
    """Open websocket connections and their subscriptions."""

    def __init__(self, state: State, faults: FaultPlan, recorder: Recorder) -> None:
        self._state = state
        self._faults = faults
        self._recorder = recorder
        self._connections: set[Connection] = set()
        self._subscriptions = 0

    @property
    def connection_count(self) -> int:
        """Connections currently open."""
        return len(self._connections)

    @property
    def user_subscribers(self) -> int:
        """Connections subscribed to the user data stream."""
        return sum(1 for c in self._connections if c.user_subscription is not None)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one websocket connection until it closes."""
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        self._recorder.count(f"WS {request.path}")
        connection = Connection(
            socket, combined=request.path.startswith("/stream"), transport=request.transport
        )
        self._connections.add(connection)
        initial = [p for p in request.path.split("/") if "@" in p]
        initial += [s for s in request.query.get("streams", "").split("/") if s]
        try:
            if initial:
                await self._subscribe(connection, initial)
            on_text = self._on_api_text if request.path.startswith("/ws-api") else self._on_text
            async for message in socket:
                if message.type is not WSMsgType.TEXT:
                    continue
                if not await on_text(connection, message.data):
                    break
        finally:
            self._connections.discard(connection)
            await socket.close()
        return socket

    async def _on_text(self, connection: Connection, text: str) -> bool:
        """Answer one client request; False when the connection must close."""
        try:
            request = json.loads(text)
            method = request.get("method")
            request_id = request.get("id")
            streams = request.get("params") or []
        except (ValueError, AttributeError):
            await connection.send_json({"error": {"code": 3, "msg": "Invalid JSON"}})
            return True
        if await self._faulted(connection, str(method), ",".join(map(str, streams))):
            return False
        if method == "SUBSCRIBE":
            unknown = [s for s in streams if StreamName.parse(str(s)) is None]
            if unknown:
                error = {"code": 2, "msg": f"Invalid request: unknown stream(s) {unknown}"}
                await connection.send_json({"error": error, "id": request_id})
                return True
            await connection.send_json({"result": None, "id": request_id})
            await self._subscribe(connection, [str(s) for s in streams])
        elif method == "UNSUBSCRIBE":
            connection.streams.difference_update(str(s) for s in streams)
            await connection.send_json({"result": None, "id": request_id})
        elif method == "LIST_SUBSCRIPTIONS":
            reply = {"result": sorted(connection.streams), "id": request_id}
            await connection.send_json(reply)
        else:
            error = {"code": 1, "msg": f"Unknown method {method!r}"}
            await connection.send_json({"error": error, "id": request_id})
        return True

    async def _faulted(self, connection: Connection, method: str, params: str) -> bool:
        """Count and log one client message; True when a fault dropped the connection."""
        self._recorder.count(f"WS {method}")
        fault = self._faults.take(WEBSOCKET)
        name = fault.fault.value if fault else None
        record = RequestRecord(
            self._state.server_time(), f"WS {method}", {"params": params}, 101, fault=name
        )
        self._recorder.record(record)
        if fault is not None:
            await connection.drop()
        return fault is not None

    async def _on_api_text(self, connection: Connection, text: str) -> bool:
        """Answer one WebSocket API request (user data stream subscription)."""
        try:
            request = json.loads(text)
            method = str(request.get("method"))
            request_id = request.get("id")
            params = dict(request.get("params") or {})
        except (ValueError, AttributeError, TypeError):
            await connection.send_json({"status": 400, "error": {"code": -1100, "msg": "bad"}})
            return True
        if await self._faulted(connection, method, ",".join(sorted(params))):
            return False
        reply: dict[str, object] = {"id": request_id, "status": 200, "result": {}}
        if method == SUBSCRIBE_METHOD:
            try:
                with self._state.lock:
                    verify_subscription(self._state, params)
            except BinanceError as exc:
                error = {"id": request_id, "status": exc.status, "error": exc.body()}
                await connection.send_json(error)
                return True
            connection.user_subscription = self._subscriptions
            reply["result"] = {"subscriptionId": self._subscriptions}
            self._subscriptions += 1
        elif method == "userDataStream.unsubscribe":
            connection.user_subscription = None
        elif method != "ping":
            reply = {
                "id": request_id,
                "status": 400,
                "error": {"code": -1100, "msg": f"Unknown method {method!r}."},
            }
        await connection.send_json(reply)
        return True

    async def publish_user(self, events: list[dict[str, object]]) -> None:
        """Send user data stream events to every subscribed WebSocket API connection."""
        for connection in list(self._connections):
            if connection.user_subscription is None:
                continue
            for event in events:
                message = {"subscriptionId": connection.user_subscription, "event": event}
                await connection.send_json(message)

    async def _subscribe(self, connection: Connection, streams: list[str]) -> None:
        for name in streams:
            parsed = StreamName.parse(name)
            if parsed is None:
                continue
            connection.streams.add(name)
            with self._state.lock:
                payload = snapshot_message(self._state, parsed)
            if payload is not None:
                await connection.send(name, payload)

    async def publish(self, messages: list[Message]) -> None:
        """Send each message to every connection subscribed to its stream."""
        for connection in list(self._connections):
            for stream, payload in messages:
                if stream in connection.streams:
                    await connection.send(stream, payload)

    async def drop_all(self) -> int:
        """Close every connection (a dropped network); returns how many were open."""
        connections = list(self._connections)
        for connection in connections:
            await connection.drop()
        logger.debug("dropped %d websocket connection(s)", len(connections))
        return len(connections)
