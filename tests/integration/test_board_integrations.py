"""Integrations on the board API, the way a machine calls it: a token from the runner's OAuth token endpoint (the
client credentials grant, as Cognito's /oauth2/token gives it for IntegrationClient), the scope check the runner
plays for API Gateway, then the Chalice app, which checks the scope again and acts as the integration."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from local.auth import machine_clients
from tests.integration.conftest import api_event, lead_id_of
from tests.integration.test_board_api import MANAGER, REP_A, REP_B, SALES, Board, board  # noqa: F401  (fixture)

CLIENT = "crm-integration"
ALL_SCOPES = "crm/records.read crm/deals.write crm/activities.write crm/leads.write"


def client_token(board: Board, scope: str | None = None, secret: str | None = None) -> requests.Response:
    client = machine_clients()[CLIENT]
    form = {"grant_type": "client_credentials", **({"scope": scope} if scope is not None else {})}
    return requests.post(f"{board.url}/local/oauth2/token", data=form, timeout=10,
                         auth=(client.client_id, client.secret if secret is None else secret))


def as_integration(board: Board, method: str, path: str, scope: str | None = None, body: Any = None,
                   **query: str) -> requests.Response:
    token = client_token(board, scope).json()["access_token"]
    return board.call(method, path, body=body, headers={"Authorization": f"Bearer {token}"}, **query)


def test_the_token_endpoint_plays_cognitos_client_credentials_grant(board):
    # When the integration asks with its id and secret and names no scope
    answer = client_token(board)
    # Then it gets a bearer access token for an hour, with every scope its client is allowed
    assert answer.status_code == 200, answer.text
    assert {key: answer.json()[key] for key in ("token_type", "expires_in")} == {"token_type": "Bearer",
                                                                                 "expires_in": 3600}
    assert machine_clients()[CLIENT].scopes == tuple(ALL_SCOPES.split())
    # And the id and secret may also come in the form; a narrower scope is granted as asked
    client = machine_clients()[CLIENT]
    in_form = requests.post(f"{board.url}/local/oauth2/token", timeout=10, data={
        "grant_type": "client_credentials", "client_id": client.client_id, "client_secret": client.secret,
        "scope": "crm/records.read"})
    assert in_form.status_code == 200, in_form.text
    # But a wrong secret, another grant or a scope the client may not have is refused as OAuth says
    assert (client_token(board, secret="guess").status_code, client_token(board, secret="guess").json()) == (
        401, {"error": "invalid_client"})
    assert client_token(board, scope="openid").json() == {"error": "invalid_scope"}
    assert requests.post(f"{board.url}/local/oauth2/token", data={"grant_type": "password"},
                         timeout=10).json() == {"error": "unsupported_grant_type"}


@pytest.mark.parametrize(("method", "path", "scope", "status"), [
    ("GET", "/api/pipelines", "crm/records.read", 200),
    ("GET", "/api/pipelines", "crm/deals.write", 403),
    ("GET", f"/api/board/{SALES}", "crm/records.read", 200),
    ("GET", "/api/me", ALL_SCOPES, 403),
    ("GET", "/api/home", ALL_SCOPES, 403),
    ("GET", "/api/users", ALL_SCOPES, 403),
    ("GET", "/api/admin/profile", ALL_SCOPES, 403),
    ("GET", "/api/admin/deletion-requests", ALL_SCOPES, 403),
    ("POST", "/api/mass-email/preview", ALL_SCOPES, 403),
    ("POST", "/api/imports", ALL_SCOPES, 403),
    ("POST", "/api/deals", "crm/records.read", 403),
])
def test_the_runner_lets_an_integration_through_only_with_the_routes_scope(board, method, path, scope, status):
    # When the integration calls with a token of these scopes
    response = as_integration(board, method, path, scope, body={} if method == "POST" else None)
    # Then the runner refuses, as API Gateway would, a token without one of the route's scopes (people-only routes
    # accept none of an integration's), before the function runs
    assert response.status_code == status, response.text
    if status == 403:
        assert response.json() == {"message": "Forbidden"}


def test_an_integration_sees_every_reps_deals_like_a_manager(board):
    # Given deals of two reps
    board.new_deal(REP_A, "Anna's fleet")
    board.new_deal(REP_B, "Béla's fleet")
    # When the integration reads the board
    response = as_integration(board, "GET", f"/api/board/{SALES}", "crm/records.read")
    # Then it sees both, as a manager does
    assert response.status_code == 200, response.text
    titles = {card["title"] for column in response.json()["columns"] for card in column["cards"]}
    assert {"Anna's fleet", "Béla's fleet"} <= titles
    manager = board.call("GET", f"/api/board/{SALES}", MANAGER).json()
    assert titles == {card["title"] for column in manager["columns"] for card in column["cards"]}


def test_what_an_integration_writes_is_by_the_integration(board):
    # When the integration creates a deal for a rep and logs a note on it
    created = as_integration(board, "POST", "/api/deals", "crm/deals.write",
                             body={"title": "From the webshop", "owner_id": REP_A})
    assert created.status_code == 201, created.text
    deal_id = created.json()["deal_id"]
    note = as_integration(board, "POST", f"/api/records/deal/{deal_id}/notes", "crm/activities.write",
                          body={"text": "Ordered 12 licences online"})
    assert note.status_code == 201, note.text
    # Then the deal is the rep's, and the timeline names the integration as the author of both
    assert created.json()["owner_id"] == REP_A
    timeline = board.call("GET", f"/api/records/deal/{deal_id}/timeline", REP_A).json()
    by = {event["type"]: event["data"].get("by") for event in timeline["events"]}
    assert by["note"] == by["deal_created"] == f"integration:{CLIENT}"


def test_an_integration_names_the_owner_of_a_deal_and_may_not_reassign(board):
    # When the integration creates a deal without an owner
    response = as_integration(board, "POST", "/api/deals", ALL_SCOPES, body={"title": "Nobody's"})
    # Then it is refused: an integration owns nothing
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["owner_id"]
    # And reassigning a deal stays with managers (a people-only route)
    deal = board.new_deal(REP_A)
    moved = as_integration(board, "POST", f"/api/deals/{deal['deal_id']}/owner", ALL_SCOPES,
                           body={"owner_id": REP_B})
    assert moved.status_code == 403, moved.text


def test_a_rep_token_on_a_managers_route_is_refused_by_the_app(board):
    # Given a rep's access token, which holds the people scope every route accepts
    deal = board.new_deal(REP_A)
    # When the rep reassigns her own deal, a manager's move
    response = board.call("POST", f"/api/deals/{deal['deal_id']}/owner", REP_A, {"owner_id": REP_B})
    # Then API Gateway's scope check lets her through and the app refuses by her role
    assert response.status_code == 403, response.text
    assert response.json()["message"] != "Forbidden"


def test_the_runner_takes_only_live_access_tokens_as_api_gateway_does(board):
    import jwt

    from local import auth

    claims = {"username": REP_A, "cognito:groups": ["reps"], "client_id": auth.CLIENT_ID, "scope": "openid",
              "iss": auth.ISSUER, "iat": 1, "exp": 2_000_000_000}
    id_token = jwt.encode({**claims, "token_use": "id"}, auth._SIGNING_KEY, algorithm="HS256")
    expired = auth.issue_token(REP_A, "rep", now=datetime(2020, 1, 1, tzinfo=UTC))
    for token in (id_token, expired):
        # When a token this run signed comes as an ID token, or after its hour
        response = board.call("GET", "/api/pipelines", headers={"Authorization": f"Bearer {token}"})
        # Then the runner answers for API Gateway: 401, the function never reached
        assert (response.status_code, response.json()) == (401, {"message": "Unauthorized"})
    # While the same rep's live access token gets through
    assert board.call("GET", "/api/pipelines", REP_A).status_code == 200


def test_a_telephony_integration_logs_a_call_on_any_reps_lead(crm, board):
    # Given a lead the form gave to a rep
    jonas = {"name": "Jonas Weber", "email": "jonas@example.de", "phone": "+49 30 901820", "company": "Weber GmbH"}
    crm.invoke("lead_intake", "app.handler", api_event(json.dumps(jonas)))
    lead_id = lead_id_of(jonas)
    call = {"type": "call", "direction": "outbound", "outcome": "answered"}
    # When the phone system logs the call without the activities scope, then with it
    refused = as_integration(board, "POST", f"/api/leads/{lead_id}/activities", "crm/records.read", body=call)
    logged = as_integration(board, "POST", f"/api/leads/{lead_id}/activities", "crm/activities.write", body=call)
    # Then only the scoped token logs it: the first contact counts, and the timeline says the integration called
    assert refused.status_code == 403, refused.text
    assert logged.status_code == 201, logged.text
    assert logged.json()["first_contact"] is True
    owner = board.call("GET", f"/api/records/lead/{lead_id}", MANAGER).json()["owner_id"]
    timeline = board.call("GET", f"/api/records/lead/{lead_id}/timeline", owner).json()
    [activity] = [event for event in timeline["events"] if event["type"] == "activity"]
    assert activity["data"]["by"] == f"integration:{CLIENT}"
