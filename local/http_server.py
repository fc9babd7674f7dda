"""One loopback HTTP port for everything: the static site, the template's API routes, the outbox.

API routes get the API Gateway REST (v1) proxy event that AWS would build from the same request,
so handlers cannot tell the difference. A route with a Cognito authorizer (its Api event's or its DefinitionBody
method's, else the Api's DefaultAuthorizer) needs an Authorization header with an access token holding one of the
route's OAuth scopes, as API Gateway checks it: a person's from POST /local/token {"user_id"} (active users only),
an integration's from POST /local/oauth2/token (the client credentials grant, like Cognito's /oauth2/token). No
valid access token answers 401, one without the route's scopes 403; with one the handler gets its claims in
requestContext.authorizer.claims. Until the stack is ready, only /healthz (503), /config.json and the static site are
served; every other request answers 503 with Retry-After instead of reaching a handler. Built in besides: /healthz;
/config.json, the static site's settings; /outbox (and .json) with
POST /outbox/<message id>/events {"type": "open"|"click", "link"?} making SES's engagement events;
/executions?lead=<id> (and .json), a lead's Step Functions executions with their history;
POST /local/schedules/<FunctionLogicalId>/run {"schedule"?: name, "time"?: ISO} firing a Schedule event of the
template now (or as if at `time`) and answering what the handler returned.
"""

from __future__ import annotations

import base64
import json
import logging
import mimetypes
import re
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from local.auth import (
    TOKEN_LIFETIME,
    InvalidClientError,
    InvalidScopeError,
    InvalidTokenError,
    MissingScopeError,
    NotAllowedError,
    client_token,
    gateway_claims,
    sign_in_choices,
    token_for,
)
from local.executions import (
    ExecutionsUnavailable,
    lead_executions,
    render_executions_page,
    stepfunctions_client,
    template_state_machine_arns,
)
from local.outbox import outbox_messages, record_email_send_requests, render_outbox_page
from local.scheduler import fire_schedule
from local.ses_events import EmailEventError, email_event_targets, post_email_event
from local.telephony import serve_telephony
from local.template import ACCOUNT_ID, REPO_ROOT, FunctionSpec, StateMachineSpec, load_template
from local.websocket import WEBSOCKET_PATH, LocalWebSockets

STATIC_ROOT = REPO_ROOT / "static_site"
STAGE = "v1"
EMAIL_EVENTS_PATH = re.compile(r"^/outbox/(?P<message_id>[^/]+)/events/?$")
SCHEDULE_RUN_PATH = re.compile(r"^/local/schedules/(?P<function>[A-Za-z0-9]+)/run/?$")
TOKEN_PATH = "/local/token"
OAUTH_TOKEN_PATH = "/local/oauth2/token"
SITE_CONFIG = {"apiBase": "/api", "auth": "local", "webSocketUrl": WEBSOCKET_PATH}  # the page resolves ws(s)://
STARTING_RETRY_AFTER_SECONDS = 2
STARTING_MESSAGE = "The local CRM is still starting; try again in a few seconds."
STARTING_PAGE = ("<!doctype html><html lang=en><meta charset=utf-8><title>Starting</title>"
                 f"<p>{STARTING_MESSAGE}</p></html>")
# A small team's burst: 20 clients connecting at once wait in the listen backlog (socketserver's default of 5 reset
# them), at most CONNECTION_WORKERS connections are served at a time (the rest wait for a worker), and a keep-alive
# connection left idle for KEEP_ALIVE_SECONDS is closed, so idle browsers do not hold workers.
LISTEN_BACKLOG = 128
CONNECTION_WORKERS = 32
KEEP_ALIVE_SECONDS = 5.0
WORKER_THREAD_PREFIX = "local-http-worker"

_log = logging.getLogger(__name__)

Invoker = Callable[[FunctionSpec, Any], Any]


@dataclass(frozen=True)
class Route:
    method: str
    resource: str
    pattern: re.Pattern[str]
    function: FunctionSpec
    cognito: bool = False  # API Gateway checks a Cognito access token before invoking
    scopes: tuple[str, ...] = ()  # and that it holds one of these

    @classmethod
    def of(cls, method: str, resource: str, function: FunctionSpec, cognito: bool = False,
           scopes: tuple[str, ...] = ()) -> Route:
        regex = "".join(_piece_regex(piece) for piece in re.split(r"(\{[^}]+\})", resource) if piece)
        return cls(method, resource, re.compile(f"^{regex}/?$"), function, cognito, scopes)


