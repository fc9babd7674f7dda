"""The board API as the board site calls it: a token from the local runner's POST /local/token, the Cognito check
the runner plays for API Gateway, then the Chalice app on DynamoDB Local. An authorization matrix runs rep A,
rep B, a manager and an admin against every route; then the rules behind it, one by one."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
import requests

from local.auth import CLIENT_ID, ISSUER
from local.dynamodb_local import free_port
from local.http_server import LocalStackServer
from local.lambda_dispatch import invoke_function, load_handler
from local.template import REPO_ROOT, Resolver, function_specs, load_template
from tests.integration.conftest import SENDER

REP_A, REP_B, MANAGER, ADMIN = "rep-anna", "rep-bela", "mgr-maria", "admin-ada"
ROLES = (REP_A, REP_B, MANAGER, ADMIN)
BOARD_DIR = REPO_ROOT / "functions" / "board_api"
SALES = "sales"


@dataclass
class Board:
    """The runner's HTTP port with only the board function behind it, and a token per user."""

    url: str

    def token(self, user_id: str) -> requests.Response:
        return requests.post(f"{self.url}/local/token", json={"user_id": user_id}, timeout=10)

    def call(self, method: str, path: str, user: str | None = None, body: Any = None,
             headers: dict[str, str] | None = None, **query: str) -> requests.Response:
        auth = {"Authorization": f"Bearer {self.token(user).json()['token']}"} if user else {}
        return requests.request(method, f"{self.url}{path}", json=body, params=query,
                                headers={**auth, **(headers or {})}, timeout=30)

    def new_deal(self, user: str, title: str = "Fleet renewal", **fields: Any) -> dict:
        response = self.call("POST", "/api/deals", user, {"title": title, **fields})
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
def board(crm) -> Iterator[Board]:
    from crm.data.people import UserItem

    UserItem.build(user_id=ADMIN, name="Ada Admin", email="ada@example.com", role="admin").save()
    template = load_template()
    functions = [spec for spec in function_specs(template, Resolver(template, {"SenderAddress": SENDER}))
                 if spec.logical_id == "BoardApiFunction"]
    ready = threading.Event()
    ready.set()
    server = LocalStackServer(free_port(), functions, invoke_function, ready, state_machines=[])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Board(f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


def _renamed_pipeline(board: Board) -> dict:
    pipeline = board.call("GET", f"/api/pipelines/{SALES}", ADMIN).json()
    pipeline["stages"][1]["name"] = "Qualified"
    return pipeline


# (method, path, body, expected status for rep A, rep B, the manager, the admin); {deal} is rep A's deal
MATRIX: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("GET", "/api/me", None, (200, 200, 200, 200)),
    ("GET", "/api/pipelines", None, (200, 200, 200, 200)),
    ("GET", "/api/pipelines/{pipeline_id}", None, (200, 200, 200, 200)),
    ("PUT", "/api/pipelines/{pipeline_id}", _renamed_pipeline, (403, 403, 403, 200)),
    ("GET", "/api/board/{pipeline_id}", None, (200, 200, 200, 200)),
    ("GET", "/api/board/{pipeline_id}/columns/{stage_id}", None, (200, 200, 200, 200)),
    ("POST", "/api/deals", {"title": "Quick one"}, (201, 201, 201, 201)),
    ("GET", "/api/deals/{deal_id}", None, (200, 404, 200, 200)),
    ("PATCH", "/api/deals/{deal_id}", {"version": 1, "title": "Renamed"}, (200, 404, 200, 200)),
    ("POST", "/api/deals/{deal_id}/move", {"stage_id": "identified", "version": 1}, (200, 404, 200, 200)),
    ("POST", "/api/deals/{deal_id}/owner", {"owner_id": "rep-chris"}, (403, 403, 200, 200)),
]
PUBLIC = {("GET", "/api/openapi.json")}  # no token needed (test_the_openapi_document_is_committed_and_served)


def _fill(path: str, deal_id: str) -> str:
    return path.format(pipeline_id=SALES, stage_id="unsorted", deal_id=deal_id)


def routes_of(*modules: str) -> set[tuple[str, str]]:
    """The app's (method, path) pairs whose views live in these modules ("app" is app.py; a chalicelib module by its
    name): each route module's test has its own matrix."""
    app = load_handler(BOARD_DIR, "app.app")

    def module(entry: Any) -> str:
        name = entry.view_function.__module__
        return "app" if name.endswith("__app") else name.rpartition(".")[2]

    return {(method, path) for path, methods in app.routes.items() for method, entry in methods.items()
            if module(entry) in modules}


