"""POST /leads/{id}/activities: a rep's call or email on a lead; the first one stops the SLA clock (L4)."""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

from crm.http import BadRequestError, Request, field_error_body, json_response, service_unavailable
from crm.observability import logger, metrics


@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: object) -> dict:
    from botocore.exceptions import BotoCoreError, ClientError
    from pydantic import ValidationError
    from pynamodb.exceptions import PynamoDBException

    from crm.clock import utcnow
    from crm.models.activities import ActivityInput
    from crm.models.leads import field_errors
    from crm.services.activities import LeadNotFoundError, log_activity

    request = Request.from_event(event)
    lead_id = request.path_parameters.get("id", "")
    try:
        activity = ActivityInput.model_validate(request.json())
    except BadRequestError as error:
        return json_response(error.status, field_error_body([{"field": error.field, "message": error.message}]))
    except ValidationError as error:
        return json_response(422, field_error_body([item.model_dump() for item in field_errors(error)]))
    try:
        result = log_activity(lead_id, activity, utcnow())
    except LeadNotFoundError:
        return json_response(404, {"message": f"lead {lead_id} not found"})
    except (BotoCoreError, ClientError, PynamoDBException):
        logger.exception("activity not stored")
        return service_unavailable()
    if result.first_contact:
        metrics.add_metric(name="TimeToFirstContact", unit=MetricUnit.Seconds, value=result.seconds_to_first_contact)
        metrics.add_metric(name="FirstContactWithinSla" if result.within_sla else "FirstContactLate",
                           unit=MetricUnit.Count, value=1)
        logger.info("first contact", extra={"lead_id": lead_id, "seconds": result.seconds_to_first_contact})
    return json_response(201, {"id": result.activity_id, "first_contact": result.first_contact,
                               "seconds_to_first_contact": result.seconds_to_first_contact,
                               "within_sla": result.within_sla})
