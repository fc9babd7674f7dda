"""Every email and SMS the CRM sent, read from moto's SES and SNS backends (nothing leaves the machine)."""

from __future__ import annotations

import email
import email.policy
import functools
import html
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any, cast
from urllib.parse import quote

from moto.ses.models import Message, RawMessage, ses_backends
from moto.sesv2.responses import SESV2Response
from moto.sns.models import SNSBackend, sns_backends

from local.template import ACCOUNT_ID, REGION

LEAD_ID_HEADER = "X-Crm-Lead-Id"

_first_seen: dict[str, datetime] = {}
_first_seen_lock = threading.Lock()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _seen_at(message_id: str) -> datetime:
    """moto keeps no send time for SMS and simple emails: the first time we see one stands in."""
    with _first_seen_lock:
        return _first_seen.setdefault(message_id, datetime.now(UTC).replace(microsecond=0))


def _record_results(owner: type, name: str, record: Callable[[Any, Any], None]) -> None:
    """Wraps `owner.name` (once, however often called) so `record(instance, result)` sees every call."""
    original = getattr(owner, name)
    if getattr(original, "records_results", False):
        return

    @functools.wraps(original)
    def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        record(self, result)
        return result

    recording.records_results = True  # type: ignore[attr-defined]
    setattr(owner, name, recording)


def record_sms_send_times() -> None:
    """Wraps moto's SNS publish so an SMS's time is when it was sent, not when the outbox first saw it."""
    _record_results(SNSBackend, "publish", lambda backend, message_id: _seen_at(message_id))


@dataclass(frozen=True)
class SendRequest:
    """What a sender asked SES v2 for besides the message, which moto forgets: the configuration set and tags."""

    configuration_set: str | None
    tags: dict[str, str]


_send_requests: dict[str, SendRequest] = {}


def _remember_send_request(response: SESV2Response, answer: str) -> None:
    request = json.loads(response.body)
    tags = {tag["Name"]: tag["Value"] for tag in request.get("EmailTags") or []}
    _send_requests[json.loads(answer)["MessageId"]] = SendRequest(request.get("ConfigurationSetName"), tags)


def record_email_send_requests() -> None:
    """Wraps moto's SES v2 SendEmail so an email's SES events can carry its configuration set and tags."""
    _record_results(SESV2Response, "send_email", _remember_send_request)


def send_request(message_id: str) -> SendRequest | None:
    """None when unknown: sent through SES v1, or before the recording started."""
    return _send_requests.get(message_id)


