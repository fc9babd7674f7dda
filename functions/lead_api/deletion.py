"""Keeping and deleting leads (L9): "please delete" flags, junk marks, and the manager's review of the flags.

POST /leads/{id}/deletion-request {"reason"}            any user, a rep on their own leads: 202 new, 200 already
POST /leads/{id}/junk {"reason"}                        any user, a rep on their own leads: 200
GET  /admin/deletion-requests                           manager or admin: the pending flags, oldest first
POST /admin/deletion-requests/{id}/{approve|reject}     manager or admin, optional {"note"}: 200, 409 if none pending
The acting user is named by the X-Crm-User header (the API itself is IAM-authorized).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from crm.http import (
    BadRequestError,
    Request,
    bad_request,
    invalid_fields,
    json_response,
    service_unavailable,
)
from crm.observability import logger, metrics

if TYPE_CHECKING:
    from crm.services.deletion import Outcome

REVIEWERS = ("manager", "admin")


@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: LambdaContext) -> dict:
    from botocore.exceptions import BotoCoreError, ClientError
    from pydantic import ValidationError
    from pynamodb.exceptions import PynamoDBException

    from crm.data.leads import LeadNotFoundError
    from crm.services.actors import ForbiddenError
    from crm.services.deletion import DeletionConflictError

    request = Request.from_event(event)
    route = _route(request)
    if route is None:
        return json_response(404, {"message": f"no route for {request.method} {request.path}"})
    try:
        return route(request)
    except BadRequestError as error:
        return bad_request(error)
    except ValidationError as error:
        return invalid_fields(error)
    except ForbiddenError as error:
        return json_response(403, {"message": str(error)})
    except LeadNotFoundError:
        return json_response(404, {"message": f"lead {request.path_parameters.get('id')} not found"})
    except DeletionConflictError as error:
        return json_response(409, error.answer)
    except (BotoCoreError, ClientError, PynamoDBException):
        logger.exception("deletion review not stored", extra={"path": request.path})
        return service_unavailable()


def _route(request: Request) -> Callable[[Request], dict] | None:
    """API Gateway already matched the resource: the method, the path parameters and the last segment tell which."""
    from crm.models.deletion import DECISIONS

    last_segment = request.path.rstrip("/").rsplit("/", 1)[-1]
    if request.method == "GET" and "id" not in request.path_parameters:
        return _list_requests
    if request.method != "POST":
        return None
    if "decision" in request.path_parameters:
        return _decide if request.path_parameters["decision"] in DECISIONS else None
    return {"deletion-request": _flag, "junk": _junk}.get(last_segment)


def _flag(request: Request) -> dict:
    from crm.clock import utcnow
    from crm.models.deletion import ReasonInput
    from crm.services.actors import acting_user
    from crm.services.deletion import request_deletion

    user = acting_user(request)
    reason = ReasonInput.model_validate(request.json()).reason
    outcome = request_deletion(request.path_parameters["id"], reason, user, utcnow())
    _count("LeadFlaggedForDeletion", outcome)
    return json_response(202 if outcome.changed else 200, _body("deletion_request", outcome))


def _junk(request: Request) -> dict:
    from crm.clock import utcnow
    from crm.models.deletion import ReasonInput
    from crm.services.actors import acting_user
    from crm.services.deletion import mark_junk

    user = acting_user(request)
    reason = ReasonInput.model_validate(request.json()).reason
    outcome = mark_junk(request.path_parameters["id"], reason, user, utcnow())
    _count("LeadMarkedJunk", outcome)
    return json_response(200, _body("junk", outcome))


def _list_requests(request: Request) -> dict:
    from crm.services.actors import acting_user
    from crm.services.deletion import pending_deletions

    acting_user(request, REVIEWERS)
    return json_response(200, {"requests": [asdict(pending) for pending in pending_deletions()]})


def _decide(request: Request) -> dict:
    from crm.clock import utcnow
    from crm.models.deletion import DecisionInput
    from crm.services.actors import acting_user
    from crm.services.deletion import approve_deletion, reject_deletion

    user = acting_user(request, REVIEWERS)
    note = DecisionInput.model_validate(request.json() if request.body.strip() else {}).note
    approve = request.path_parameters["decision"] == "approve"
    decide = approve_deletion if approve else reject_deletion
    outcome = decide(request.path_parameters["id"], user, note, utcnow())
    _count("LeadErased" if approve else "DeletionRejected", outcome)
    return json_response(200, _body("deletion_request", outcome))


def _count(metric: str, outcome: Outcome) -> None:
    if outcome.changed:
        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
        logger.info(metric, extra={"lead_id": outcome.lead_id})


def _body(name: str, outcome: Outcome) -> dict[str, Any]:
    return {"lead_id": outcome.lead_id, name: outcome.record, "changed": outcome.changed}
