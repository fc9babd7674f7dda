"""POST /leads/{id}/convert: a lead becomes an account, a contact and optionally a deal and a first task (L10).

Any role may convert; a rep only their own leads. An Idempotency-Key header makes a retried post return the
first answer instead of a 409.
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
def _idempotent_convert() -> tuple[Any, Any]:
    from dataclasses import asdict

    from crm.clock import utcnow
    from crm.data.people import UserItem
    from crm.models.conversion import ConversionRequest
    from crm.services.conversion import convert_lead

    def convert(request: dict, actor: UserItem) -> dict:
        conversion = ConversionRequest.model_validate(request["conversion"])
        return asdict(convert_lead(request["lead_id"], conversion, actor, utcnow()))

    return idempotent(convert)


@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: LambdaContext) -> dict:
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
    from botocore.exceptions import BotoCoreError, ClientError
    from pydantic import ValidationError
    from pynamodb.exceptions import PynamoDBException

    from crm.data.leads import LeadNotFoundError
    from crm.models.conversion import ConversionRequest
    from crm.services.actors import ForbiddenError, acting_user
    from crm.services.conversion import ConversionRefusedError

    request = Request.from_event(event)
    lead_id = request.path_parameters.get("id", "")
    try:
        actor = acting_user(request)
        conversion = ConversionRequest.model_validate(request.json() if request.body else {})
    except BadRequestError as error:
        return bad_request(error)
    except ForbiddenError as error:
        return json_response(403, {"message": str(error)})
    except ValidationError as error:
        return invalid_fields(error)
    except (BotoCoreError, ClientError, PynamoDBException):
        logger.exception("acting user not read")
        return service_unavailable()
    key = request.headers.get("idempotency-key") or f"unkeyed:{context.aws_request_id}"
    try:
        convert, config = _idempotent_convert()
        config.register_lambda_context(context)
        # the actor is part of the key: another user's retry is not answered from this user's conversion
        result = convert(request={"key": f"{lead_id}:{actor.user_id}:{key}", "lead_id": lead_id,
                                  "conversion": conversion.model_dump(mode="json")}, actor=actor)
    except IdempotencyAlreadyInProgressError:
        return still_in_progress()
    except LeadNotFoundError:
        return json_response(404, {"message": f"lead {lead_id} not found"})
    except ForbiddenError as error:
        return json_response(403, {"message": str(error)})
    except ConversionRefusedError as error:
        return json_response(409, error.answer)
    except (BotoCoreError, ClientError, PynamoDBException):
        logger.exception("lead not converted")
        return service_unavailable()
    return json_response(201, result)