def _piece_regex(piece: str) -> str:
    """{id} matches one path segment, {proxy+} the rest of the path, anything else itself."""
    if not piece.startswith("{"):
        return re.escape(piece)
    name = piece.strip("{}+")
    return f"(?P<{name}>.+)" if piece.endswith("+}") else f"(?P<{name}>[^/]+)"


def routes_of(functions: list[FunctionSpec]) -> list[Route]:
    """Every API route of the template; literal paths before parameterised ones, as API Gateway matches."""
    routes = [Route.of(route.method, route.path, function, route.cognito, route.scopes)
              for function in functions for route in function.api_routes]
    return sorted(routes, key=lambda route: (route.resource.count("{"), -len(route.resource)))


def proxy_event(handler: BaseHTTPRequestHandler, route: Route, path: str, path_parameters: dict[str, str],
                body: bytes, claims: dict[str, str] | None = None) -> dict[str, Any]:
    """`claims`: what a Cognito authorizer verified, passed on in requestContext.authorizer.claims."""
    query = parse_qs(urlsplit(handler.path).query, keep_blank_values=True)
    multi_headers: dict[str, list[str]] = {}
    for name, value in handler.headers.items():
        multi_headers.setdefault(name, []).append(value)
    try:
        text: str | None = body.decode("utf-8") if body else None
        encoded = False
    except UnicodeDecodeError:
        text, encoded = base64.b64encode(body).decode("ascii"), True
    now = time.time()
    authorizer = {"authorizer": {"claims": claims}} if claims is not None else {}
    return {
        "resource": route.resource,
        "path": path,
        "httpMethod": handler.command,
        "headers": {name: values[-1] for name, values in multi_headers.items()},
        "multiValueHeaders": multi_headers,
        "queryStringParameters": {key: values[-1] for key, values in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": "local",
            "domainName": handler.headers.get("Host", "127.0.0.1"),
            "httpMethod": handler.command,
            "identity": {"sourceIp": handler.client_address[0], "userAgent": handler.headers.get("User-Agent")},
            "path": f"/{STAGE}{path}",
            "protocol": handler.request_version,
            "requestId": str(uuid.uuid4()),
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000),
            "resourceId": "local",
            "resourcePath": route.resource,
            "stage": STAGE,
            **authorizer,
        },
        "body": text,
        "isBase64Encoded": encoded,
    }


def without_stage(path: str) -> str:
    """API Gateway serves the API under its stage (`/v1/leads`) and tells a function that path as the public one
    (requestContext.path, which pages post back to); the runner answers both, as a custom domain answers `/leads`."""
    prefix = f"/{STAGE}"
    return (path.removeprefix(prefix) or "/") if path == prefix or path.startswith(f"{prefix}/") else path


class ConnectionWorkers:
    """At most `size` daemon threads serving accepted connections in turn; more connections wait their turn.

    A thread per connection without bound (socketserver's ThreadingMixIn) piles up threads under a burst and makes
    every request slower by sharing one GIL among them all. A new thread is started only when no idle one is waiting
    for the connection. Daemon threads, as the stack stops on Ctrl-C without waiting for idle keep-alive connections.
    """

    def __init__(self, serve: Callable[[socket.socket, Any], None], size: int) -> None:
        self._serve = serve
        self._size = size
        self._changed = threading.Condition()
        self._waiting: deque[tuple[socket.socket, Any]] = deque()
        self._idle = 0
        self._stopping = False
        self.threads: list[threading.Thread] = []

    def submit(self, connection: socket.socket, client_address: Any) -> None:
        with self._changed:
            self._waiting.append((connection, client_address))
            if len(self._waiting) > self._idle and len(self.threads) < self._size:
                thread = threading.Thread(target=self._work, name=f"{WORKER_THREAD_PREFIX}-{len(self.threads) + 1}",
                                          daemon=True)
                self.threads.append(thread)
                thread.start()
            self._changed.notify()

    def stop(self) -> None:
        """Idle workers end; connections still waiting for one are closed unanswered."""
        with self._changed:
            self._stopping = True
            while self._waiting:
                self._waiting.popleft()[0].close()
            self._changed.notify_all()

    def _work(self) -> None:
        while True:
            with self._changed:
                self._idle += 1
                while not self._waiting and not self._stopping:
                    self._changed.wait()
                self._idle -= 1
                if self._stopping:
                    return
                connection, client_address = self._waiting.popleft()
            self._serve(connection, client_address)


