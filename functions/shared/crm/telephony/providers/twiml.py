"""TwiML the voice webhook answers (and click-to-call runs): ring one rep, or take a voicemail.

The CRM is the call router: Twilio asks it what to do with each call and it answers with a <Dial> to the rep it
chose, whose status and recording callbacks come back to the CRM with the call's hints in their URLs (see
crm.telephony.providers.twilio).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from xml.sax.saxutils import escape, quoteattr

DIAL_EVENTS = "initiated ringing answered completed"
RING_SECONDS = 20
VOICEMAIL_SECONDS = 120
VOICEMAIL_PROMPTS = {  # <Say language> and what it says; another language falls back to English
    "en": ("en-US", "Sorry, nobody can take your call right now. Please leave a message after the tone."),
    "de": ("de-DE", "Leider ist gerade niemand erreichbar. Bitte hinterlassen Sie nach dem Signalton eine Nachricht."),
    "hu": ("hu-HU", "Sajnos most senki sem tudja fogadni a hívását. Kérjük, hagyjon üzenetet a sípszó után."),
    "el": ("el-GR", "Λυπούμαστε, κανείς δεν μπορεί να απαντήσει τώρα. Αφήστε μήνυμα μετά τον ήχο."),
}


def with_hints(url: str, direction: str, customer: str, line: str | None = None, rep: str | None = None) -> str:
    """`url` with the call's hints in its query (Twilio signs them with the rest, so they can be trusted). Every
    query key is written in sorted order, urlencoded: the webhook handler rebuilds the URL Twilio signed from API
    Gateway's parsed query parameters the same way."""
    parts = urlsplit(url)
    pairs = [*parse_qsl(parts.query, keep_blank_values=True), ("direction", direction), ("customer", customer),
             *([("line", line)] if line else []), *([("rep", rep)] if rep else [])]
    return urlunsplit(parts._replace(query=urlencode(sorted(pairs))))


def ring_rep(rep_phone: str, caller_id: str, status_url: str, recording_url: str, line: str | None = None,
             timeout_seconds: int = RING_SECONDS) -> str:
    """An inbound call: rings the rep's phone (a number, or a `sip:` address) showing the caller's number
    `caller_id`, recording from the answer; the callbacks get the call's hints (`with_hints`) added here."""
    hints = {"direction": "inbound", "customer": caller_id, "line": line, "rep": rep_phone}
    return _dial(rep_phone, caller_id, with_hints(status_url, **hints), with_hints(recording_url, **hints),
                 timeout_seconds)


def dial_customer(customer: str, caller_id: str, status_url: str, recording_url: str,
                  timeout_seconds: int = RING_SECONDS * 2) -> str:
    """Click-to-call's second half: once the rep picked up, Twilio runs this to dial the customer from our line
    (`caller_id`); the callback URLs must already carry the call's hints (the dialer adds the rep's)."""
    return _dial(customer, caller_id, status_url, recording_url, timeout_seconds)


def voicemail(status_url: str, recording_url: str, language: str = "en", customer: str | None = None,
              line: str | None = None, max_seconds: int = VOICEMAIL_SECONDS) -> str:
    """Nobody is free: says the prompt in `language`, then records a message. Its recording callback (and the
    <Record>'s action, `status_url`, which hangs up) carry the caller `customer` as a hint: a recording callback names
    no numbers, so without it the recording cannot be read into a call event."""
    if customer:
        status_url = with_hints(status_url, "inbound", customer, line=line)
        recording_url = with_hints(recording_url, "inbound", customer, line=line)
    say_language, prompt = VOICEMAIL_PROMPTS.get(language, VOICEMAIL_PROMPTS["en"])
    return _document(f"<Say language=\"{say_language}\">{escape(prompt)}</Say>"
                     f"<Record maxLength=\"{int(max_seconds)}\" playBeep=\"true\" action={quoteattr(status_url)} "
                     f"method=\"POST\" recordingStatusCallback={quoteattr(recording_url)} "
                     "recordingStatusCallbackMethod=\"POST\"/><Hangup/>")


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
