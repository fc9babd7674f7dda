"""Screen-pop connections (crm.data.connections) and pushes (crm.integrations.push), with moto in-process: the CRM
table as the template declares it and API Gateway's management API."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from moto.apigatewaymanagementapi.models import ApiGatewayManagementApiBackend, apigatewaymanagementapi_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.exceptions import JsonRESTError

from crm.data import connections
from crm.integrations import aws, push
from local.provision import create_tables
from local.template import Resolver, load_template

CALLBACK_URL = "https://abc123.execute-api.us-east-1.amazonaws.com/v1"
NOW = 1_800_000_000.0


@pytest.fixture
def moto_crm(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION":
                        "us-east-1", "AWS_REGION": "us-east-1", "TABLE_NAME": "crm"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv(push.CALLBACK_URL_ENV, CALLBACK_URL)
    aws.client.cache_clear()
    push._management_client.cache_clear()
    with mock_aws():
        template = load_template()
        create_tables(template, Resolver(template), boto3.client("dynamodb"))
        yield
    aws.client.cache_clear()
    push._management_client.cache_clear()


def _posted() -> dict[str, bytes]:
    backend = apigatewaymanagementapi_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    return {connection_id: connection.data for connection_id, connection in backend.connections.items()}


def test_a_users_connections_are_one_query_and_a_connections_owner_one_get(moto_crm: None):
    # Given two pages of Anna and one of Béla
    connections.save_connection("a1", "rep-anna", "rep", now=NOW)
    connections.save_connection("a2", "rep-anna", "rep", now=NOW + 1)
    connections.save_connection("b1", "rep-bela", "rep", now=NOW)
    # Then Anna's are hers, and each connection knows its owner and expiry (epoch seconds, two hours on)
    assert sorted(connections.user_connections("rep-anna", now=NOW)) == ["a1", "a2"]
    owner = connections.get_connection("b1", now=NOW)
    assert owner is not None and owner.user_id == "rep-bela" and owner.role == "rep"
    assert owner.expires_at == int(NOW) + connections.CONNECTION_LIFETIME_SECONDS
    item = boto3.client("dynamodb").get_item(TableName="crm", Key={"PK": {"S": "WSCONN#b1"}, "SK": {"S": "WSCONN"}})
    assert item["Item"]["expires_at"] == {"N": str(int(NOW) + 7200)}  # the table's TTL attribute, a number


def test_expired_connections_are_skipped_until_dynamodb_deletes_them(moto_crm: None):
    connections.save_connection("old", "rep-anna", "rep", now=NOW)
    later = NOW + connections.CONNECTION_LIFETIME_SECONDS + 1
    assert connections.user_connections("rep-anna", now=later) == []
    assert connections.get_connection("old", now=later) is None


def test_a_ping_refreshes_the_expiry_and_a_gone_item_is_reported(moto_crm: None):
    connections.save_connection("a1", "rep-anna", "rep", now=NOW)
    assert connections.refresh_connection("a1", now=NOW + 3600)
    item = connections.get_connection("a1", now=NOW + 3600)
    assert item is not None and item.expires_at == int(NOW) + 3600 + 7200
    assert not connections.refresh_connection("never-saved", now=NOW)
    assert connections.get_connection("never-saved", now=NOW) is None  # the failed update wrote nothing


def test_disconnect_deletes_the_item(moto_crm: None):
    connections.save_connection("a1", "rep-anna", "rep")
    connections.delete_connection("a1")
    connections.delete_connection("a1")  # again: no error
    assert connections.get_connection("a1") is None
    assert connections.user_connections("rep-anna") == []


def test_push_posts_the_json_to_every_connection_of_the_user(moto_crm: None):
    connections.save_connection("a1", "rep-anna", "rep")
    connections.save_connection("a2", "rep-anna", "rep")
    connections.save_connection("b1", "rep-bela", "rep")
    message = {"type": "call", "call_id": "c-1", "event": "ringing", "customer": "+4930123456"}

    assert push.push_to_user("rep-anna", message) == 2

    posted = _posted()
    assert set(posted) == {"a1", "a2"}
    assert json.loads(posted["a1"]) == message


def test_push_deletes_a_connection_api_gateway_says_is_gone(moto_crm: None, monkeypatch: pytest.MonkeyPatch):
    connections.save_connection("live", "rep-anna", "rep")
    connections.save_connection("gone", "rep-anna", "rep")
    original = ApiGatewayManagementApiBackend.post_to_connection

    def post(self: ApiGatewayManagementApiBackend, data: bytes, connection_id: str) -> None:
        if connection_id == "gone":
            error = JsonRESTError("GoneException", "")
            error.code = 410
            raise error
        original(self, data, connection_id)

    monkeypatch.setattr(ApiGatewayManagementApiBackend, "post_to_connection", post)

    assert push.push_to_user("rep-anna", {"type": "call"}) == 1

    assert connections.user_connections("rep-anna") == ["live"]
    assert connections.get_connection("gone") is None


def test_push_without_a_websocket_api_calls_nothing(moto_crm: None, monkeypatch: pytest.MonkeyPatch):
    connections.save_connection("a1", "rep-anna", "rep")
    monkeypatch.setenv(push.CALLBACK_URL_ENV, "")
    calls: list[str] = []
    monkeypatch.setattr(push, "user_connections", lambda user_id: calls.append(user_id) or ["a1"])

    assert push.push_to_user("rep-anna", {"type": "call"}) == 0
    assert calls == [] and _posted() == {}


def test_push_to_a_user_without_pages_open_reaches_nobody(moto_crm: None):
    assert push.push_to_user("rep-chris", {"type": "call"}) == 0
