"""The screen-pop WebSocket API as the local stack plays it (local/websocket.py): the real runner in a subprocess,
a raw RFC 6455 client, and crm.integrations.push.push_to_user in this process against the stack's DynamoDB Local
and its management API, as the telephony webhook's push will run."""

from __future__ import annotations

import json
import re
import struct
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
import requests

from crm.data import connections
from crm.integrations import aws, push
from tests.e2e.conftest import RunningStack, start_stack, stop_stack
from tests.integration.websocket_client import OP_PONG, OP_TEXT, HandshakeRefused, WebSocketClient, connect

DYNAMODB_ENDPOINT = re.compile(r"DynamoDB Local on (http://127\.0\.0\.1:\d+)")
INTEGRATION_CLIENT = re.compile(r"integration client \(secret new each run\): (\S+) / (\S+)")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = start_stack(tmp_path_factory.mktemp("screen-pop"))
    yield running
    stop_stack(running)


@pytest.fixture
def pushing(stack: RunningStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process pushes as a function of the stack would: its DynamoDB Local, its port as the callback URL."""
    endpoint = DYNAMODB_ENDPOINT.search(stack.log_path.read_text())
    assert endpoint, stack.log()
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint[1])
    settings = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_REGION": "us-east-1",
                "AWS_DEFAULT_REGION": "us-east-1", "TABLE_NAME": "crm", push.CALLBACK_URL_ENV: stack.url}
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    aws.client.cache_clear()
    push._management_client.cache_clear()
    yield
    aws.client.cache_clear()
    push._management_client.cache_clear()


def _token(stack: RunningStack, user_id: str) -> str:
    response = requests.post(f"{stack.url}/local/token", json={"user_id": user_id}, timeout=10)
    response.raise_for_status()
    return response.json()["token"]


def _open(stack: RunningStack, user_id: str) -> WebSocketClient:
    return connect(f"{stack.url.replace('http://', 'ws://')}/ws", f"token={_token(stack, user_id)}")


def _eventually(check: object, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.05)


def test_the_site_config_names_the_websocket(stack: RunningStack):
    assert requests.get(f"{stack.url}/config.json", timeout=10).json()["webSocketUrl"] == "/ws"


def test_an_upgrade_without_a_token_is_401_and_with_a_bad_one_403(stack: RunningStack):
    url = f"{stack.url.replace('http://', 'ws://')}/ws"
    with pytest.raises(HandshakeRefused) as missing:
        connect(url)
    assert missing.value.status == 401
    with pytest.raises(HandshakeRefused) as forged:
        connect(url, "token=eyJhbGciOiJIUzI1NiJ9.eyJ1c2VybmFtZSI6InJlcC1hbm5hIn0.c2lnbmF0dXJl")
    assert forged.value.status == 403
    _eventually(lambda: INTEGRATION_CLIENT.search(stack.log_path.read_text()), timeout=10)  # the banner, printed last
    client_id, secret = INTEGRATION_CLIENT.search(stack.log_path.read_text()).groups()  # type: ignore[union-attr]
    machine = requests.post(f"{stack.url}/local/oauth2/token", auth=(client_id, secret), timeout=10,
                            data={"grant_type": "client_credentials"}).json()["access_token"]
    with pytest.raises(HandshakeRefused) as integration:  # valid, but no person to pop a screen for
        connect(url, f"token={machine}")
    assert integration.value.status == 403


def test_a_push_reaches_the_reps_open_page_within_a_second(stack: RunningStack, pushing: None):
    page = _open(stack, "rep-anna")
    other = _open(stack, "rep-bela")
    try:
        _eventually(lambda: len(connections.user_connections("rep-anna")) == 1)
        message = {"type": "call", "call_id": "c-1", "event": "ringing", "customer": "+4930123456"}
        started = time.monotonic()
        assert push.push_to_user("rep-anna", message) == 1
        opcode, payload = page.receive(timeout=1.0)
        assert time.monotonic() - started < 1.0
        assert opcode == OP_TEXT and json.loads(payload) == message
        other.send_text('{"type": "ping"}')  # Béla got nothing: his next frame is his own pong
        assert json.loads(other.receive()[1]) == {"type": "pong"}
    finally:
        page.close()
        other.close()


def test_pings_are_answered_and_keep_the_connection(stack: RunningStack, pushing: None):
    page = _open(stack, "rep-chris")
    try:
        page.send(0x9, b"are you there")
        assert page.receive() == (OP_PONG, b"are you there")  # a protocol ping, answered by the server
        page.send_text('{"type": "ping"}')
        assert json.loads(page.receive()[1]) == {"type": "pong"}  # the $default route's answer (two-way)
        [connection_id] = connections.user_connections("rep-chris")
        item = connections.get_connection(connection_id)
        assert item is not None and item.expires_at > time.time() + connections.CONNECTION_LIFETIME_SECONDS - 60
    finally:
        page.close()


def test_closing_the_page_runs_disconnect_and_deletes_the_connection(stack: RunningStack, pushing: None):
    page = _open(stack, "manager-maria")
    _eventually(lambda: len(connections.user_connections("manager-maria")) == 1)
    code, reason = page.close()
    assert code == 0x8 and struct.unpack("!H", reason[:2])[0] == 1000  # the close frame answered
    _eventually(lambda: connections.user_connections("manager-maria") == [])
    assert push.push_to_user("manager-maria", {"type": "call"}) == 0


def test_a_socket_that_just_dies_is_disconnected_too(stack: RunningStack, pushing: None):
    page = _open(stack, "admin-ada")
    _eventually(lambda: len(connections.user_connections("admin-ada")) == 1)
    page.sock.close()  # no close frame: the browser crashed or the network went away
    _eventually(lambda: connections.user_connections("admin-ada") == [])


def test_the_management_api_answers_boto3(stack: RunningStack, pushing: None):
    page = _open(stack, "rep-bela")
    try:
        _eventually(lambda: len(connections.user_connections("rep-bela")) == 1)
        [connection_id] = connections.user_connections("rep-bela")
        management = boto3.client("apigatewaymanagementapi", endpoint_url=stack.url, region_name="us-east-1")
        described = management.get_connection(ConnectionId=connection_id)
        assert described["Identity"]["UserAgent"] == "crm-tests"
        management.post_to_connection(ConnectionId=connection_id, Data=b'{"type": "hello"}')
        assert json.loads(page.receive()[1]) == {"type": "hello"}
        management.delete_connection(ConnectionId=connection_id)
        assert page.receive()[0] == 0x8  # the server closed it
        _eventually(lambda: connections.user_connections("rep-bela") == [])
        with pytest.raises(management.exceptions.GoneException):
            management.post_to_connection(ConnectionId=connection_id, Data=b"{}")
    finally:
        page.sock.close()


def test_fifty_open_sockets_do_not_hold_the_http_workers(stack: RunningStack, pushing: None):
    token = _token(stack, "rep-anna")
    url = f"{stack.url.replace('http://', 'ws://')}/ws"
    with ThreadPoolExecutor(max_workers=50) as pool:
        pages = list(pool.map(lambda _: connect(url, f"token={token}", timeout=20), range(50)))
    try:
        # the pool has 32 workers: with 50 pages open, plain requests are still served at once
        started = time.monotonic()
        for _ in range(5):
            assert requests.get(f"{stack.url}/healthz", timeout=5).status_code == 200
        assert time.monotonic() - started < 2.0
        _eventually(lambda: len(connections.user_connections("rep-anna")) == 50, timeout=10)
        assert push.push_to_user("rep-anna", {"type": "call", "call_id": "many"}) == 50
        for page in pages:
            assert json.loads(page.receive(timeout=5)[1]) == {"type": "call", "call_id": "many"}
    finally:
        for page in pages:
            page.close()
    _eventually(lambda: connections.user_connections("rep-anna") == [], timeout=10)

