"""GET/POST /unsubscribe?lead=..&token=..: the link in every email to a lead (public, token-protected).

GET shows a confirmation button (mail scanners follow links; they must not unsubscribe anyone); POST
unsubscribes, whether from that button or from a mail client's one-click List-Unsubscribe-Post.
"""

from __future__ import annotations

from urllib.parse import urlencode

from aws_lambda_powertools.utilities.typing import LambdaContext

from crm.observability import logger, metrics


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    from aws_lambda_powertools.metrics import MetricUnit

    from crm.clock import utcnow
    from crm.http import Request, html_response
    from crm.services.unsubscribe import find_target, unsubscribe
    from crm.web_form import render_unsubscribe_page

    request = Request.from_event(event)
    query = event.get("queryStringParameters") or {}
    lead_id, token = str(query.get("lead", "")), str(query.get("token", ""))
    if request.method == "POST":
        one_click = b"List-Unsubscribe=One-Click" in request.body
        target = unsubscribe(lead_id, token, utcnow(), "one-click" if one_click else "page")
        if target is None:
            return html_response(404, render_unsubscribe_page("invalid", None))
        if not target.already:
            metrics.add_metric(name="LeadUnsubscribed", unit=MetricUnit.Count, value=1)
            logger.info("lead unsubscribed", extra={"lead_id": lead_id, "one_click": one_click})
        return html_response(200, render_unsubscribe_page("done", target.language))
    target = find_target(lead_id, token)
    if target is None:
        return html_response(404, render_unsubscribe_page("invalid", None))
    if target.already:
        return html_response(200, render_unsubscribe_page("done", target.language))
    action = f"{request.public_path}?{urlencode({'lead': lead_id, 'token': token})}"
    return html_response(200, render_unsubscribe_page("confirm", target.language, action))
