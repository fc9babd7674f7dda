"""Every email and SMS the CRM sent, read from moto's SES and SNS backends (nothing leaves the machine)."""

from __future__ import annotations

import email
import email.policy
import functools
import html
import threading
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any, cast

from moto.ses.models import Message, RawMessage, ses_backends
from moto.sns.models import SNSBackend, sns_backends

from local.template import ACCOUNT_ID, REGION

_first_seen: dict[str, str] = {}
_first_seen_lock = threading.Lock()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _seen_at(message_id: str) -> str:
    """moto keeps no send time for SMS and simple emails: the first time we see one stands in."""
    with _first_seen_lock:
        return _first_seen.setdefault(message_id, _iso(datetime.now(UTC)))


def record_sms_send_times() -> None:
    """Wraps moto's SNS publish so an SMS's time is when it was sent, not when the outbox first saw it."""
    original = SNSBackend.publish
    if getattr(original, "records_send_time", False):
        return

    @functools.wraps(original)
    def publish(self: SNSBackend, *args: Any, **kwargs: Any) -> str:
        message_id = original(self, *args, **kwargs)
        _seen_at(message_id)
        return message_id

    publish.records_send_time = True  # type: ignore[attr-defined]
    SNSBackend.publish = publish  # type: ignore[method-assign]


def _part(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_type() != f"text/{subtype}":
        return None
    return str(part.get_content())


_parsed_emails: dict[str, dict[str, Any]] = {}


def _raw_email(message: RawMessage) -> dict[str, Any]:
    """Parsed once per message: the outbox is polled, and re-parsing every MIME message made it slow."""
    if message.id not in _parsed_emails:
        _parsed_emails[message.id] = _parse_raw_email(message)
    return _parsed_emails[message.id]


def _parse_raw_email(message: RawMessage) -> dict[str, Any]:
    parsed = cast(EmailMessage, email.message_from_string(message.raw_data, policy=email.policy.default))
    date = parsed["Date"]
    try:
        sent_at = _iso(parsedate_to_datetime(str(date))) if date else _seen_at(message.id)
    except (TypeError, ValueError):
        sent_at = _seen_at(message.id)
    return {"kind": "email", "id": message.id, "to": str(parsed["To"] or "") or ", ".join(message.destinations),
            "from": message.source or str(parsed["From"] or ""), "subject": str(parsed["Subject"] or ""),
            "text": _part(parsed, "plain"), "html": _part(parsed, "html"), "sent_at": sent_at}


def _simple_email(message: Message) -> dict[str, Any]:
    recipients = [address for addresses in message.destinations.values() for address in addresses]
    return {"kind": "email", "id": message.id, "to": ", ".join(recipients), "from": message.source,
            "subject": message.subject, "text": None, "html": message.body, "sent_at": _seen_at(message.id)}


def outbox_messages() -> list[dict[str, Any]]:
    """Emails and SMS, newest first (ties keep the order moto recorded them in)."""
    entries: list[dict[str, Any]] = []
    for message in list(ses_backends[ACCOUNT_ID][REGION].sent_messages):
        if isinstance(message, RawMessage):
            entries.append(_raw_email(message))
        elif isinstance(message, Message):
            entries.append(_simple_email(message))
    for message_id, (phone_number, text) in list(sns_backends[ACCOUNT_ID][REGION].sms_messages.items()):
        entries.append({"kind": "sms", "id": message_id, "to": phone_number, "text": text,
                        "sent_at": _seen_at(message_id)})
    ordered = sorted(enumerate(entries), key=lambda pair: (pair[1]["sent_at"], pair[0]), reverse=True)
    return [entry for _, entry in ordered]


def _render_entry(entry: dict[str, Any]) -> str:
    heading = (f"<h2>{'✉' if entry['kind'] == 'email' else '📱'} {html.escape(entry.get('subject') or 'SMS')}</h2>"
               f"<p class=meta>to {html.escape(entry['to'])} · {html.escape(entry['sent_at'])}</p>")
    parts = []
    if entry.get("html"):
        parts.append(f"<iframe sandbox srcdoc=\"{html.escape(entry['html'], quote=True)}\"></iframe>")
    if entry.get("text"):
        parts.append(f"<pre>{html.escape(entry['text'])}</pre>")
    return f"<article class={entry['kind']}>{heading}{''.join(parts)}</article>"


def render_outbox_page(entries: list[dict[str, Any]]) -> str:
    body = "".join(_render_entry(entry) for entry in entries) or "<p>Nothing sent yet.</p>"
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta http-equiv=refresh content=5>"
        "<title>Local outbox</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}"
        "article{border:1px solid #ccc;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}"
        "article.sms{background:#f4f8ff}h2{font-size:1.1rem;margin:.3rem 0}.meta{color:#666;margin:0 0 .5rem}"
        "iframe{width:100%;height:22rem;border:1px solid #ddd}pre{white-space:pre-wrap;background:#fafafa;"
        "padding:.5rem}</style></head><body>"
        f"<h1>Outbox ({len(entries)})</h1><p>Every email and SMS the local CRM sent, newest first; "
        "the page refreshes every 5 s. <a href=/outbox.json>JSON</a></p>"
        f"{body}</body></html>"
    )