def test_the_matrix_covers_every_route():
    assert {(method, path) for method, path, *_ in MATRIX} | PUBLIC == routes_of("app", "board")


FORGED = jwt.encode({"username": REP_A, "cognito:groups": ["reps"], "token_use": "access", "scope": "openid",
                     "client_id": CLIENT_ID, "iss": ISSUER, "iat": 1, "exp": 2_000_000_000},
                    "a key that is not the one of this run", algorithm="HS256")
NO_VALID_TOKEN = ({}, {"Authorization": "Bearer"}, {"Authorization": "Bearer not-a-jwt"},
                  {"Authorization": f"Bearer {FORGED}"})


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, *_ in MATRIX])
def test_authorization_matrix(board, method, path, body, expected):
    # Given a deal of rep A's
    deal = board.new_deal(REP_A, amount="1200", currency="EUR")
    # When the route is called with no token, a malformed one or one this run did not sign
    for headers in NO_VALID_TOKEN:
        response = board.call(method, _fill(path, deal["deal_id"]), headers=headers,
                              body={} if method in ("POST", "PUT") else None)
        # Then the runner answers for API Gateway: 401, and the function is never reached
        assert (response.status_code, response.json()) == (401, {"message": "Unauthorized"}), headers
    # When rep A, rep B, the manager and the admin each call it (on a fresh deal of rep A's)
    answers = {}
    for user in ROLES:
        deal = board.new_deal(REP_A, amount="1200", currency="EUR")
        response = board.call(method, _fill(path, deal["deal_id"]), user, body(board) if callable(body) else body)
        assert response.headers["Content-Type"].startswith("application/json")
        answers[user] = response.status_code
    # Then each gets what their role allows: rep B does not even learn that rep A's deal exists
    assert answers == dict(zip(ROLES, expected, strict=True))


def test_a_rep_sees_only_their_own_deals_a_manager_all_and_by_owner(board):
    # Given two deals of rep A's and one of rep B's
    mine = {board.new_deal(REP_A, "A1", amount="1000", currency="EUR")["deal_id"],
            board.new_deal(REP_A, "A2", amount="200.50", currency="EUR")["deal_id"]}
    theirs = board.new_deal(REP_B, "B1", amount="99", currency="USD")["deal_id"]

    def unsorted(user: str, **query: str) -> dict:
        response = board.call("GET", f"/api/board/{SALES}", user, **query)
        assert response.status_code == 200, response.text
        board_view = response.json()
        assert board_view["pipeline"]["id"] == SALES
        return next(column for column in board_view["columns"] if column["stage_id"] == "unsorted")

    # Then each rep's board holds their own cards and totals only
    column_a = unsorted(REP_A)
    assert {card["deal_id"] for card in column_a["cards"]} == mine
    assert (column_a["count"], column_a["amounts"]) == (2, {"EUR": "1200.50"})
    assert [card["deal_id"] for card in unsorted(REP_B)["cards"]] == [theirs]
    # And the manager sees every card, or one rep's when filtering
    everyone = unsorted(MANAGER)
    assert {card["deal_id"] for card in everyone["cards"]} == {*mine, theirs}
    assert everyone["amounts"] == {"EUR": "1200.50", "USD": "99.00"}
    assert {card["deal_id"] for card in unsorted(MANAGER, owner=REP_A)["cards"]} == mine
    # But a rep may not look at another rep's board
    assert board.call("GET", f"/api/board/{SALES}", REP_A, owner=REP_B).status_code == 403


def test_a_column_is_paged_newest_activity_first(board):
    # Given three deals, created one after another
    created = [board.new_deal(REP_A, f"Deal {number}")["deal_id"] for number in range(3)]
    path = f"/api/board/{SALES}/columns/unsorted"
    # When the first page of two is read, then the rest with its cursor
    first = board.call("GET", path, MANAGER, limit="2").json()
    rest = board.call("GET", path, MANAGER, limit="2", cursor=first["next_cursor"]).json()
    # Then the pages hold every card once, latest first, and the last one says there is no more
    assert [card["deal_id"] for card in first["cards"] + rest["cards"]] == created[::-1]
    assert first["count"] == rest["count"] == 3 and first["next_cursor"] and rest["next_cursor"] is None
    # And a bad page request names the parameter
    for query in ({"limit": "many"}, {"limit": "0"}, {"cursor": "not-a-cursor"}):
        response = board.call("GET", path, MANAGER, **query)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == next(iter(query)), query


