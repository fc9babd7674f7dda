"""Which failures of a workflow step reach Step Functions as TransientError (retried for minutes) and which keep
their own name (straight to the failure report): crm/retryable.py."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from pynamodb.exceptions import GetError, PutError, QueryError, TransactWriteError, VerboseClientError

from crm.errors import NotFoundError, UnavailableError
from crm.retryable import TransientError, is_transient, retried_when_transient
from crm.services.lifecycle import resume_point


def client_error(code: str, status: int = 400, operation: str = "PutItem", **extra: object) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status},
                        **extra}, operation)


def cancelled(*reasons: str) -> TransactWriteError:
    response = {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                "ResponseMetadata": {"HTTPStatusCode": 400},
                "CancellationReasons": [{"Code": reason} for reason in reasons]}
    return TransactWriteError("Failed to write transaction items", VerboseClientError(response, "TransactWriteItems"))


OUTAGES = {
    "throttled": client_error("ThrottlingException"),
    "over capacity": client_error("ProvisionedThroughputExceededException"),
    "request limit": client_error("RequestLimitExceeded"),
    "server error": client_error("InternalServerError", 500),
    "unavailable": client_error("ServiceUnavailable", 503),
    "unknown 5xx": client_error("Whatever", 502),
    "429": client_error("TooManyRequests", 429),
    "connection refused": EndpointConnectionError(endpoint_url="http://127.0.0.1:8000"),
    "connect timeout": ConnectTimeoutError(endpoint_url="http://127.0.0.1:8000"),
    "read timeout": ReadTimeoutError(endpoint_url="http://127.0.0.1:8000"),
    "connection closed": ConnectionClosedError(endpoint_url="http://127.0.0.1:8000"),
    "pynamodb get, connection refused": GetError("Failed to get item", EndpointConnectionError(endpoint_url="x")),
    "pynamodb put, throttled": PutError("Failed to put item", client_error("ThrottlingException")),
    "pynamodb query, 500": QueryError("Failed to query", client_error("InternalServerError", 500)),
    "transaction throttled": cancelled("None", "ThrottlingError"),
    "transaction conflict": cancelled("TransactionConflict"),
    "a CRM outage": UnavailableError("storage down"),
    "socket timeout": TimeoutError("timed out"),
}
MISTAKES = {
    "condition failed": client_error("ConditionalCheckFailedException"),
    "validation": client_error("ValidationException"),
    "access denied": client_error("AccessDeniedException", 403),
    "pynamodb put, condition": PutError("Failed to put item", client_error("ConditionalCheckFailedException")),
    "transaction condition": cancelled("ConditionalCheckFailed", "None"),
    "transaction condition and throttle": cancelled("ConditionalCheckFailed", "ThrottlingError"),
    "a bug": KeyError("lead_id"),
    "a refusal": NotFoundError("no such lead"),
}


@pytest.mark.parametrize("error", OUTAGES.values(), ids=OUTAGES.keys())
def test_an_outage_is_transient(error: Exception):
    assert is_transient(error)


@pytest.mark.parametrize("error", MISTAKES.values(), ids=MISTAKES.keys())
def test_a_mistake_or_a_bug_is_not(error: Exception):
    assert not is_transient(error)


def test_an_outage_raised_from_within_another_error_is_found():
    try:
        try:
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:8000")
        except EndpointConnectionError as cause:
            raise RuntimeError("could not read the lead") from cause
    except RuntimeError as error:
        assert is_transient(error)


def test_a_task_handler_raises_an_outage_as_the_name_the_state_machine_retries():
    # Given a task handler whose DynamoDB read fails for an outage
    @retried_when_transient
    def handler(event: dict, context: object) -> dict:
        raise GetError("Failed to get item", EndpointConnectionError(endpoint_url="http://127.0.0.1:8000"))

    # When it runs, then Lambda reports the error type TransientError (the class name), caused by the outage
    with pytest.raises(TransientError) as raised:
        handler({"lead_id": "L1"}, None)
    assert type(raised.value).__name__ == "TransientError"
    assert isinstance(raised.value.__cause__, GetError)
    assert "GetError" in str(raised.value)


def test_a_task_handler_keeps_its_other_errors_and_results():
    @retried_when_transient
    def failing(event: dict, context: object) -> dict:
        raise LookupError("lead L1 does not exist")

    @retried_when_transient
    def working(event: dict, context: object) -> dict:
        return {"lead_id": event["lead_id"]}

    with pytest.raises(LookupError):
        failing({}, None)
    assert working({"lead_id": "L1"}, None) == {"lead_id": "L1"}
    assert working.__name__ == "working"


@pytest.mark.parametrize(("state", "expected"), [
    ({"lead_id": "L1"}, None),  # failed before the rep was told: from the start
    ({"lead_id": "L1", "notified": {"channels": ["email"]}}, "route"),
    ({"lead_id": "L1", "notified": {}, "route": {"route": "personal"}, "sla": {}}, "route"),
    ({"lead_id": "L1", "notified": {}, "route": {"route": "nurture"}}, "nurture"),
    ({"lead_id": "L1", "resume": "nurture"}, "nurture"),
    ({"lead_id": "L1", "resume": "route"}, "route"),
    # escalated: the new rep may not have been told yet
    ({"lead_id": "L1", "notified": {}, "route": {"route": "personal"}, "escalation": {"escalation": 1}}, None),
])
def test_a_failed_run_resumes_where_its_lead_stood(state: dict, expected: str | None):
    assert resume_point(state) == expected
