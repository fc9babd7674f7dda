"""The template's WebSocket API (API Gateway v2), played on the runner's HTTP port.

- `GET /ws` with `Upgrade: websocket` is the API's URL (wss://{api}.execute-api.../{stage} on AWS). A $connect route
  with a REQUEST authorizer is checked as local/auth checks the REST routes' tokens: a missing identity source (the
  `token` query parameter) answers 401 as API Gateway does, an access token this run did not sign, or one that is
  not a person's, 403 (the authorizer's Deny). The authorizer's context ({user_id, role}, as
  functions/screen_pop/authorizer.py answers) reaches every route in requestContext.authorizer.
- The routes get API Gateway's WebSocket proxy events (eventType CONNECT / MESSAGE / DISCONNECT) through the
  runner's invoker; $connect answering other than 2xx refuses the upgrade with that status; a two-way route's
  answer (its body) is sent back to the client.
- After the handshake the socket leaves the HTTP server's worker pool for a reader thread of its own, so open pages
  never hold the pool's workers. Ping frames get pongs, a close frame is answered; a closed, broken or idle (10
  minutes, API Gateway's idle timeout) socket runs $disconnect once.
- The management API, `POST|GET|DELETE /@connections/{id}`, as boto3's `apigatewaymanagementapi` client calls it:
  on a port of its own (`serve_management`; the runner sets WEBSOCKET_CALLBACK_URL to it), and on the runner's port
  too; a connection not open answers 410 GoneException.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import re
import secrets
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from local.auth import InvalidTokenError, MissingScopeError, verify_token
from local.template import ACCOUNT_ID, FunctionSpec, Resolver, WebSocketApiSpec, WebSocketRouteSpec, websocket_apis

WEBSOCKET_PATH = "/ws"
CALLBACK_URL_ENV = "WEBSOCKET_CALLBACK_URL"  # crm.integrations.push's: the runner sets it to its base URL
CONNECTIONS_PATH = re.compile(r"^/@connections/(?P<connection_id>[^/]+)/?$")
HANDSHAKE_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
IDLE_SECONDS = 600.0  # API Gateway closes a connection idle for 10 minutes
MAX_MESSAGE_BYTES = 128 * 1024  # API Gateway's WebSocket message limit
PEOPLE_SCOPE = "openid"  # crm.roles.PEOPLE_SCOPE: the screen pop is for people, not for integrations
GROUP_ROLES = {"admins": "admin", "managers": "manager", "reps": "rep"}  # crm.roles.ROLE_GROUPS, the other way

OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
CLOSE_NORMAL, CLOSE_GOING_AWAY, CLOSE_PROTOCOL_ERROR, CLOSE_TOO_BIG, CLOSE_NO_STATUS = 1000, 1001, 1002, 1009, 1005

Invoker = Callable[[FunctionSpec, Any], Any]

_log = logging.getLogger(__name__)


class ProtocolError(Exception):
    """The client broke RFC 6455 (an unmasked frame, an oversized message): closed with `code`."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key + HANDSHAKE_GUID).encode("ascii")).digest()).decode("ascii")


def encode_frame(opcode: int, payload: bytes) -> bytes:
    """A final, unmasked frame, as a server sends them."""
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", 0x80 | opcode, length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", 0x80 | opcode, 126, length)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, length)
    return head + payload


def _receive_exactly(sock: socket.socket, size: int) -> bytes:
    chunks, missing = [], size
    while missing:
        chunk = sock.recv(missing)
        if not chunk:
            raise ConnectionResetError("the client closed the socket")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def read_frame(sock: socket.socket) -> tuple[bool, int, bytes]:
    """(final, opcode, unmasked payload) of the client's next frame; clients must mask theirs."""
    first, second = _receive_exactly(sock, 2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", _receive_exactly(sock, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", _receive_exactly(sock, 8))[0]
    if not second & 0x80:
        raise ProtocolError(CLOSE_PROTOCOL_ERROR, "client frames must be masked")
    if length > MAX_MESSAGE_BYTES:
        raise ProtocolError(CLOSE_TOO_BIG, "message too big")
    mask = _receive_exactly(sock, 4)
    payload = bytearray(_receive_exactly(sock, length))
    for index in range(length):
        payload[index] ^= mask[index % 4]
    return bool(first & 0x80), first & 0x0F, bytes(payload)


def _millis() -> int:
    return int(time.time() * 1000)


