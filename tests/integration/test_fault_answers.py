"""What the APIs answer during faults and to bad input (issue 13, section 2), through the handlers: storage down or
hung is a 503 with Retry-After, in time; a client's mistake (an id no record can have, JSON nested thousands deep,
half a UTF-16 pair, an address with a mail header's syntax) is a 4xx naming the field, never an outage."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from local.lambda_dispatch import load_handler
from local.template import REPO_ROOT
from tests.integration.conftest import api_event
from tests.integration.test_board_api import ADMIN, MANAGER, board  # noqa: F401
from tests.integration.test_lead_intake import count_items, post_json

LAMBDA_TIMEOUT = 10  # template.yaml's Globals Timeout: the board API's and the lead intake's


@contextmanager
def hung_server() -> Iterator[str]:
    """An endpoint that accepts connections and never answers (a paused DynamoDB)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


def closed_endpoint() -> str:
    """An endpoint where nothing listens (DynamoDB killed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


@pytest.fixture
def dynamodb_at(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Points every DynamoDB client made from now on at another endpoint; the real one is back after the test."""
    from crm.integrations.aws import client

    def move(endpoint: str) -> None:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
        monkeypatch.setenv("FUNCTION_TIMEOUT_SECONDS", str(LAMBDA_TIMEOUT))
        _forget_clients()

    def _forget_clients() -> None:
        client.cache_clear()
        # the intake keeps its idempotency layer, and with it the DynamoDB client it was made with
        handler = load_handler(REPO_ROOT / "functions" / "lead_intake", "app.handler")
        sys.modules[handler.__module__]._idempotent_intake.cache_clear()

    yield move
    monkeypatch.undo()
    _forget_clients()


# --- storage down or hung: 503 with Retry-After, within the function's timeout -------------------------------------

def test_post_leads_with_dynamodb_down_answers_503_with_retry_after_and_a_retry_then_succeeds(crm, dynamodb_at,
                                                                                               dynamodb_local):
    # Given DynamoDB is down (powertools' idempotency store fails first, in its own exception)
    dynamodb_at(closed_endpoint())
    headers = {"Idempotency-Key": "outage-1"}
    # When a visitor posts the form
    failed = post_json(crm, {"name": "Ann", "email": "ann@example.com"}, headers=headers)
    # Then they are told to retry, not given a 502
    assert failed["statusCode"] == 503, failed
    assert int(failed["headers"]["Retry-After"]) > 0
    # And when DynamoDB is back, the same submission goes through once
    dynamodb_at(dynamodb_local)
    assert post_json(crm, {"name": "Ann", "email": "ann@example.com"}, headers=headers)["statusCode"] == 201
    assert count_items() > 0


def test_post_leads_with_dynamodb_hung_answers_503_before_the_lambda_times_out(crm, dynamodb_at):
    with hung_server() as endpoint:
        dynamodb_at(endpoint)
        started = time.monotonic()
        response = post_json(crm, {"name": "Ann", "email": "ann@example.com"})
        took = time.monotonic() - started
    assert response["statusCode"] == 503 and response["headers"]["Retry-After"]
    assert took < LAMBDA_TIMEOUT - 1, f"answered after {took:.1f} s"


def test_a_board_request_with_dynamodb_hung_answers_503_before_the_lambda_times_out(board, dynamodb_at):
    token = board.token(MANAGER).json()["token"]
    with hung_server() as endpoint:
        dynamodb_at(endpoint)
        started = time.monotonic()
        response = requests.get(f"{board.url}/api/board/sales", headers={"Authorization": f"Bearer {token}"},
                                timeout=30)
        took = time.monotonic() - started
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert took < LAMBDA_TIMEOUT - 1, f"answered after {took:.1f} s"


# --- a client's mistakes: 4xx naming the field ----------------------------------------------------------------------

LONG_ID = "x" * 3000


def test_an_over_long_id_in_a_board_path_is_a_404_naming_it(board):
    response = board.call("GET", f"/api/deals/{LONG_ID}", MANAGER)
    assert response.status_code == 404, response.text
    assert response.json()["message"].startswith("deal_id:")


def test_an_over_long_owner_in_a_board_query_is_a_404_naming_it(board):
    response = board.call("GET", "/api/board/sales", MANAGER, owner=LONG_ID)
    assert response.status_code == 404, response.text
    assert response.json()["message"].startswith("owner:")