class LocalStackServer(HTTPServer):
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, port: int, functions: list[FunctionSpec], invoke: Invoker,
                 ready: threading.Event, static_root: Path = STATIC_ROOT,
                 state_machines: list[StateMachineSpec] | None = None) -> None:
        template = load_template()
        record_email_send_requests()
        self.routes = routes_of(functions)
        self.functions = functions
        self.email_event_targets = email_event_targets(template, functions)
        self.state_machine_arns = ([spec.arn for spec in state_machines] if state_machines is not None
                                   else template_state_machine_arns(template))
        self.invoke = invoke
        self.ready = ready
        self.static_root = static_root.resolve()
        self.workers = ConnectionWorkers(self._serve_connection, CONNECTION_WORKERS)
        self.websockets = LocalWebSockets(template, functions, invoke)  # local/websocket.py
        super().__init__(("127.0.0.1", port), _RequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.workers.submit(request, client_address)

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            if not self.websockets.took(request):  # an upgraded WebSocket lives on in its own reader thread
                self.shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        self.workers.stop()
        self.websockets.close_all()


class _RequestHandler(BaseHTTPRequestHandler):
    server: LocalStackServer
    protocol_version = "HTTP/1.1"
    timeout = KEEP_ALIVE_SECONDS  # also bounds a client that stops sending mid-request

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        _log.info("%s %s", self.address_string(), format % args)

    def _handle(self) -> None:
        url = urlsplit(self.path)
        path = without_stage(url.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self.server.ready.is_set() and not self._serve_while_starting(path):
            self._send_starting()
            return
        if self.server.websockets.serve(self, path, body):
            return
        if serve_telephony(self, path, body):  # local/telephony.py: the provider simulator and its pages
            return
        matches = [(route, match) for route in self.server.routes if (match := route.pattern.match(path))]
        for route, match in matches:
            if route.method in (self.command, "ANY"):
                self._invoke(route, path, match.groupdict(), body)
                return
        if self.command == "POST" and (event_path := EMAIL_EVENTS_PATH.match(path)):
            self._post_email_event(unquote(event_path["message_id"]), body)
            return
        if self.command == "POST" and (schedule_path := SCHEDULE_RUN_PATH.match(path)):
            self._run_schedule(schedule_path["function"], body)
            return
        if self.command == "POST" and path == TOKEN_PATH:
            self._issue_token(body)
            return
        if self.command == "POST" and path == OAUTH_TOKEN_PATH:
            self._issue_client_token(body)
            return
        if self.command in ("GET", "HEAD") and (self._serve_builtin(path, parse_qs(url.query))
                                                or self._serve_static(path)):
            return
        if matches:
            allowed = ", ".join(sorted({route.method for route, _ in matches}))
            self._send_json(HTTPStatus.METHOD_NOT_ALLOWED, {"message": f"{self.command} not allowed on {path}"},
                            {"Allow": allowed})
            return
        self._send_json(HTTPStatus.NOT_FOUND, {"message": f"no route for {self.command} {path}"})

    def _serve_while_starting(self, path: str) -> bool:
        """What needs no started stack: the health check, the site's settings and its static files. Everything else
        (the API, the runner's pages and actions) would reach tables, moto or handlers not there yet."""
        if self.command not in ("GET", "HEAD"):
            return False
        if path in ("/healthz", "/config.json"):
            return self._serve_builtin(path, {})
        return not any(route.pattern.match(path) for route in self.server.routes) and self._serve_static(path)

    def _send_starting(self) -> None:
        """503 with Retry-After, as a page for a browser's form post and as JSON for everyone else."""
        headers = {"Retry-After": str(STARTING_RETRY_AFTER_SECONDS)}
        if "text/html" in (self.headers.get("Accept") or ""):
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, STARTING_PAGE.encode(), "text/html; charset=utf-8", headers)
        else:
            self._send_json(HTTPStatus.SERVICE_UNAVAILABLE, {"message": STARTING_MESSAGE}, headers)

    def _invoke(self, route: Route, path: str, path_parameters: dict[str, str], body: bytes) -> None:
        claims = None
        if route.cognito:
            try:
                claims = gateway_claims(self.headers.get("Authorization"), route.scopes)
            except InvalidTokenError:
                self._send_json(HTTPStatus.UNAUTHORIZED, {"message": "Unauthorized"})
                return
            except MissingScopeError:
                self._send_json(HTTPStatus.FORBIDDEN, {"message": "Forbidden"})
                return
        event = proxy_event(self, route, path, path_parameters, body, claims)
        try:
            response = self.server.invoke(route.function, event)
        except Exception:
            _log.exception("%s failed on %s %s", route.function.logical_id, self.command, path)
            self._send_json(HTTPStatus.BAD_GATEWAY, {"message": "Internal server error"})
            return
        self._send_proxy_response(response)

    def _serve_builtin(self, path: str, query: dict[str, list[str]]) -> bool:
        if path == "/healthz":
            ready = self.server.ready.is_set()
            self._send_json(HTTPStatus.OK if ready else HTTPStatus.SERVICE_UNAVAILABLE,
                            {"status": "ok" if ready else "starting"})
        elif path == "/config.json":
            self._send_json(HTTPStatus.OK, SITE_CONFIG)
        elif path == "/local/users":
            self._send_json(HTTPStatus.OK, sign_in_choices())
        elif path == "/outbox.json":
            self._send_json(HTTPStatus.OK, outbox_messages())
        elif path in ("/outbox", "/outbox/"):
            self._send_html(render_outbox_page(outbox_messages()))
        elif path in ("/executions", "/executions/", "/executions.json"):
            self._serve_executions(query.get("lead", [""])[-1].strip(), as_json=path.endswith(".json"))
        else:
            return False
        return True

    def _issue_token(self, body: bytes) -> None:
        """Signing in locally: an access token like Cognito's for an active user of the CRM, no password asked."""
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = None
        user_id = request.get("user_id") if isinstance(request, dict) else None
        if not isinstance(user_id, str) or not user_id.strip():
            self._send_json(HTTPStatus.BAD_REQUEST, {"message": 'body must be {"user_id": "<CRM user id>"}'})
            return
        try:
            token = token_for(user_id.strip())
        except NotAllowedError as error:
            self._send_json(HTTPStatus.FORBIDDEN, {"message": str(error)})
            return
        except (BotoCoreError, ClientError, PynamoDBException):
            _log.exception("reading user %s failed", user_id)
            self._send_json(HTTPStatus.SERVICE_UNAVAILABLE, {"message": "the users cannot be read right now"})
            return
        self._send_json(HTTPStatus.OK, {"token": token})

    def _issue_client_token(self, body: bytes) -> None:
        """The user pool domain's /oauth2/token for the client credentials grant: the client authenticates with HTTP
        Basic (or client_id and client_secret in the form) and may name the scopes it wants (default: all its own);
        the answer and the errors are OAuth 2.0's."""
        form = {name: values[-1] for name, values in parse_qs(body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            self._send_json(HTTPStatus.BAD_REQUEST, {"error": "unsupported_grant_type"})
            return
        client_id, secret = _client_credentials(self.headers.get("Authorization"), form)
        try:
            token = client_token(client_id, secret, form.get("scope"))
        except InvalidClientError:
            self._send_json(HTTPStatus.UNAUTHORIZED, {"error": "invalid_client"}, {"WWW-Authenticate": "Basic"})
            return
        except InvalidScopeError:
            self._send_json(HTTPStatus.BAD_REQUEST, {"error": "invalid_scope"})
            return
        self._send_json(HTTPStatus.OK, {"access_token": token, "token_type": "Bearer",
                                            "expires_in": int(TOKEN_LIFETIME.total_seconds())})

    def _run_schedule(self, function_logical_id: str, body: bytes) -> None:
        """A scheduled function on demand (e.g. the daily deal robots), as if EventBridge fired it now or at the
        `time` given, so a test or a developer need not wait for the schedule."""
        try:
            request = json.loads(body or b"{}")
            at = datetime.fromisoformat(str(request.get("time")).replace("Z", "+00:00")) if request.get("time") \
                else datetime.now(UTC)
        except (ValueError, AttributeError):
            self._send_json(HTTPStatus.BAD_REQUEST, {"message": 'body must be {"schedule"?: name, "time"?: ISO}'})
            return
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        try:
            result = fire_schedule(self.server.functions, self.server.invoke, function_logical_id,
                                   request.get("schedule"), at)
        except KeyError as error:
            self._send_json(HTTPStatus.NOT_FOUND, {"message": str(error.args[0])})
            return
        except Exception:
            _log.exception("schedule of %s failed", function_logical_id)
            self._send_json(HTTPStatus.BAD_GATEWAY, {"message": f"{function_logical_id} failed; see the log"})
            return
        self._send_json(HTTPStatus.OK, {"function": function_logical_id, "time": at.isoformat(), "result": result})

    def _post_email_event(self, message_id: str, body: bytes) -> None:
        """What SES and SNS would do when the recipient opens the email or clicks one of its links."""
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            request = None
        if not isinstance(request, dict):
            self._send_json(HTTPStatus.BAD_REQUEST, {"message": 'body must be {"type": "open"|"click", "link"?}'})
            return
        try:
            posted = post_email_event(message_id, request.get("type"), request.get("link"),
                                      self.server.email_event_targets, self.server.invoke,
                                      ip_address=self.client_address[0],
                                      user_agent=self.headers.get("User-Agent") or "unknown")
        except EmailEventError as error:
            self._send_json(error.status, {"message": str(error)})
            return
        self._send_json(HTTPStatus.ACCEPTED, posted)

    def _serve_executions(self, lead_id: str, as_json: bool) -> None:
        if not lead_id:
            self._send_json(HTTPStatus.BAD_REQUEST, {"message": "the lead query parameter is required"})
            return
        try:
            executions = lead_executions(lead_id, self.server.state_machine_arns, stepfunctions_client())
        except ExecutionsUnavailable as error:
            self._send_json(HTTPStatus.SERVICE_UNAVAILABLE, {"message": str(error)})
            return
        except (BotoCoreError, ClientError) as error:
            _log.exception("reading the executions of lead %s failed", lead_id)
            self._send_json(HTTPStatus.BAD_GATEWAY, {"message": f"Step Functions (moto) failed: {error}"})
            return
        if as_json:
            self._send_json(HTTPStatus.OK, {"lead_id": lead_id, "executions": executions})
        else:
            self._send_html(render_executions_page(lead_id, executions))

    def _serve_static(self, path: str) -> bool:
        root = self.server.static_root
        target = (root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_relative_to(root) or not target.is_file():
            return False
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        self._send(HTTPStatus.OK, target.read_bytes(), content_type)
        return True

    def _send_proxy_response(self, response: Any) -> None:
        if not isinstance(response, dict) or "statusCode" not in response:
            _log.error("handler returned no API Gateway proxy response: %r", response)
            self._send_json(HTTPStatus.BAD_GATEWAY, {"message": "Internal server error"})
            return
        raw = response.get("body") or ""
        body = base64.b64decode(raw) if response.get("isBase64Encoded") else str(raw).encode("utf-8")
        self.send_response(int(response["statusCode"]))
        headers = {name.lower(): [str(value)] for name, value in (response.get("headers") or {}).items()}
        for name, values in (response.get("multiValueHeaders") or {}).items():
            headers.setdefault(name.lower(), []).extend(str(value) for value in values)
        headers.pop("content-length", None)
        for name, values in headers.items():
            for value in dict.fromkeys(values):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_html(self, page: str) -> None:
        self._send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8")

    def _send_json(self, status: HTTPStatus, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload, default=str).encode(), "application/json", headers)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def _client_credentials(authorization: str | None, form: dict[str, str]) -> tuple[str, str]:
    """The client id and secret of a token request: HTTP Basic, else the form's client_id and client_secret."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, secret = base64.b64decode(encoded.strip()).decode("utf-8").partition(":")
        except ValueError:
            return "", ""
        return unquote(client_id), unquote(secret)
    return form.get("client_id", ""), form.get("client_secret", "")


def start_http_server(port: int, functions: list[FunctionSpec], invoke: Invoker, ready: threading.Event,
                      state_machines: list[StateMachineSpec] | None = None) -> LocalStackServer:
    """Serves in a daemon thread; /healthz and every request needing the stack answer 503 until `ready` is set.

    `state_machines` are the runner's (resolved with its parameters); without them the template's are
    named with its parameter defaults.
    """
    server = LocalStackServer(port, functions, invoke, ready, state_machines=state_machines)
    threading.Thread(target=server.serve_forever, name="local-http", daemon=True).start()
    return server