class Connection:
    """One open WebSocket: its socket (written under a lock: pushes and the reader's pongs), who opened it and the
    authorizer's context."""

    def __init__(self, connection_id: str, sock: socket.socket, source_ip: str, user_agent: str,
                 authorizer: dict[str, Any]) -> None:
        self.connection_id = connection_id
        self.sock = sock
        self.source_ip = source_ip
        self.user_agent = user_agent
        self.authorizer = authorizer
        self.connected_at = _millis()
        self.last_active_at = self.connected_at
        self._sending = threading.Lock()

    def send(self, opcode: int, payload: bytes) -> None:
        with self._sending:
            self.sock.sendall(encode_frame(opcode, payload))

    def send_message(self, data: bytes) -> None:
        """As API Gateway delivers PostToConnection's data: text when it is UTF-8, else binary."""
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            self.send(OP_BINARY, data)
        else:
            self.send(OP_TEXT, data)
        self.last_active_at = _millis()

    def close(self, code: int = CLOSE_NORMAL, reason: str = "") -> None:
        """Sends a close frame (if the socket still takes one) and ends the socket, which ends its reader."""
        with contextlib.suppress(OSError):
            self.send(OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8")[:120])
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)


def authorizer_context(claims: dict[str, Any]) -> dict[str, str] | None:
    """What functions/screen_pop/authorizer.py answers for a person's valid token: {user_id, role}; None (Deny)
    for a person without a role group."""
    groups = claims.get("cognito:groups") or []
    role = next((GROUP_ROLES[group] for group in GROUP_ROLES if group in groups), None)
    return None if role is None else {"user_id": str(claims["username"]), "role": role}


def _identity_values(route: WebSocketRouteSpec, query: dict[str, str], headers: dict[str, str]) -> list[str] | None:
    """The authorizer's identity sources from the request; None when one is missing (API Gateway's 401)."""
    values = []
    for source in route.identity_source:
        kind, _, name = source.removeprefix("route.request.").partition(".")
        value = query.get(name) if kind == "querystring" else headers.get(name.lower())
        if not value:
            return None
        values.append(value)
    return values