@dataclass(frozen=True)
class SentEmail:
    """One email as SES took it: what the outbox shows, and what an SES event about it repeats."""

    message_id: str
    source: str
    destinations: tuple[str, ...]
    headers: tuple[tuple[str, str], ...]
    subject: str
    to: str
    text: str | None
    html: str | None
    sent_at: datetime
    links: tuple[str, ...]
    lead_id: str | None

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)

    def entry(self) -> dict[str, Any]:
        return {"kind": "email", "id": self.message_id, "to": self.to, "from": self.source, "subject": self.subject,
                "text": self.text, "html": self.html, "sent_at": _iso(self.sent_at), "links": list(self.links),
                "lead_id": self.lead_id}


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: dict[str, None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.strip().lower().startswith(("http://", "https://")):
            self.links.setdefault(href.strip())


def html_links(markup: str | None) -> tuple[str, ...]:
    """The http(s) links of an email's HTML, in order, once each: the ones SES click tracking rewrites."""
    if not markup:
        return ()
    collector = _LinkCollector()
    collector.feed(markup)
    collector.close()
    return tuple(collector.links)


def _part(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_type() != f"text/{subtype}":
        return None
    return str(part.get_content())


_parsed_emails: dict[str, SentEmail] = {}


def _raw_email(message: RawMessage) -> SentEmail:
    """Parsed once per message: the outbox is polled, and re-parsing every MIME message made it slow."""
    if message.id not in _parsed_emails:
        _parsed_emails[message.id] = parse_raw_email(message)
    return _parsed_emails[message.id]


def parse_raw_email(message: RawMessage) -> SentEmail:
    """The MIME message as the outbox and SES events see it; the Date header is the send time."""
    parsed = cast(EmailMessage, email.message_from_string(message.raw_data, policy=email.policy.default))
    date = parsed["Date"]
    try:
        sent_at = parsedate_to_datetime(str(date)).astimezone(UTC) if date else _seen_at(message.id)
    except (TypeError, ValueError):
        sent_at = _seen_at(message.id)
    markup = _part(parsed, "html")
    lead_id = str(parsed[LEAD_ID_HEADER] or "").strip()
    return SentEmail(
        message_id=message.id, source=message.source or str(parsed["From"] or ""),
        destinations=tuple(dict.fromkeys(message.destinations)),
        headers=tuple((name, str(value)) for name, value in parsed.items()),
        subject=str(parsed["Subject"] or ""), to=str(parsed["To"] or "") or ", ".join(message.destinations),
        text=_part(parsed, "plain"), html=markup, sent_at=sent_at, links=html_links(markup),
        lead_id=lead_id or None)


def _simple_email(message: Message) -> SentEmail:
    recipients = tuple(address for addresses in message.destinations.values() for address in addresses)
    to = ", ".join(recipients)
    return SentEmail(
        message_id=message.id, source=message.source, destinations=recipients,
        headers=(("From", message.source), ("To", to), ("Subject", message.subject)), subject=message.subject,
        to=to, text=None, html=message.body, sent_at=_seen_at(message.id), links=html_links(message.body),
        lead_id=None)


def sent_emails() -> list[SentEmail]:
    """Every email moto's SES took, in the order it took them."""
    emails = []
    for message in list(ses_backends[ACCOUNT_ID][REGION].sent_messages):
        if isinstance(message, RawMessage):
            emails.append(_raw_email(message))
        elif isinstance(message, Message):
            emails.append(_simple_email(message))
    return emails


def find_email(message_id: str) -> SentEmail | None:
    """The email SES answered `message_id` for, if it was sent."""
    return next((sent for sent in sent_emails() if sent.message_id == message_id), None)


def outbox_messages() -> list[dict[str, Any]]:
    """Emails and SMS, newest first (ties keep the order moto recorded them in)."""
    entries = [sent.entry() for sent in sent_emails()]
    for message_id, (phone_number, text) in list(sns_backends[ACCOUNT_ID][REGION].sms_messages.items()):
        entries.append({"kind": "sms", "id": message_id, "to": phone_number, "text": text,
                        "sent_at": _iso(_seen_at(message_id))})
    ordered = sorted(enumerate(entries), key=lambda pair: (pair[1]["sent_at"], pair[0]), reverse=True)
    return [entry for _, entry in ordered]


def executions_url(lead_id: str) -> str:
    return f"/executions?lead={quote(lead_id, safe='')}"


def _email_actions(entry: dict[str, Any]) -> str:
    """Open and Click buttons that make SES's engagement events for this email; a link to its lead's workflows."""
    options = "".join(f"<option>{html.escape(link)}</option>" for link in entry["links"])
    click = (f"<select name=link aria-label='link to click'>{options}</select>"
             "<button type=button data-event=click>Click</button>") if options else \
        "<button type=button disabled title='no http(s) links in this email'>Click</button>"
    lead = (f" · <a href=\"{html.escape(executions_url(entry['lead_id']))}\">workflow runs of lead "
            f"{html.escape(entry['lead_id'])}</a>") if entry.get("lead_id") else ""
    return (f"<form class=events data-id=\"{html.escape(entry['id'])}\">"
            f"<button type=button data-event=open>Open</button>{click}{lead}"
            "<pre class=result hidden></pre></form>")


def _render_entry(entry: dict[str, Any]) -> str:
    heading = (f"<h2>{'✉' if entry['kind'] == 'email' else '📱'} {html.escape(entry.get('subject') or 'SMS')}</h2>"
               f"<p class=meta>to {html.escape(entry['to'])} · {html.escape(entry['sent_at'])}</p>")
    parts = [_email_actions(entry)] if entry["kind"] == "email" else []
    if entry.get("html"):
        parts.append(f"<iframe sandbox srcdoc=\"{html.escape(entry['html'], quote=True)}\"></iframe>")
    if entry.get("text"):
        parts.append(f"<pre>{html.escape(entry['text'])}</pre>")
    return f"<article class={entry['kind']}>{heading}{''.join(parts)}</article>"


# Reloads every 5 s, except while a posted event's answer is on screen or a link is being picked.
_SCRIPT = """
const banner = document.getElementById('paused');
let paused = false;
setInterval(() => {
  if (!paused && document.activeElement.tagName !== 'SELECT') location.reload();
}, 5000);
document.getElementById('resume').addEventListener('click', () => location.reload());
document.addEventListener('click', async (click) => {
  const button = click.target.closest('button[data-event]');
  if (!button) return;
  const form = button.closest('form');
  const result = form.querySelector('.result');
  const request = {type: button.dataset.event};
  if (request.type === 'click') request.link = form.elements.link.value;
  paused = true;
  banner.hidden = false;
  result.hidden = false;
  result.textContent = 'posting ' + request.type + ' ...';
  try {
    const response = await fetch('/outbox/' + encodeURIComponent(form.dataset.id) + '/events', {
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(request)});
    result.textContent = response.status + ' ' + response.statusText + '\\n'
      + JSON.stringify(await response.json(), null, 2);
  } catch (error) {
    result.textContent = String(error);
  }
});
"""


def render_outbox_page(entries: list[dict[str, Any]]) -> str:
    body = "".join(_render_entry(entry) for entry in entries) or "<p>Nothing sent yet.</p>"
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<noscript><meta http-equiv=refresh content=5></noscript>"
        "<title>Local outbox</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
        "article{border:1px solid #ccc;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}"
        "article.sms{background:#f4f8ff}h2{font-size:1.1rem;margin:.3rem 0}.meta{color:#666;margin:0 0 .5rem}"
        "iframe{width:100%;height:22rem;border:1px solid #ddd}pre{white-space:pre-wrap;background:#fafafa;"
        "padding:.5rem}form.events{margin:0 0 .5rem}form.events select{max-width:28rem;margin:0 .3rem}"
        "pre.result{background:#f3fff3;border:1px solid #cdc;max-height:20rem;overflow:auto}"
        "#paused{position:sticky;top:0;background:#fff7d6;border:1px solid #e6d28a;padding:.4rem 1rem}"
        "</style></head><body>"
        f"<h1>Outbox ({len(entries)})</h1><p>Every email and SMS the local CRM sent, newest first; "
        "the page refreshes every 5 s. <a href=/outbox.json>JSON</a>. <b>Open</b> and <b>Click</b> post the "
        "SES event AWS would publish for the email to the function subscribed to its SNS topic.</p>"
        "<p id=paused hidden>Auto-refresh is paused while a result is shown. "
        "<button type=button id=resume>Resume</button></p>"
        f"{body}<script>{_SCRIPT}</script></body></html>"
    )