def test_a_move_on_a_stale_version_answers_409_with_the_fresh_card(board):
    # Given rep A's deal, moved once by the manager
    deal = board.new_deal(REP_A)
    moved = board.call("POST", f"/api/deals/{deal['deal_id']}/move", MANAGER,
                       {"stage_id": "identified", "version": deal["version"]})
    assert moved.status_code == 200 and moved.json()["version"] == deal["version"] + 1
    # When rep A drops the card they still show at the old version
    response = board.call("POST", f"/api/deals/{deal['deal_id']}/move", REP_A,
                          {"stage_id": "proposal", "version": deal["version"]})
    # Then the API refuses with the card as it is now, and nothing moved
    assert response.status_code == 409
    body = response.json()
    assert body["message"] and (body["deal"]["stage_id"], body["deal"]["version"]) == ("identified", 2)
    # And the move lands on the deal's timeline
    timeline = board.call("GET", f"/api/deals/{deal['deal_id']}", REP_A).json()["timeline"]
    assert [event["type"] for event in timeline] == ["stage_changed", "deal_created"]
    assert (timeline[0]["data"]["from"], timeline[0]["data"]["to"]) == ("unsorted", "identified")


def test_a_lost_deal_needs_one_of_the_pipelines_reasons(board):
    deal = board.new_deal(REP_A)
    path = f"/api/deals/{deal['deal_id']}/move"
    # When the deal is moved to Closed lost without a reason, then with one
    refused = board.call("POST", path, REP_A, {"stage_id": "closed-lost", "version": 1})
    lost = board.call("POST", path, REP_A, {"stage_id": "closed-lost", "version": 1, "lost_reason": "Price"})
    # Then the first is refused naming the field, the second moves it
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "lost_reason"
    assert lost.status_code == 200 and lost.json()["stage_id"] == "closed-lost"