class LocalWebSockets:
    """The template's WebSocket API (one at most) on the runner's port; `serve` is the HTTP server's one hook."""

    def __init__(self, template: dict[str, Any], functions: list[FunctionSpec], invoke: Invoker,
                 resolver: Resolver | None = None) -> None:
        apis = websocket_apis(template, resolver or Resolver(template))
        if len(apis) > 1:
            raise ValueError(f"the local stack plays one WebSocket API on {WEBSOCKET_PATH}, the template has "
                             f"{[api.logical_id for api in apis]}")
        self.api: WebSocketApiSpec | None = apis[0] if apis else None
        self.functions = {function.arn: function for function in functions}
        self.invoke = invoke
        self.connections: dict[str, Connection] = {}
        self._lock = threading.Lock()
        self._taken: set[socket.socket] = set()
        self._management: ThreadingHTTPServer | None = None

    # ---------------------------------------------------------------- the HTTP server's hooks

    def serve(self, handler: BaseHTTPRequestHandler, path: str, body: bytes) -> bool:
        """Answers the request if it is the WebSocket API's (an upgrade, the management API); False otherwise."""
        if self.api is None:
            return False
        if path == WEBSOCKET_PATH and handler.command == "GET" \
                and "websocket" in (handler.headers.get("Upgrade") or "").lower():
            self._upgrade(handler)
            return True
        managed = CONNECTIONS_PATH.match(path)
        if managed and handler.command in ("POST", "GET", "DELETE"):
            self._manage(handler, unquote(managed["connection_id"]), body)
            return True
        return False

    def took(self, request: socket.socket) -> bool:
        """Whether an upgrade took this socket from the worker that served its handshake (then not closed)."""
        with self._lock:
            if request in self._taken:
                self._taken.discard(request)
                return True
            return False

    def close_all(self) -> None:
        for connection in list(self.connections.values()):
            connection.close(CLOSE_GOING_AWAY, "the local stack is stopping")
        if self._management is not None:
            self._management.shutdown()
            self._management.server_close()

    def serve_management(self) -> str:
        """The management API on a port of its own, as API Gateway's is a service of its own: a handler pushing while
        it serves a request (a ringing webhook) must not wait for one of the HTTP server's workers, which may all be
        busy with such handlers (50 calls at once timed their pushes out). Returns its base URL."""
        manager = self

        class Management(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                managed = CONNECTIONS_PATH.match(urlsplit(self.path).path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if managed is None or self.command not in ("POST", "GET", "DELETE"):
                    _answer(self, HTTPStatus.NOT_FOUND, {"message": "Not Found"})
                    return
                manager._manage(self, unquote(managed["connection_id"]), body)

            do_GET = do_POST = do_DELETE = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Management)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name="websocket-management", daemon=True).start()
        self._management = server
        return f"http://127.0.0.1:{server.server_address[1]}"

    # ---------------------------------------------------------------- $connect

    def _upgrade(self, handler: BaseHTTPRequestHandler) -> None:
        assert self.api is not None
        handler.close_connection = True
        key = handler.headers.get("Sec-WebSocket-Key") or ""
        try:
            valid_key = len(base64.b64decode(key, validate=True)) == 16
        except ValueError:
            valid_key = False
        if handler.headers.get("Sec-WebSocket-Version") != "13" or not valid_key:
            _answer(handler, HTTPStatus.BAD_REQUEST, {"message": "a WebSocket handshake (version 13) was expected"},
                    {"Sec-WebSocket-Version": "13"})
            return
        query = {name: values[-1] for name, values in parse_qs(urlsplit(handler.path).query).items()}
        headers = {name.lower(): value for name, value in handler.headers.items()}
        connect = self.api.routes.get("$connect")
        authorizer: dict[str, Any] = {}
        if connect is not None and connect.authorizer_function_arn:
            identity = _identity_values(connect, query, headers)
            if identity is None:
                _answer(handler, HTTPStatus.UNAUTHORIZED, {"message": "Unauthorized"})
                return
            try:
                context = authorizer_context(verify_token(identity[0], (PEOPLE_SCOPE,)))
            except (InvalidTokenError, MissingScopeError):
                context = None
            if context is None:
                _answer(handler, HTTPStatus.FORBIDDEN, {"message": "Forbidden"})
                return
            authorizer = {**context, "principalId": context["user_id"], "integrationLatency": 0}
        connection_id = base64.urlsafe_b64encode(secrets.token_bytes(9)).decode("ascii")
        connection = Connection(connection_id, handler.connection, handler.client_address[0],
                                headers.get("user-agent", ""), authorizer)
        if connect is not None:
            event = self._event(connection, "$connect", "CONNECT")
            event.update(headers=dict(handler.headers.items()), queryStringParameters=query or None,
                         multiValueHeaders={name: handler.headers.get_all(name) for name in handler.headers},
                         multiValueQueryStringParameters=parse_qs(urlsplit(handler.path).query) or None)
            status, _ = self._run(connect, event)
            if not 200 <= status < 300:
                _answer(handler, HTTPStatus(status) if status in HTTPStatus._value2member_map_ else
                        HTTPStatus.INTERNAL_SERVER_ERROR, {"message": "Forbidden" if status < 500 else
                                                           "Internal server error"})
                return
        handler.send_response(HTTPStatus.SWITCHING_PROTOCOLS)
        handler.send_header("Upgrade", "websocket")
        handler.send_header("Connection", "Upgrade")
        handler.send_header("Sec-WebSocket-Accept", accept_key(key))
        handler.end_headers()
        handler.wfile.flush()
        with self._lock:
            self._taken.add(handler.connection)
            self.connections[connection_id] = connection
        threading.Thread(target=self._read, args=(connection,), name=f"local-websocket-{connection_id}",
                         daemon=True).start()

    # ---------------------------------------------------------------- messages and $disconnect

    def _read(self, connection: Connection) -> None:
        code, reason = CLOSE_GOING_AWAY, "Going away"
        fragments: list[bytes] = []
        fragment_opcode = OP_TEXT
        connection.sock.settimeout(IDLE_SECONDS)
        try:
            while True:
                final, opcode, payload = read_frame(connection.sock)
                connection.last_active_at = _millis()
                if opcode == OP_CLOSE:
                    code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else CLOSE_NO_STATUS
                    reason = payload[2:].decode("utf-8", "replace") or "Client closed"
                    connection.close(code if code != CLOSE_NO_STATUS else CLOSE_NORMAL)
                    break
                if opcode == OP_PING:
                    connection.send(OP_PONG, payload)
                elif opcode in (OP_TEXT, OP_BINARY, OP_CONTINUATION):
                    if opcode != OP_CONTINUATION:
                        fragments, fragment_opcode = [], opcode
                    fragments.append(payload)
                    if sum(map(len, fragments)) > MAX_MESSAGE_BYTES:
                        raise ProtocolError(CLOSE_TOO_BIG, "message too big")
                    if final:
                        self._message(connection, b"".join(fragments), fragment_opcode == OP_BINARY)
                        fragments = []
        except ProtocolError as error:
            code, reason = error.code, str(error)
            connection.close(error.code, str(error))
        except (OSError, ValueError):
            connection.close(CLOSE_GOING_AWAY)
        finally:
            connection.sock.close()
            self._disconnect(connection, code, reason)

    def _message(self, connection: Connection, data: bytes, binary: bool) -> None:
        assert self.api is not None
        route_key = self._route_key(data)
        route = self.api.routes.get(route_key)
        if route is None:
            connection.send(OP_TEXT, json.dumps({"message": "Forbidden", "connectionId": connection.connection_id,
                                                 "requestId": str(uuid.uuid4())}).encode())
            return
        event = self._event(connection, route_key, "MESSAGE")
        event["requestContext"]["messageId"] = base64.urlsafe_b64encode(secrets.token_bytes(9)).decode("ascii")
        event["body"] = base64.b64encode(data).decode("ascii") if binary else data.decode("utf-8", "replace")
        event["isBase64Encoded"] = binary
        _, response = self._run(route, event)
        if route.two_way and isinstance(response, dict) and response.get("body") is not None:
            connection.send_message(str(response["body"]).encode("utf-8"))

    def _route_key(self, data: bytes) -> str:
        """RouteSelectionExpression `$request.body.<field>`: that field of a JSON message if it names a route."""
        assert self.api is not None
        field = self.api.route_selection_expression.removeprefix("$request.body.")
        try:
            selected = json.loads(data).get(field)
        except (ValueError, AttributeError):
            selected = None
        return selected if isinstance(selected, str) and selected in self.api.routes else "$default"

    def _disconnect(self, connection: Connection, code: int, reason: str) -> None:
        with self._lock:
            if self.connections.pop(connection.connection_id, None) is None:
                return
        route = self.api.routes.get("$disconnect") if self.api else None
        if route is not None:
            event = self._event(connection, "$disconnect", "DISCONNECT")
            event["requestContext"].update(disconnectStatusCode=code, disconnectReason=reason)
            self._run(route, event)

    # ---------------------------------------------------------------- the management API

    def _manage(self, handler: BaseHTTPRequestHandler, connection_id: str, body: bytes) -> None:
        connection = self.connections.get(connection_id)
        if connection is None:
            _answer(handler, HTTPStatus.GONE, {"message": None}, {"x-amzn-ErrorType": "GoneException"})
            return
        if handler.command == "GET":
            _answer(handler, HTTPStatus.OK, {
                "connectedAt": _iso(connection.connected_at), "lastActiveAt": _iso(connection.last_active_at),
                "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent}})
        elif handler.command == "DELETE":
            connection.close(CLOSE_NORMAL)
            _answer(handler, HTTPStatus.NO_CONTENT, None)
        elif len(body) > MAX_MESSAGE_BYTES:
            _answer(handler, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"message": "Message too long"},
                    {"x-amzn-ErrorType": "PayloadTooLargeException"})
        else:
            try:
                connection.send_message(body)
            except OSError:
                connection.close(CLOSE_GOING_AWAY)
                _answer(handler, HTTPStatus.GONE, {"message": None}, {"x-amzn-ErrorType": "GoneException"})
                return
            _answer(handler, HTTPStatus.OK, None)

    # ---------------------------------------------------------------- events

    def _event(self, connection: Connection, route_key: str, event_type: str) -> dict[str, Any]:
        assert self.api is not None
        now = _millis()
        context: dict[str, Any] = {
            "routeKey": route_key,
            "eventType": event_type,
            "extendedRequestId": str(uuid.uuid4()),
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now / 1000)),
            "messageDirection": "IN",
            "stage": self.api.stage,
            "connectedAt": connection.connected_at,
            "requestTimeEpoch": now,
            "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
            "requestId": str(uuid.uuid4()),
            "domainName": "127.0.0.1",
            "connectionId": connection.connection_id,
            "apiId": self.api.logical_id.lower(),
            "accountId": ACCOUNT_ID,
        }
        if connection.authorizer:
            context["authorizer"] = dict(connection.authorizer)
        return {"requestContext": context, "isBase64Encoded": False}

    def _run(self, route: WebSocketRouteSpec, event: dict[str, Any]) -> tuple[int, Any]:
        """(status, the handler's answer); a handler that raised is a 500, as the integration's error."""
        function = self.functions.get(route.function_arn)
        if function is None:
            _log.error("WebSocket route %s invokes %s, which the template does not declare", route.route_key,
                       route.function_arn)
            return 500, None
        try:
            response = self.invoke(function, event)
        except Exception:
            _log.exception("%s failed on WebSocket route %s", function.logical_id, route.route_key)
            return 500, None
        status = response.get("statusCode", 200) if isinstance(response, dict) else 200
        return int(status), response


def _iso(millis: int) -> str:
    return datetime.fromtimestamp(millis / 1000, UTC).isoformat().replace("+00:00", "Z")


def _answer(handler: BaseHTTPRequestHandler, status: HTTPStatus, payload: Any,
            headers: dict[str, str] | None = None) -> None:
    body = b"" if payload is None else json.dumps(payload).encode()
    handler.send_response(status)
    if payload is not None:
        handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)
