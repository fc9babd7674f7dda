"""GET/POST /unsubscribe?lead=..&token=..: the link in every email to a lead (public, token-protected); and
GET/POST /confirm-consent?lead=..&token=..: the link of the email confirming consent renewed after an unsubscribe
(crm.services.consent).

GET shows a confirmation button (mail scanners follow links; they must not unsubscribe or subscribe anyone); POST
unsubscribes, whether from that button or from a mail client's one-click List-Unsubscribe-Post, or records the
confirmed consent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from aws_lambda_powertools.utilities.typing import LambdaContext

from crm.observability import count, logger, metrics

if TYPE_CHECKING:
    from crm.http import Request


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    from crm.errors import NotFoundError, is_outage
    from crm.http import Request, html_response
    from crm.web_form import render_unsubscribe_page

    request = Request.from_event(event)
    page = "confirm-consent" if request.public_path.rstrip("/").endswith("/confirm-consent") else "unsubscribe"
    try:
        return (_confirm if page == "confirm-consent" else _answer)(request, event.get("queryStringParameters") or {})
    except NotFoundError:  # an unknown lead, one no link names (crm.ids) or a wrong token: the same page
        return html_response(404, render_unsubscribe_page("invalid", None, page=page))
    except Exception as error:
        if not is_outage(error):  # a bug: it propagates
            raise
        return _unavailable(page, request.headers.get("accept-language", ""))


def _unavailable(page: str, accept_language: str) -> dict:
    """Storage down: a page asking the person to come back (503, Retry-After, which a mail client's one-click POST
    retries by), nothing changed, in the browser's first language (the lead cannot be read)."""
    from crm.http import html_response
    from crm.web_form import render_unsubscribe_page

    logger.exception("link page failed; nothing recorded", extra={"page": page})
    count("LinkPageUnavailable")
    language = accept_language.split(",", 1)[0].split(";", 1)[0]
    return html_response(503, render_unsubscribe_page("unavailable", language, page=page), {"Retry-After": "60"})


def _lead_and_token(query: dict) -> tuple[str, str]:
    """The link's lead id and token; NotFoundError for a lead id no link of ours carries (crm.ids), before it becomes
    a key. The token is the services' to judge (crm.services.unsubscribe.token_matches)."""
    from crm.ids import checked_id

    return checked_id("lead", str(query.get("lead", ""))), str(query.get("token", ""))


def _again(request: Request, lead_id: str, token: str) -> str:
    """Where the page's button posts: this link again, relative to it (its last path segment), so it holds under API
    Gateway's stage, a custom domain's base path and the local runner (which serves no stage) alike."""
    return f"{request.public_path.rstrip('/').rpartition('/')[2]}?{urlencode({'lead': lead_id, 'token': token})}"


def _answer(request: Request, query: dict) -> dict:
    from crm.clock import utcnow
    from crm.http import html_response
    from crm.services.unsubscribe import find_target, unsubscribe
    from crm.web_form import render_unsubscribe_page

    lead_id, token = _lead_and_token(query)
    if request.method == "POST":
        one_click = b"List-Unsubscribe=One-Click" in request.body
        target = unsubscribe(lead_id, token, utcnow(), "one-click" if one_click else "page")
        return html_response(200, render_unsubscribe_page("done", target.language))
    target = find_target(lead_id, token)
    if target.already:
        return html_response(200, render_unsubscribe_page("done", target.language))
    return html_response(200, render_unsubscribe_page("confirm", target.language, _again(request, lead_id, token)))


def _confirm(request: Request, query: dict) -> dict:
    from crm.clock import utcnow
    from crm.http import html_response
    from crm.services.consent import confirm_consent, find_pending
    from crm.web_form import render_unsubscribe_page

    lead_id, token = _lead_and_token(query)
    if request.method == "POST":
        target = confirm_consent(lead_id, token, utcnow())
        return html_response(200, render_unsubscribe_page("done", target.language, page="confirm-consent"))
    target = find_pending(lead_id, token, utcnow())
    return html_response(200, render_unsubscribe_page("confirm", target.language, _again(request, lead_id, token),
                                                      page="confirm-consent"))
