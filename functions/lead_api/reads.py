"""GET /leads/{id}: a lead with its score explanation and history (L5); GET /reps/{id}/home: a rep's numbers (L12).

The caller names the acting user in X-Crm-User; a rep reads only their own leads and home.
"""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from crm.http import BadRequestError, Request, bad_request, json_response
from crm.observability import logger, metrics


@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: LambdaContext) -> dict:
    from botocore.exceptions import BotoCoreError, ClientError
    from pynamodb.exceptions import PynamoDBException

    from crm.clock import utcnow
    from crm.services.actors import ForbiddenError, acting_user
    from crm.services.home import rep_home
    from crm.services.lead_view import lead_view

    request = Request.from_event(event)
    record_id = request.path_parameters.get("id", "")
    wants_home = (event.get("resource") or request.path).startswith("/reps/")
    try:
        actor = acting_user(request)
        found = rep_home(record_id, actor, utcnow()) if wants_home else lead_view(record_id, actor)
    except BadRequestError as error:
        return bad_request(error)
    except ForbiddenError as error:
        return json_response(403, {"message": str(error)})
    except (BotoCoreError, ClientError, PynamoDBException):
        logger.exception("read failed")
        return json_response(503, {"message": "The CRM could not read this right now; try again."},
                             {"Retry-After": "5"})
    if found is None:
        return json_response(404, {"message": f"{'user' if wants_home else 'lead'} {record_id} not found"})
    return json_response(200, found)
