"""TwiML the voice webhook answers (and click-to-call runs): ring one rep, or take a voicemail.

The CRM is the call router: Twilio asks it what to do with each call and it answers with a <Dial> to the rep it
chose, whose status and recording callbacks come back to the CRM with the call's hints in their URLs (see
crm.telephony.providers.twilio).
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit
from xml.sax.saxutils import escape, quoteattr

DIAL_EVENTS = "initiated ringing answered completed"
RING_SECONDS = 20
VOICEMAIL_SECONDS = 120


def with_hints(url: str, direction: str, customer: str, line: str | None = None, rep: str | None = None) -> str:
    """`url` with the call's hints in its query (Twilio signs them with the rest, so they can be trusted)."""
    hints = {"direction": direction, "customer": customer, **({"line": line} if line else {}),
             **({"rep": rep} if rep else {})}
    parts = urlsplit(url)
    query = "&".join(part for part in (parts.query, urlencode(hints)) if part)
    return urlunsplit(parts._replace(query=query))


def ring_rep(rep_phone: str, caller_id: str, status_url: str, recording_url: str,
             timeout_seconds: int = RING_SECONDS) -> str:
    """Rings the rep's phone (a number, or a `sip:` address) showing `caller_id`, recording from the answer.
    `status_url` and `recording_url` should carry the call's hints (`with_hints`)."""
    return _dial(rep_phone, caller_id, status_url, recording_url, timeout_seconds)


def dial_customer(customer: str, caller_id: str, status_url: str, recording_url: str,
                  timeout_seconds: int = RING_SECONDS * 2) -> str:
    """Click-to-call's second half: once the rep picked up, Twilio runs this to dial the customer from our line."""
    return _dial(customer, caller_id, status_url, recording_url, timeout_seconds)


def voicemail(prompt: str, recording_url: str, max_seconds: int = VOICEMAIL_SECONDS) -> str:
    """Nobody is free: says `prompt`, then records a message whose recording callback comes to the CRM."""
    return _document(f"<Say>{escape(prompt)}</Say>"
                     f"<Record maxLength=\"{int(max_seconds)}\" playBeep=\"true\" "
                     f"recordingStatusCallback={quoteattr(recording_url)} recordingStatusCallbackMethod=\"POST\"/>"
                     "<Hangup/>")


def _dial(target: str, caller_id: str, status_url: str, recording_url: str, timeout_seconds: int) -> str:
    callbacks = (f"statusCallback={quoteattr(status_url)} statusCallbackMethod=\"POST\" "
                 f"statusCallbackEvent=\"{DIAL_EVENTS}\"")
    noun = (f"<Sip {callbacks}>{escape(target)}</Sip>" if target.startswith("sip:")
            else f"<Number {callbacks}>{escape(target)}</Number>")
    return _document(f"<Dial callerId={quoteattr(caller_id)} timeout=\"{int(timeout_seconds)}\" "
                     f"record=\"record-from-answer-dual\" recordingStatusCallback={quoteattr(recording_url)} "
                     f"recordingStatusCallbackMethod=\"POST\" recordingStatusCallbackEvent=\"completed\">"
                     f"{noun}</Dial>")


def _document(verbs: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{verbs}</Response>'
