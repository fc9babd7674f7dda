"""The board API keeps its contract (docs/openapi.json): schemathesis sends generated requests, valid and invalid,
to every operation of a local stack, as a rep and as an admin, and fails on a 5xx, a status the document does not
name, a body, header or content type other than it says, or invalid input answered 2xx.

Random ids only reach "not found", so each path parameter is, about half of the time, one that names a record of
the stack's demo data (a lead, deal, account, pipeline and stage, user, task...): those cases get past the lookup
into the handlers' real work. Bounded and repeatable: a fixed seed, deterministic generation and EXAMPLES per
operation, so a run takes the same requests every time (about a minute and a half on two busy cores). The committed
document is the one tested; tests/integration/test_board_api.py holds it equal to what the routes make and serve.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from tests.e2e.conftest import RunningStack, start_stack, stop_stack

pytestmark = pytest.mark.e2e

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
ROLES = ("rep-anna", "admin-ada")  # a rep sees only their own records; an admin may do everything
EXAMPLES = 50  # per operation; each is sent once per role
CONFIG = SchemathesisConfig.from_dict({
    "seed": 13,
    # extra query parameters are not generated as invalid input: the document cannot forbid them (OpenAPI has no
    # additionalProperties for a query) and the API ignores them, except the lists, which refuse unknown filters
    "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True, "database": "none",
                   "no-shrink": True, "allow-extra-parameters": False},
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    "checks": {"enabled": False, "not_a_server_error": {"enabled": True},
               "status_code_conformance": {"enabled": True}, "content_type_conformance": {"enabled": True},
               "response_schema_conformance": {"enabled": True},
               "response_headers_conformance": {"enabled": True},
               "negative_data_rejection": {"enabled": True}},
})
schema = schemathesis.openapi.from_dict(json.loads(DOCUMENT.read_text(encoding="utf-8")), config=CONFIG)

KNOWN: dict[str, list[str]] = {}
"""Path parameter name → values naming the demo data's records (filled by the `known` fixture before generation)."""


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> st.SearchStrategy:
    """Each parameter as generated or, where the demo data has such records, one of them."""
    if not path_parameters:
        return st.just(path_parameters)
    return st.fixed_dictionaries({
        name: st.one_of(st.just(value), st.sampled_from(KNOWN[name])) if KNOWN.get(name) else st.just(value)
        for name, value in path_parameters.items()})


@pytest.fixture(scope="module")
def contract_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = start_stack(tmp_path_factory.mktemp("contract"))
    yield running
    stop_stack(running)


@pytest.fixture(scope="module")
def bearers(contract_stack: RunningStack) -> dict[str, str]:
    """An Authorization header value per role (the local stack's tokens last the run)."""
    answers = {user_id: requests.post(f"{contract_stack.url}/local/token", json={"user_id": user_id}, timeout=10)
               for user_id in ROLES}
    return {user_id: f"Bearer {answer.json()['token']}" for user_id, answer in answers.items()}


@pytest.fixture(scope="module")
def known(contract_stack: RunningStack, bearers: dict[str, str]) -> dict[str, list[str]]:
    """The demo data's records by path parameter, as the admin (who sees everyone's) lists them."""

    def call(method: str, path: str, body: Any = None) -> Any:
        answer = requests.request(method, f"{contract_stack.url}{path}", json=body, timeout=30,
                                  headers={"Authorization": bearers["admin-ada"]})
        answer.raise_for_status()
        return answer.json()

    def get(path: str) -> Any:
        return call("GET", path)

    lists = {kind: [item["id"] for item in get(f"/api/lists/{kind}?limit=100")["items"]]
             for kind in ("leads", "contacts", "accounts", "deals")}
    pipelines = get("/api/pipelines")
    users = [user["user_id"] for user in get("/api/users")]
    tasks = dict.fromkeys(task["task_id"] for user_id in users for due in ("today", "overdue", "upcoming")
                          for task in get(f"/api/tasks?due={due}&owner={user_id}")["tasks"])
    KNOWN.update({
        "kind": [*lists, "lead", "contact", "account", "deal"], "members": ["contacts", "deals"],
        "decision": ["approve", "reject"], "lead_id": lists["leads"], "deal_id": lists["deals"],
        "account_id": lists["accounts"], "record_id": [record_id for ids in lists.values() for record_id in ids],
        "pipeline_id": [pipeline["id"] for pipeline in pipelines],
        "stage_id": [stage["id"] for pipeline in pipelines for stage in pipeline["stages"]],
        "user_id": users, "task_id": list(tasks),
        "import_id": [call("POST", "/api/imports", {"kind": "leads", "file_name": "fair.csv",
                                                    "csv": "name,email\nIda Import,ida@example.org\n"})["import_id"]],
        "job_id": [call("POST", "/api/lists/leads/export")["job_id"]],
        "sequence_id": [sequence["id"] for sequence in get("/api/admin/sequences")["sequences"]],
        "template_id": [template["id"] for template in get("/api/email-templates")],
    })
    return KNOWN


@schema.parametrize()
def test_the_api_keeps_its_contract(case: schemathesis.Case, contract_stack: RunningStack, bearers: dict[str, str],
                                    known: dict[str, list[str]]) -> None:
    for bearer in bearers.values():
        case.call_and_validate(base_url=contract_stack.url, headers={"Authorization": bearer}, timeout=30)
