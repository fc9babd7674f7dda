"""VoIP provider webhooks (T1-T5): POST /telephony/twilio/{voice,status,recording}, /telephony/telnyx and
/telephony/events (any PBX, our signed schema).

Each request's signature is checked on the raw request before anything else: missing 401, bad or stale 403, and
nothing written. A signed request the CRM can never use (unknown event, not a phone number, unknown rep, too big) is
a 4xx naming the field, so the provider does not retry it; a storage failure is a 503, so it does. A duplicate
delivery answers 2xx and writes nothing. Slow work (fetching a recording) goes to the recordings queue.

Module import stays light (cold start): the domain, pynamodb and boto3 load on the first request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit

from crm.http import Request, json_response, respond, service_unavailable
from crm.observability import logger, metrics
from crm.reasons import field_error_body

if TYPE_CHECKING:
    from crm.services.calls import CallResult
    from crm.telephony.events import CallEvent
    from crm.telephony.providers.base import WebhookRequest

MAX_BODY_BYTES = 65_536  # provider events are a few KB; anything bigger is not one
_PROVIDER_OF_PATH = {"/telephony/twilio/voice": "twilio", "/telephony/twilio/status": "twilio",
                     "/telephony/twilio/recording": "twilio", "/telephony/telnyx": "telnyx",
                     "/telephony/events": "pbx"}
TWIML_TYPE = "text/xml"


def public_url(event: dict[str, Any], base: str) -> str:
    """The URL the provider called, as it signed it: the configured public base (stage or custom domain included)
    with the route's path and its query string (keys in order: the CRM writes its callback URLs that way)."""
    query = event.get("multiValueQueryStringParameters") or {}
    pairs = sorted((key, value) for key, values in query.items() for value in values)
    return base.rstrip("/") + event.get("path", "/") + (f"?{urlencode(pairs)}" if pairs else "")


def _refuse(status: int, field: str, message: str, metric: str) -> dict[str, Any]:
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
    logger.warning("telephony webhook refused", extra={"status": status, "field": field, "reason": message})
    return json_response(status, field_error_body([{"field": field, "message": message}]))


@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict, context: object) -> dict:
    request = Request.from_event(event)
    provider_name = _PROVIDER_OF_PATH.get(request.path)
    if provider_name is None:
        return _refuse(404, "path", f"no telephony webhook at {request.path}", "TelephonyWebhookUnknownPath")
    if len(request.body) > MAX_BODY_BYTES:
        return _refuse(413, "body", f"is larger than {MAX_BODY_BYTES} bytes", "TelephonyWebhookTooLarge")
    try:
        return _handle(event, request, provider_name)
    except Exception as error:
        from crm.errors import is_outage

        if is_outage(error):
            logger.exception("telephony webhook failed; the provider retries it")
            metrics.add_metric(name="TelephonyWebhookFailed", unit=MetricUnit.Count, value=1)
            return service_unavailable()
        raise


def _handle(event: dict, request: Request, provider_name: str) -> dict:
    from crm.clock import utcnow
    from crm.settings import get_settings
    from crm.telephony.events import BadEventError, SignatureError
    from crm.telephony.providers import provider_for
    from crm.telephony.providers.base import WebhookRequest

    now = utcnow()
    webhook = WebhookRequest(url=public_url(event, get_settings().telephony_public_url), headers=request.headers,
                             body=request.body, now=now)
    try:
        provider = provider_for(provider_name)
        provider.verify(webhook)
    except SignatureError as error:
        return _refuse(401 if error.missing else 403, "signature", error.reason, "TelephonyWebhookUnsigned")
    try:
        events = provider.parse(webhook)
        results = [_take_in(call_event, now) for call_event in events]
    except BadEventError as error:
        return _refuse(422, error.field, error.reason, "TelephonyWebhookRefused")
    if request.path == "/telephony/twilio/voice":
        return _voice_answer(webhook, results)
    if provider_name == "telnyx":
        _continue_click_to_call(webhook)
    return respond(204) if provider_name != "twilio" else respond(200, "<Response/>", TWIML_TYPE)


def _continue_click_to_call(webhook: WebhookRequest) -> None:
    """Telnyx click-to-call: the rep answered their leg, so the customer is dialled and bridged now. A provider that
    is unreachable raises (503: Telnyx delivers the event again); one that refuses is logged and counted."""
    from crm.settings import get_settings
    from crm.telephony.providers.dialer import DialError, continue_call

    try:
        continue_call("telnyx", webhook, public_url=get_settings().telephony_public_url)
    except DialError as error:
        if error.retryable:
            from crm.errors import UnavailableError

            raise UnavailableError(str(error)) from error
        logger.error("telnyx refused to dial the customer", extra={"reason": str(error)})
        metrics.add_metric(name="ClickToCallRefused", unit=MetricUnit.Count, value=1)


def _take_in(call_event: CallEvent, now: Any) -> CallResult:
    from crm.services.calls import record_call_event

    result = record_call_event(call_event, now)
    if result.duplicate:
        return result
    if call_event.event == "recording" and call_event.recording_url:
        from crm.services.recordings import queue_recording

        queue_recording(result.call, call_event)
    elif call_event.event != "recording" and result.rep is not None:
        _pop(result, call_event.event)
    return result


def _pop(result: CallResult, event: str) -> None:
    """The rep's open pages show the caller; a push that fails never fails the call's logging. The records are read
    for the message only when the rep has a page open, and only when it rings or made the caller's lead: later events
    update the popup the ringing opened."""
    from crm.integrations.push import push_to_user
    from crm.services.screen_pop import call_message

    try:
        records = event == "ringing" or result.lead_created is not None  # else the ringing's popup has them
        reached = push_to_user(result.rep.user_id, lambda: call_message(result.call, event, records))
    except Exception:
        logger.exception("screen pop failed", extra={"call_id": result.call.call_id})
        metrics.add_metric(name="ScreenPopFailed", unit=MetricUnit.Count, value=1)
        return
    metrics.add_metric(name="ScreenPopSent", unit=MetricUnit.Count, value=reached)


def _voice_answer(webhook: WebhookRequest, results: list[CallResult]) -> dict:
    """The CRM routes the call: TwiML that rings the chosen rep's phone, or takes a voicemail when nobody can."""
    from crm.telephony.providers.twiml import ring_rep, voicemail

    base = webhook.url.split("/telephony/", 1)[0]
    rep = next((result.rep for result in results if result.rep is not None), None)
    call = results[0].call if results else None
    callbacks = {"status_url": f"{base}/telephony/twilio/status", "recording_url": f"{base}/telephony/twilio/recording"}
    line = call.line if call is not None else None
    if rep is not None and rep.active and rep.phone and call is not None:
        return respond(200, ring_rep(rep.phone, caller_id=call.customer, line=line, **callbacks), TWIML_TYPE)
    return respond(200, voicemail(language=rep.language if rep else "en", customer=call.customer if call else None,
                                  line=line, **callbacks), TWIML_TYPE)
