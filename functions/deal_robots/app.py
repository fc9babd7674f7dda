"""The daily deal robots (D5): nudges reps about deals stuck too long in their stage; a thin shell over a service.

The run counts for the moment EventBridge scheduled it (the event's `time`), so a late or retried invocation
still belongs to its day, and locally a run can be fired for any moment (POST /local/schedules/.../run).
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.typing import LambdaContext

from crm.clock import from_iso, utcnow
from crm.observability import logger, metrics, tracer
from crm.services import robots

_tracer = tracer()


@metrics.log_metrics
@logger.inject_lambda_context
@_tracer.capture_lambda_handler
def nudge_stalled_deals(event: dict, context: LambdaContext) -> dict:
    from aws_lambda_powertools.metrics import MetricUnit

    now = from_iso(event["time"]) if isinstance(event, dict) and event.get("time") else utcnow()
    outcome = robots.nudge_stalled_deals(now)
    metrics.add_metric(name="StalledDealsNudged", unit=MetricUnit.Count, value=outcome["deals_nudged"])
    return outcome