def test_a_manager_reassigns_and_the_deal_changes_hands(board):
    deal = board.new_deal(REP_A)
    # When the manager gives rep A's deal to rep B
    response = board.call("POST", f"/api/deals/{deal['deal_id']}/owner", MANAGER, {"owner_id": REP_B})
    # Then rep B has it and rep A no longer sees it
    assert response.status_code == 200 and response.json()["owner_id"] == REP_B
    assert board.call("GET", f"/api/deals/{deal['deal_id']}", REP_B).status_code == 200
    assert board.call("GET", f"/api/deals/{deal['deal_id']}", REP_A).status_code == 404
    # And no deal goes to someone who is not an active user
    refused = board.call("POST", f"/api/deals/{deal['deal_id']}/owner", MANAGER, {"owner_id": "rep-gone"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "owner_id"


def test_a_manager_creates_a_deal_for_a_rep_a_rep_only_for_themselves(board):
    assert board.new_deal(MANAGER, owner_id=REP_B)["owner_id"] == REP_B
    assert board.new_deal(REP_A)["owner_id"] == REP_A
    assert board.call("POST", "/api/deals", REP_A, {"title": "Not mine", "owner_id": REP_B}).status_code == 403


def test_bad_requests_name_the_field(board):
    missing_title = board.call("POST", "/api/deals", REP_A, {"amount": "10", "currency": "EUR"})
    assert missing_title.status_code == 422
    assert "title" in {error["field"] for error in missing_title.json()["errors"]}
    not_json = board.call("POST", "/api/deals", REP_A, headers={"Content-Type": "application/json"})
    assert not_json.status_code == 400 and not_json.json()["errors"][0]["field"] == "body"
    bad_move = board.call("POST", f"/api/deals/{board.new_deal(REP_A)['deal_id']}/move", REP_A, {"version": 0})
    assert bad_move.status_code == 422
    assert {error["field"] for error in bad_move.json()["errors"]} == {"stage_id", "version"}


def test_unknown_records_are_404(board):
    assert board.call("GET", "/api/deals/01NOSUCHDEAL", MANAGER).status_code == 404
    assert board.call("GET", "/api/pipelines/nope", MANAGER).status_code == 404
    assert board.call("GET", "/api/board/nope", MANAGER).status_code == 404
    assert board.call("GET", f"/api/board/{SALES}/columns/nope", MANAGER).status_code == 404


def test_query_parameters_outside_the_document_are_422_naming_them(board):
    # Given what the contract test (tests/contract) found answered 200: a text longer than the document's maxLength
    # of q, a parameter given twice, a report format that is neither json nor csv
    upload = board.call("POST", "/api/imports", REP_A, {"kind": "leads", "file_name": "fair.csv",
                                                        "csv": "name,email\nIda Import,ida@example.org\n"})
    assert upload.status_code == 201, upload.text
    asked = [("/api/search", {"q": "a" * 101}), (f"/api/board/{SALES}", {"q": "a" * 101}),
             ("/api/search", {"q": ["ab", "cd"]}), ("/api/tasks", {"due": ["today", "overdue"]}),
             (f"/api/imports/{upload.json()['import_id']}/report", {"format": "xml"})]
    for path, query in asked:
        # When a rep asks
        answer = board.call("GET", path, REP_A, **query)
        # Then the answer is a 422 naming the parameter
        assert answer.status_code == 422, (path, query, answer.text)
        assert [error["field"] for error in answer.json()["errors"]] == list(query), answer.text
    # And the longest q the site's text boxes send, or a blank choice (an empty filter field), is still fine
    assert board.call("GET", "/api/search", REP_A, q="a" * 100).status_code == 200
    assert board.call("GET", "/api/tasks", REP_A, due="").status_code == 200


def test_only_an_admin_edits_a_pipeline_and_a_get_can_be_put_back(board):
    # Given the default pipeline as an admin reads it
    pipeline = _renamed_pipeline(board)
    # When the admin puts it back with a stage renamed
    saved = board.call("PUT", f"/api/pipelines/{SALES}", ADMIN, pipeline)
    # Then every reader sees the new name
    assert saved.status_code == 200, saved.text
    assert board.call("GET", f"/api/pipelines/{SALES}", REP_A).json()["stages"][1]["name"] == "Qualified"
    # But removing a stage is refused (deals name it) and a manager may not edit at all
    pipeline["stages"].pop(2)
    removed = board.call("PUT", f"/api/pipelines/{SALES}", ADMIN, pipeline)
    assert removed.status_code == 422 and removed.json()["errors"][0]["field"] == "stages"
    assert board.call("PUT", f"/api/pipelines/{SALES}", MANAGER, _renamed_pipeline(board)).status_code == 403


def test_me_is_the_user_the_token_names(board):
    for user in ROLES:
        me = board.call("GET", "/api/me", user).json()
        assert me["user_id"] == user
    assert board.call("GET", "/api/me", ADMIN).json()["role"] == "admin"


def test_concurrent_requests_each_act_as_their_own_user(board):
    # Given the runner serving requests of all four users at once (the site loads several things in parallel)
    tokens = {user: board.token(user).json()["token"] for user in ROLES}

    def me(user: str) -> str:
        response = requests.get(f"{board.url}/api/me", headers={"Authorization": f"Bearer {tokens[user]}"},
                                timeout=30)
        return response.json()["user_id"]

    callers = [ROLES[number % len(ROLES)] for number in range(40)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answered = list(pool.map(me, callers))
    # Then every request was answered as the user whose token it carried
    assert answered == callers


def test_tokens_only_for_active_users(board):
    assert board.token(REP_A).status_code == 200
    assert board.token("rep-gone").status_code == 403
    assert board.token("nobody").status_code == 403
    assert requests.post(f"{board.url}/local/token", data=b"nope", timeout=10).status_code == 400


def test_the_site_config_is_served(board):
    assert requests.get(f"{board.url}/config.json", timeout=10).json() == {"apiBase": "/api", "auth": "local",
                                                                            "webSocketUrl": "/ws"}


def gateway_event(claims: dict[str, str] | None, resource: str = "/api/me") -> dict:
    """The REST proxy event API Gateway sends after its Cognito authorizer, as local.http_server.proxy_event does."""
    context: dict[str, Any] = {"httpMethod": "GET", "resourcePath": resource, "requestId": "test", "stage": "v1"}
    if claims is not None:
        context["authorizer"] = {"claims": claims}
    return {"resource": resource, "path": resource, "httpMethod": "GET", "headers": {}, "multiValueHeaders": {},
            "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
            "stageVariables": None, "requestContext": context, "body": None, "isBase64Encoded": False}


def person(user_id: str, groups: str, scope: str = "openid email profile") -> dict[str, str]:
    """A person's access-token claims as API Gateway's Cognito authorizer passes them on (every value a string)."""
    return {"username": user_id, "cognito:groups": groups, "token_use": "access", "scope": scope,
            "client_id": "the-site"}


def machine(scope: str) -> dict[str, str]:
    """An integration's client-credentials token claims: a client, its scopes, no user."""
    return {"sub": "client-7", "client_id": "client-7", "token_use": "access", "scope": scope}


@pytest.mark.parametrize(("claims", "status"), [
    (None, 401),
    ({"cognito:username": "rep-anna", "cognito:groups": "reps", "token_use": "id"}, 401),
    ({"token_use": "access", "scope": "openid"}, 401),
    (person("rep-anna", "managers"), 403),
    (person("rep-gone", "reps"), 403),
    (person("nobody", "reps"), 403),
    (person("rep-anna", "reps", scope="aws.cognito.signin.user.admin"), 403),
    (machine("crm/records.read crm/deals.write crm/activities.write crm/leads.write"), 403),
    (person("rep-anna", "reps"), 200),
    (person("mgr-maria", "admins,managers"), 200),
    (person("mgr-maria", "[admins managers]"), 200),
], ids=["no claims", "an ID token", "no user, no client", "group is not the role", "inactive", "unknown",
        "a person without the people scope", "an integration on a people-only route", "rep", "two groups (REST)",
        "two groups (HTTP API)"])
def test_the_app_checks_the_claims_itself(crm, claims, status):
    # Given claims as API Gateway would pass them for GET /api/me (or none, if the authorizer were ever left off)
    response = crm.invoke("board_api", "app.app", gateway_event(claims))
    # Then only an active user whose group is their role gets through, with a person's access token
    assert response["statusCode"] == status, response["body"]


@pytest.mark.parametrize(("scope", "status"), [
    ("crm/records.read", 200), ("crm/records.read crm/deals.write", 200), ("crm/deals.write", 403), ("", 403)])
def test_an_integration_needs_the_routes_own_scope(crm, scope, status):
    # Given an integration's token on GET /api/pipelines, a route integrations may read with crm/records.read
    response = crm.invoke("board_api", "app.app", gateway_event(machine(scope), "/api/pipelines"))
    # Then the app lets it through with that scope only, whatever API Gateway did before
    assert response["statusCode"] == status, response["body"]


def test_the_openapi_document_is_committed_and_served(board):
    app = load_handler(BOARD_DIR, "app.app")
    openapi = load_handler(BOARD_DIR, "openapi.document")
    committed = json.loads((REPO_ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    # Then the committed document is what the routes make (regenerate: python functions/board_api/openapi.py)
    assert committed == openapi(app)
    # And the API serves the same, to a signed-in user and to a client without a token alike
    assert board.call("GET", "/api/openapi.json", REP_A).json() == committed
    anonymous = board.call("GET", "/api/openapi.json")
    assert anonymous.status_code == 200, anonymous.text
    assert anonymous.json() == committed
    assert set(committed["paths"]) == set(app.routes)


def emitted_metrics(output: str) -> Counter:
    """The metric values in the CloudWatch embedded-metric lines printed (powertools' flush), summed per name."""
    counted: Counter = Counter()
    for line in output.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            document = json.loads(line)
            for definition in document["_aws"]["CloudWatchMetrics"]:
                for metric in definition["Metrics"]:
                    values = document[metric["Name"]]
                    counted[metric["Name"]] += sum(values) if isinstance(values, list) else values
    return counted


def test_what_people_do_on_the_board_is_counted_per_request(board, capsys):
    # Given rep A's new deal
    deal = board.new_deal(REP_A)
    assert emitted_metrics(capsys.readouterr().out) == Counter({"DealCreated": 1})
    # When it is moved along, won, and the manager gives it to rep B
    for stage_id, version in (("proposal", 1), ("closed-won", 2)):
        moved = board.call("POST", f"/api/deals/{deal['deal_id']}/move", REP_A,
                           {"stage_id": stage_id, "version": version})
        assert moved.status_code == 200, moved.text
    assert board.call("POST", f"/api/deals/{deal['deal_id']}/owner", MANAGER,
                      {"owner_id": REP_B}).status_code == 200
    # Then each request flushed its own counts as CloudWatch metrics
    assert emitted_metrics(capsys.readouterr().out) == Counter({"DealMoved": 2, "DealWon": 1, "DealReassigned": 1})
    # And a refused move counts nothing
    assert board.call("POST", f"/api/deals/{deal['deal_id']}/move", MANAGER,
                      {"stage_id": "proposal", "version": 1}).status_code == 409
    assert emitted_metrics(capsys.readouterr().out) == Counter()
