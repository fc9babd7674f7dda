"""POST /leads/{id}/activities: a rep's call or email on a lead; the first one stops the SLA clock (L4).

An Idempotency-Key header makes a retried post log the activity once.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from crm.http import (
    BadRequestError,
    Request,
    bad_request,
    invalid_fields,
    json_response,
    service_unavailable,
    still_in_progress,
)
from crm.idempotency import idempotent
from crm.observability import logger, metrics


@cache
def _idempotent_log() -> tuple[Any, Any]:
    from crm.clock import utcnow
    from crm.models.activities import ActivityInput
    from crm.services.activities import log_activity

    def log(request: dict) -> dict:
        result = log_activity(request["lead_id"], ActivityInput.model_validate(request["activity"]), utcnow())
        return {"id": result.activity_id, "first_contact": result.first_contact,
                "seconds_to_first_contact": result.seconds_to_first_contact, "within_sla": result.within_sla,
                "status": result.status, "status_changed": result.status_changed,
                "attempts_without_response": result.attempts_without_response}

    return idempotent(log)


@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: LambdaContext) -> dict:
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
    from botocore.exceptions import BotoCoreError, ClientError
    from pydantic import ValidationError
    from pynamodb.exceptions import PynamoDBException

    from crm.data.leads import LeadNotFoundError
    from crm.models.activities import ActivityInput

    request = Request.from_event(event)
    lead_id = request.path_parameters.get("id", "")
    try:
        activity = ActivityInput.model_validate(request.json())
    except BadRequestError as error:
        return bad_request(error)
    except ValidationError as error:
        return invalid_fields(error)
    key = request.headers.get("idempotency-key") or f"unkeyed:{context.aws_request_id}"
    try:
        log, config = _idempotent_log()
        config.register_lambda_context(context)
        result = log(request={"key": f"{lead_id}:{key}", "lead_id": lead_id,
                              "activity": activity.model_dump(mode="json")})
    except IdempotencyAlreadyInProgressError:
        return still_in_progress()
    except LeadNotFoundError:
        return json_response(404, {"message": f"lead {lead_id} not found"})
    except (BotoCoreError, ClientError, PynamoDBException):
        logger.exception("activity not stored")
        return service_unavailable()
    return json_response(201, result)
