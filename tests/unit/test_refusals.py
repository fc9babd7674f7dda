"""The CRM's refusals (crm/errors.py) carry no HTTP status; each ingress maps them to its answers in one place:
the board API (chalicelib/routing.py), the public lead intake (lead_intake/app.py) and unsubscribe."""

from __future__ import annotations

import json
import re

import pytest
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyPersistenceLayerError
from botocore.exceptions import ClientError

from crm.errors import (
    ConflictError,
    CrmError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    TooLargeError,
    UnavailableError,
)
from crm.http import BadRequestError
from crm.reasons import Reason
from local.lambda_dispatch import LocalLambdaContext, load_handler
from local.template import REPO_ROOT

BOARD_DIR = REPO_ROOT / "functions" / "board_api"
INTAKE_DIR = REPO_ROOT / "functions" / "lead_intake"
STORAGE_DOWN = ClientError({"Error": {"Code": "InternalServerError", "Message": "boom"}}, "PutItem")
# powertools wraps the idempotency store's DynamoDB error in its own (the intake's first call during an outage)
IDEMPOTENCY_STORE_DOWN = IdempotencyPersistenceLayerError("Failed to save in progress record to idempotency store",
                                                          STORAGE_DOWN)


@pytest.fixture(autouse=True)
def nothing_counted_afterwards():
    """The intake counts failures in the process's metrics: no later test may flush them as its own."""
    yield
    from crm.observability import metrics

    metrics.clear_metrics()


def board_answer(error: Exception) -> tuple[int, dict, dict]:
    response = load_handler(BOARD_DIR, "chalicelib.routing._error_response")(error)
    return response.status_code, json.loads(response.body), response.headers


@pytest.mark.parametrize(("error", "status", "body"), [
    (NotFoundError("no lead 'x'"), 404, {"message": "no lead 'x'"}),
    (ForbiddenError("rep-anna is a rep; this needs one of manager, admin"), 403,
     {"message": "rep-anna is a rep; this needs one of manager, admin"}),
    (ConflictError(Reason("last_admin"), {"user": {"user_id": "ada"}}), 409,
     {"message": "The CRM needs at least one active admin: make someone else an admin first.",
      "code": "last_admin", "params": {}, "user": {"user_id": "ada"}}),
    (InvalidError("limit", Reason("page_limit", maximum=100)), 422,
     {"message": "The request has invalid fields.", "errors": [
         {"field": "limit", "message": "must be between 1 and 100", "code": "page_limit",
          "params": {"maximum": 100}}]}),
    (TooLargeError("csv", Reason("file_too_many_rows", rows=5000)), 413,
     {"message": "The request has invalid fields.", "errors": [
         {"field": "csv", "message": "the file has more than 5000 rows; split it into parts",
          "code": "file_too_many_rows", "params": {"rows": 5000}}]}),
    (BadRequestError(400, "body", "must be a JSON object"), 400,
     {"message": "The request has invalid fields.", "errors": [{"field": "body", "message": "must be a JSON object"}]}),
], ids=["not found", "forbidden", "conflict", "invalid", "too large", "unreadable body"])
def test_the_board_answers_each_refusal_with_its_status_and_body(error, status, body):
    assert board_answer(error)[:2] == (status, body)


@pytest.mark.parametrize("error", [UnavailableError("nobody to assign the lead to"), STORAGE_DOWN,
                                   IDEMPOTENCY_STORE_DOWN],
                         ids=["unavailable", "storage down", "idempotency store down"])
def test_the_board_answers_an_outage_with_503_and_a_retry(error):
    status, body, headers = board_answer(error)
    assert (status, headers["Retry-After"]) == (503, "5") and "nothing was changed" in body["message"]


def test_a_subclass_answers_as_its_kind():
    """Services refine the kinds (LeadNotFoundError, PipelineRuleError ...): each answers as its kind."""
    from crm.data.leads import LeadNotFoundError
    from crm.domain.pipelines import PipelineRuleError

    assert board_answer(LeadNotFoundError("lead x not found"))[0] == 404
    assert board_answer(PipelineRuleError("stage_id", Reason("stage_off_board", stage_id="x")))[:2] == (422, {
        "message": "The request has invalid fields.", "errors": [{
            "field": "stage_id", "message": "'x' is not a stage on this pipeline's board", "code": "stage_off_board",
            "params": {"stage_id": "x"}}]})


def test_the_board_lets_anything_else_propagate():
    with pytest.raises(KeyError):
        load_handler(BOARD_DIR, "chalicelib.routing._error_response")(KeyError("a bug"))


def intake_answer(error: Exception) -> dict:
    return load_handler(INTAKE_DIR, "app._refused")(error, {"Access-Control-Allow-Origin": "https://www.example.com"})


@pytest.mark.parametrize("error", [UnavailableError("kept losing a race"), STORAGE_DOWN, IDEMPOTENCY_STORE_DOWN],
                         ids=["unavailable", "storage down", "idempotency store down"])
def test_the_intake_answers_an_outage_with_503_and_nothing_stored(error):
    from crm.domain.assignment import NoActiveRepError

    for raised in (error, NoActiveRepError("there is no active rep to assign the lead to")):
        answer = intake_answer(raised)
        assert (answer["statusCode"], answer["headers"]["Retry-After"]) == (503, "5")
        assert "nothing was saved" in json.loads(answer["body"])["message"]
        assert answer["headers"]["Access-Control-Allow-Origin"] == "https://www.example.com"


def test_the_intake_refuses_an_unreadable_body_and_a_submission_in_progress():
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    unreadable = intake_answer(BadRequestError(415, "content-type", "must be application/json"))
    assert unreadable["statusCode"] == 415 and json.loads(unreadable["body"])["errors"][0]["field"] == "content-type"
    busy = intake_answer(IdempotencyAlreadyInProgressError("in progress"))
    assert (busy["statusCode"], busy["headers"]["Retry-After"]) == (409, "2")
    with pytest.raises(KeyError):
        intake_answer(KeyError("a bug"))


def test_a_wrong_unsubscribe_link_is_the_same_404_page_as_an_unknown_lead(monkeypatch):
    from crm.services import unsubscribe

    def unknown(lead_id: str, token: str) -> None:
        raise NotFoundError("no such unsubscribe link")

    monkeypatch.setattr(unsubscribe, "find_target", unknown)
    event = {"httpMethod": "GET", "path": "/unsubscribe", "headers": {}, "body": None,
             "queryStringParameters": {"lead": "01X", "token": "wrong"}, "requestContext": {"path": "/v1/unsubscribe"}}
    page = load_handler(INTAKE_DIR, "unsubscribe.handler")(event, LocalLambdaContext("unsubscribe.handler"))
    assert page["statusCode"] == 404 and "text/html" in page["headers"]["Content-Type"]


def test_no_refusal_of_the_crm_carries_an_http_status():
    """Only the ingress adapter (crm/http.py) knows statuses; the refusals have none, and no module raises one."""
    kinds = (NotFoundError, ForbiddenError, ConflictError, InvalidError, TooLargeError, UnavailableError)
    assert all(issubclass(kind, CrmError) for kind in kinds)
    assert not [kind for kind in kinds
                if hasattr(kind("field", "reason") if issubclass(kind, InvalidError) else kind("x"), "status")]
    shared = REPO_ROOT / "functions" / "shared" / "crm"
    with_status = [path.relative_to(shared) for path in shared.rglob("*.py") if path.name != "http.py"
                   and re.search(r"Error\(\s*[1-5]\d\d\s*,", path.read_text(encoding="utf-8"))]
    assert with_status == []
