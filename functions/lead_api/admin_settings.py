"""The admin's settings as data: GET/PUT /admin/profile, GET /admin/sequences, GET/PUT /admin/sequences/{id},
GET/PUT /admin/status-rules.

Anyone may read; a manager or an admin may change (X-Crm-User names the acting user). A PUT replaces the whole
setting and answers with what was stored; a bad one gets 422 naming each field by its path.
"""

from __future__ import annotations

from datetime import datetime

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from crm.http import BadRequestError, Request, bad_request, field_error_body, json_response
from crm.observability import logger, metrics

EDITORS = ("manager", "admin")


@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: LambdaContext) -> dict:
    from botocore.exceptions import BotoCoreError, ClientError
    from pydantic import ValidationError
    from pynamodb.exceptions import PynamoDBException

    from crm.models.admin_settings import setting_errors
    from crm.services.actors import ForbiddenError, acting_user

    request = Request.from_event(event)
    if request.method not in {"GET", "PUT"}:
        return json_response(405, {"message": f"{request.method} is not allowed here"}, {"Allow": "GET, PUT"})
    try:
        actor = acting_user(request, EDITORS) if request.method == "PUT" else acting_user(request)
        return _route(request, (event.get("resource") or request.path).rstrip("/"), actor.user_id)
    except BadRequestError as error:
        return bad_request(error)
    except ForbiddenError as error:
        return json_response(403, {"message": str(error)})
    except ValidationError as error:
        return json_response(422, field_error_body(setting_errors(error)))
    except (BotoCoreError, ClientError, PynamoDBException):
        logger.exception("settings not read or saved")
        return json_response(503, {"message": "The CRM could not reach its storage right now; nothing was "
                                              "changed. Try again."}, {"Retry-After": "5"})


def _route(request: Request, resource: str, user_id: str) -> dict:
    from crm.clock import utcnow
    from crm.services import admin_settings as settings

    now = utcnow()
    if "id" in request.path_parameters:
        return _sequence(request, request.path_parameters["id"], user_id, now)
    if resource.endswith("/profile"):
        if request.method == "GET":
            return json_response(200, settings.profile())
        from crm.models.admin_settings import ProfileInput

        return _saved("profile", settings.save_profile(ProfileInput.model_validate(_body(request)), user_id, now))
    if resource.endswith("/status-rules"):
        if request.method == "GET":
            return json_response(200, settings.status_rules())
        from crm.models.admin_settings import StatusRulesInput

        rules = StatusRulesInput.model_validate(_body(request)).rules
        return _saved("status_rules", settings.save_status_rules(rules, user_id, now))
    if request.method == "PUT":
        return json_response(405, {"message": "PUT one sequence at /admin/sequences/{id}"}, {"Allow": "GET"})
    return json_response(200, settings.sequences())


def _sequence(request: Request, sequence_id: str, user_id: str, now: datetime) -> dict:
    from crm.domain.nurture import Sequence
    from crm.models.admin_settings import SEQUENCE_ID
    from crm.reasons import Reason
    from crm.services import admin_settings as settings

    if request.method == "GET":
        found = settings.sequence(sequence_id) if SEQUENCE_ID.match(sequence_id) else None
        if found is None:
            return json_response(404, {"message": f"sequence {sequence_id} not found"})
        return json_response(200, found)
    if not SEQUENCE_ID.match(sequence_id):
        raise BadRequestError(422, "id", Reason("id_format"))
    return _saved("sequence", settings.save_sequence(sequence_id, Sequence.model_validate(_body(request)),
                                                     user_id, now))


def _body(request: Request) -> dict:
    from crm.models.admin_settings import editable

    return editable(request.json())


def _saved(setting: str, stored: dict) -> dict:
    logger.info("setting saved", extra={"setting": setting, "updated_by": stored["updated_by"]})
    metrics.add_metric(name="SettingSaved", unit=MetricUnit.Count, value=1)
    return json_response(200, stored)
