"""POST /leads: web-form and JSON lead intake (L1, L2); OPTIONS /leads; GET /thank-you.

The answer is the same whether the person was known or not (201 {"received": true} to JSON, 303 to the thank-you page
to a form), and so is a bot's: this public door is no oracle for who is in the CRM. A signed-in caller that needs the
lead's id posts to the board API's POST /api/leads instead.

Module import stays light (cold start): settings (pydantic), the domain, pynamodb and boto3 load on the
first request.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

from crm.cors import cors_headers, origin_allowed
from crm.http import (
    BadRequestError,
    Request,
    bad_request,
    html_response,
    json_response,
    redirect,
    respond,
    service_unavailable,
)
from crm.observability import logger, metrics
from crm.reasons import field_error_body

if TYPE_CHECKING:
    from crm.models.leads import LeadSubmission
    from crm.settings import Settings

HONEYPOT_FIELD = "website"
THANK_YOU_PATH = "thank-you"


@cache
def _idempotent_intake() -> tuple[Any, Any]:
    from crm.clock import utcnow
    from crm.idempotency import idempotent
    from crm.services.intake import submit_lead

    def intake(request: dict, submission: LeadSubmission) -> dict:
        """`request` carries only the idempotency key; the validated submission rides along."""
        result = submit_lead(submission, utcnow())
        return {"lead_id": result.lead_id, "returning": result.returning}

    return idempotent(intake)


def _idempotency_key(request: Request) -> str:
    """The client's Idempotency-Key, or the body itself: an identical resubmission is the same submission."""
    given = request.headers.get("idempotency-key")
    if given:
        return f"key:{given}"
    return "body:" + hashlib.sha256(request.content_type.encode() + b"\n" + request.body).hexdigest()


RECEIVED = {"received": True}


def _success(request: Request, fields: dict, cors: dict, settings: Settings) -> dict:
    if request.wants_html:
        return redirect(_thank_you_location(fields.get("redirect_to"), fields, settings), cors)
    return json_response(201, RECEIVED, cors)


def _thank_you_location(requested: object, fields: dict, settings: Settings) -> str:
    """Where a plain form post lands: the page's own redirect_to, the configured page, or ours in the visitor's
    language."""
    if isinstance(requested, str) and requested:
        parts = urlsplit(requested)
        if parts.scheme in {"http", "https"} and f"{parts.scheme}://{parts.netloc}" in settings.allowed_origins:
            return requested
    if settings.thank_you_url:
        return settings.thank_you_url
    from crm.web_form import form_language

    language = form_language(fields.get("language") if isinstance(fields.get("language"), str) else None)
    return THANK_YOU_PATH if language == "en" else f"{THANK_YOU_PATH}?lang={language}"


def _invalid(request: Request, fields: dict, errors: list[dict[str, str]], cors: dict) -> dict:
    if request.wants_html:
        from crm.models.leads import FieldError
        from crm.web_form import render_lead_form

        values = {key: value for key, value in fields.items() if isinstance(value, str) and key != HONEYPOT_FIELD}
        page = render_lead_form(values, [FieldError(**error) for error in errors], action=request.public_path)
        return html_response(422, page, cors)
    return json_response(422, field_error_body(errors), cors)


def _validate(fields: dict, settings: Settings) -> tuple[LeadSubmission | None, list[dict[str, str]]]:
    """The submission, or the (field, reason) errors that refuse it."""
    from pydantic import ValidationError

    from crm.models.leads import LeadSubmission, field_errors

    context = {"default_phone_region": settings.default_phone_region}
    try:
        return LeadSubmission.model_validate(fields, context=context), []
    except ValidationError as error:
        return None, [item.answer() for item in field_errors(error)]


def _post_lead(request: Request, cors: dict, context: object, settings: Settings) -> dict:
    if len(request.body) > settings.max_body_bytes:
        return json_response(413, field_error_body([{"field": "body", "message":
                             f"is larger than {settings.max_body_bytes} bytes"}]), cors)
    fields = request.fields()
    if str(fields.get(HONEYPOT_FIELD) or "").strip():
        logger.info("honeypot filled; answering as usual and storing nothing")
        metrics.add_metric(name="LeadSpamDropped", unit=MetricUnit.Count, value=1)
        return _success(request, fields, cors, settings)
    submission, errors = _validate(fields, settings)
    if submission is None:
        return _invalid(request, fields, errors, cors)
    intake, config = _idempotent_intake()
    config.register_lambda_context(context)
    intake(request={"key": _idempotency_key(request)}, submission=submission)
    return _success(request, fields, cors, settings)


@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: object) -> dict:
    from crm.settings import get_settings

    request = Request.from_event(event)
    settings = get_settings()
    origin = request.headers.get("origin")
    cors = cors_headers(origin, settings.allowed_origins)
    if request.method == "GET":
        from crm.web_form import render_thank_you

        return html_response(200, render_thank_you((event.get("queryStringParameters") or {}).get("lang")))
    if not origin_allowed(origin, settings.allowed_origins):
        return json_response(403, field_error_body([{"field": "origin", "message":
                             f"{origin} may not post leads; add it to AllowedOrigins"}]))
    if request.method == "OPTIONS":
        return respond(204, "", headers=cors)
    try:
        return _post_lead(request, cors, context, settings)
    except Exception as error:  # _refused answers what it knows and raises the rest again
        return _refused(error, cors)


def _refused(error: Exception, cors: dict) -> dict:
    """The intake's one mapping of what a post raised to its answer; anything else propagates (a 502 on AWS).

    A body it cannot read is refused at the protocol level (400, 415); the same submission still being handled is
    409; the CRM unavailable (storage, nobody to assign the lead to, a race it kept losing) is 503: nothing stored.
    """
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    if isinstance(error, BadRequestError):
        return bad_request(error, cors)
    if isinstance(error, IdempotencyAlreadyInProgressError):
        return json_response(409, {"message": "This submission is already being processed."},
                             {"Retry-After": "2", **cors})
    from crm.errors import is_outage

    if is_outage(error):
        logger.exception("lead intake failed; nothing stored")
        metrics.add_metric(name="LeadIntakeFailed", unit=MetricUnit.Count, value=1)
        return service_unavailable(cors)
    raise error
