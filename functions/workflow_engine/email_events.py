"""SES events (delivery, open, click, bounce, complaint) from the configuration set's SNS topic onto leads.

A failure raises, so Lambda's asynchronous retries (and then the function's failure alarm) take over; recording
is idempotent per event, so a retried batch never counts an open twice.
"""

from __future__ import annotations

import json

from aws_lambda_powertools.utilities.typing import LambdaContext

from crm.observability import logger, metrics


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    from aws_lambda_powertools.metrics import MetricUnit

    from crm.clock import utcnow
    from crm.services.email_events import record_email_event

    results = []
    for record in event.get("Records", []):
        ses_event = json.loads(record["Sns"]["Message"])
        result = record_email_event(ses_event, utcnow())
        results.append(result)
        if result["recorded"]:
            metrics.add_metric(name=f"Email{ses_event.get('eventType', 'Event')}", unit=MetricUnit.Count, value=1)
        if result.get("promoted"):
            metrics.add_metric(name="LeadPromotedByEngagement", unit=MetricUnit.Count, value=1)
        logger.info("email event", extra={"message_id": ses_event["mail"]["messageId"], **result})
    return {"results": results}