def test_an_over_long_query_value_is_a_422_naming_it(board):
    response = board.call("GET", "/api/lists/leads", MANAGER, cursor=LONG_ID)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_over_long_lead_in_an_unsubscribe_link_is_the_invalid_link_page(crm, method):
    event = api_event("", "application/x-www-form-urlencoded", method=method, path="/unsubscribe")
    event["queryStringParameters"] = {"lead": LONG_ID, "token": "t"}
    response = crm.invoke("lead_intake", "unsubscribe.handler", event)
    assert response["statusCode"] == 404


@pytest.mark.parametrize(("path", "method"), [("/unsubscribe", "POST"), ("/unsubscribe", "GET"),
                                            ("/confirm-consent", "POST")])
def test_a_link_page_with_dynamodb_down_asks_the_person_to_come_back(crm, dynamodb_at, path: str, method: str):
    # Given storage that cannot be reached
    dynamodb_at(closed_endpoint())
    # When a person follows an unsubscribe or consent link (a Greek browser), or their mail client posts one-click
    event = api_event("List-Unsubscribe=One-Click", "application/x-www-form-urlencoded", method=method, path=path,
                      headers={"Accept-Language": "el-GR,el;q=0.9,en;q=0.5"})
    event["queryStringParameters"] = {"lead": "01HXLEAD0000000000000000AB", "token": "3f9a2c"}
    response = crm.invoke("lead_intake", "unsubscribe.handler", event)
    # Then they get a page in their language asking them to come back, and a Retry-After to retry by: not a 502
    assert response["statusCode"] == 503 and response["headers"]["Retry-After"] == "60"
    assert 'lang="el"' in response["body"] and "Παρακαλούμε δοκιμάστε ξανά" in response["body"]


def test_a_non_ascii_unsubscribe_token_is_the_invalid_link_page(crm):
    event = api_event("", "application/x-www-form-urlencoded", method="GET", path="/unsubscribe")
    event["queryStringParameters"] = {"lead": "01HZZZZZZZZZZZZZZZZZZZZZZZ", "token": "é" * 20}
    assert crm.invoke("lead_intake", "unsubscribe.handler", event)["statusCode"] == 404


DEEP = '{"name": ' + "[" * 7000 + "]" * 7000 + "}"


def test_json_nested_thousands_deep_is_a_400_at_the_form(crm):
    response = crm.invoke("lead_intake", "app.handler", api_event(DEEP))
    assert response["statusCode"] == 400
    assert json.loads(response["body"])["errors"][0]["field"] == "body"


def test_json_nested_thousands_deep_is_a_400_at_the_board(board):
    token = board.token(MANAGER).json()["token"]
    response = requests.post(f"{board.url}/api/deals", data=DEEP, timeout=30,
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == "body"


def test_a_lone_surrogate_in_a_form_field_is_a_422_naming_it(crm):
    response = crm.invoke("lead_intake", "app.handler",
                          api_event('{"name": "Ann \\ud800", "email": "ann@example.com"}'))
    assert response["statusCode"] == 422
    assert json.loads(response["body"])["errors"][0]["field"] == "name"
    assert count_items() == 0


def test_a_csv_with_a_lone_surrogate_is_a_422_naming_the_file_and_its_line(board):
    token = board.token(MANAGER).json()["token"]
    body = '{"kind": "leads", "file_name": "fair.csv", "csv": "name,email\\nAnn,ann@example.com\\nB\\udc80,b@x.com"}'
    response = requests.post(f"{board.url}/api/imports", data=body, timeout=30,
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["field"] == "csv" and error["message"].startswith("line 3 ")


HEADER_TRICK = "victim@evil.example>,<x"


def test_an_address_with_a_mail_headers_syntax_is_refused_by_the_form(crm):
    response = post_json(crm, {"name": "Ann", "email": HEADER_TRICK})
    assert response["statusCode"] == 422
    assert [error["field"] for error in json.loads(response["body"])["errors"]] == ["email"]
    assert count_items() == 0


def test_an_address_with_a_mail_headers_syntax_is_refused_for_a_user(board):
    response = board.call("PUT", "/api/users/rep-eve", ADMIN,
                          {"name": "Eve", "email": HEADER_TRICK, "role": "rep"})
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["email"]

