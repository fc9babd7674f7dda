"""Task handlers of the lead lifecycle state machine, and its reconciler; each is a thin shell over a service.

Every task handler raises a dependency's outage as TransientError (crm.retryable), which the state machines retry
for minutes.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from crm.clock import from_iso, utcnow
from crm.observability import logger, metrics, tracer
from crm.retryable import retried_when_transient
from crm.services import lifecycle, nurture

_tracer = tracer()


@metrics.log_metrics
@logger.inject_lambda_context
@_tracer.capture_lambda_handler
@retried_when_transient
def notify_assignee(event: dict, context: LambdaContext) -> dict:
    return lifecycle.notify_assignee(event["lead_id"], utcnow())


@logger.inject_lambda_context
@_tracer.capture_lambda_handler
@retried_when_transient
def plan_first_contact_check(event: dict, context: LambdaContext) -> dict:
    return lifecycle.plan_first_contact_check(event["lead_id"], utcnow())


@metrics.log_metrics
@logger.inject_lambda_context
@_tracer.capture_lambda_handler
@retried_when_transient
def review_first_contact(event: dict, context: LambdaContext) -> dict:
    from aws_lambda_powertools.metrics import MetricUnit

    outcome = lifecycle.review_first_contact(event["lead_id"], utcnow())
    if outcome["outcome"] == "unreached":
        metrics.add_metric(name="LeadUnreached", unit=MetricUnit.Count, value=1)
    return outcome


@metrics.log_metrics
@logger.inject_lambda_context
@_tracer.capture_lambda_handler
@retried_when_transient
def escalate_missed_contact(event: dict, context: LambdaContext) -> dict:
    from aws_lambda_powertools.metrics import MetricUnit

    metrics.add_metric(name="FirstContactMissed", unit=MetricUnit.Count, value=1)
    return lifecycle.escalate_missed_contact(event["lead_id"], utcnow())


@metrics.log_metrics
@logger.inject_lambda_context
@_tracer.capture_lambda_handler
@retried_when_transient
def report_workflow_failure(event: dict, context: LambdaContext) -> dict:
    from aws_lambda_powertools.metrics import MetricUnit

    metrics.add_metric(name="LeadWorkflowFailed", unit=MetricUnit.Count, value=1)
    return lifecycle.report_workflow_failure(event, utcnow())


@logger.inject_lambda_context
@_tracer.capture_lambda_handler
@retried_when_transient
def choose_route(event: dict, context: LambdaContext) -> dict:
    return nurture.choose_route(event["lead_id"])


@metrics.log_metrics
@logger.inject_lambda_context
@_tracer.capture_lambda_handler
@retried_when_transient
def nurture_step(event: dict, context: LambdaContext) -> dict:
    from aws_lambda_powertools.metrics import MetricUnit

    started = event.get("execution_started_at")
    result = nurture.nurture_step(event["lead_id"], utcnow(), from_iso(started) if started else None)
    if result["next"] == "done":
        metrics.add_metric(name="NurtureEnded", unit=MetricUnit.Count, value=1)
        logger.info("nurture ended", extra={"lead_id": event["lead_id"], "reason": result.get("reason")})
    elif result["next"] == "continued":
        metrics.add_metric(name="NurtureContinued", unit=MetricUnit.Count, value=1)
    return result


@logger.inject_lambda_context
@_tracer.capture_lambda_handler
@retried_when_transient
def send_status_message(event: dict, context: LambdaContext) -> dict:
    from crm.services.status_messages import send_status_message as send

    return send(event, utcnow())


@metrics.log_metrics
@logger.inject_lambda_context
@_tracer.capture_lambda_handler
def start_pending_lifecycles(event: dict, context: LambdaContext) -> dict:
    from aws_lambda_powertools.metrics import MetricUnit

    outcome = lifecycle.start_pending_lifecycles(utcnow())
    metrics.add_metric(name="LifecycleResumed", unit=MetricUnit.Count, value=len(outcome["resumed"]))
    metrics.add_metric(name="LifecycleResumeGaveUp", unit=MetricUnit.Count, value=len(outcome["gave_up"]))
    return outcome
