"""Twilio's webhooks signed by the `twilio` package's own RequestValidator, and the board API's telephony routes:
who holds a number (T2, within the caller's rights) and click-to-call (T4) through a stand-in for Twilio's REST API
that answers as Twilio does; the call it places is then logged from Twilio's signed callbacks."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlencode

import boto3
import pytest
from twilio.request_validator import RequestValidator

from local.dynamodb_local import free_port
from tests.integration.conftest import api_event
from tests.integration.test_board_api import MANAGER, REP_A, REP_B, board  # noqa: F401
from tests.integration.test_calls import LEAD_PHONE, UNKNOWN_PHONE, a_lead, events_of, lead, table_items

AUTH_TOKEN = "twilio-test-auth-token-0123456789abcdef"
ACCOUNT = "AC" + "0" * 32
OUR_NUMBER = "+3612345678"
PUBLIC = "https://calls.example.com/v1"


class FakeTwilio(BaseHTTPRequestHandler):
    """Twilio's Calls.json: records each request and answers a new call's sid."""

    calls: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        FakeTwilio.calls.append({"path": self.path, "auth": self.headers["Authorization"],
                                 "form": {key: values[-1] for key, values in parse_qs(body).items()}})
        answer = json.dumps({"sid": f"CA{len(FakeTwilio.calls):032d}", "status": "queued"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def twilio(crm, monkeypatch):
    from crm.data.people import get_user
    from crm.settings import get_settings

    server = HTTPServer(("127.0.0.1", free_port()), FakeTwilio)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FakeTwilio.calls = []
    secret = {"twilio_account_sid": ACCOUNT, "twilio_auth_token": AUTH_TOKEN, "twilio_number": OUR_NUMBER}
    arn = boto3.client("secretsmanager").create_secret(Name="telephony-twilio",
                                                       SecretString=json.dumps(secret))["ARN"]
    monkeypatch.setenv("TELEPHONY_SECRET", arn)
    monkeypatch.setenv("TELEPHONY_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("TWILIO_API_URL", f"http://127.0.0.1:{server.server_address[1]}")
    get_settings.cache_clear()
    anna = get_user(REP_A)
    assert anna.phone  # rung first by click-to-call, and by the voice webhook for her leads
    yield crm
    server.shutdown()
    server.server_close()


def signed(crm, path: str, form: dict[str, str], query: dict[str, str] | None = None,
           token: str = AUTH_TOKEN) -> dict:
    """POSTs `form` to the webhook as Twilio does: signed over the URL it calls (query included) and the fields."""
    url = f"{PUBLIC}{path}" + (f"?{urlencode(sorted(query.items()))}" if query else "")
    signature = RequestValidator(token).compute_signature(url, form)
    event = api_event(urlencode(form), "application/x-www-form-urlencoded", path=path,
                      headers={"X-Twilio-Signature": signature})
    event["multiValueQueryStringParameters"] = {key: [value] for key, value in (query or {}).items()}
    event["queryStringParameters"] = query
    return crm.invoke("telephony_webhook", "app.handler", event)


def test_an_incoming_call_rings_the_callers_owner_and_its_callbacks_log_it(twilio):
    # Given Anna's lead, When it calls our Twilio number
    lead_id = a_lead()
    answer = signed(twilio, "/telephony/twilio/voice", {"CallSid": "CA1", "CallStatus": "ringing", "From": LEAD_PHONE,
                                                        "To": OUR_NUMBER, "Direction": "inbound",
                                                        "AccountSid": ACCOUNT})
    # Then the CRM answers TwiML dialling Anna's phone, with callbacks that carry the call's hints
    assert answer["statusCode"] == 200 and answer["headers"]["Content-Type"].startswith("text/xml")
    assert "<Number" in answer["body"] and "+4930901820</Number>" in answer["body"]
    assert "customer=%2B36301112233" in answer["body"] and "direction=inbound" in answer["body"]
    # When Twilio reports Anna's leg answered, then completed, each signed over the URL the TwiML gave it
    hints = {"direction": "inbound", "customer": LEAD_PHONE, "line": OUR_NUMBER, "rep": "+4930901820"}
    for status, extra in (("in-progress", {}), ("completed", {"CallDuration": "42"})):
        form = {"CallSid": "CA1-leg", "ParentCallSid": "CA1", "CallStatus": status, "From": LEAD_PHONE,
                "To": "+4930901820", "Direction": "outbound-dial", **extra}
        assert signed(twilio, "/telephony/twilio/status", form, hints)["statusCode"] == 200
    # Then the lead's call is logged, answered by Anna, and it is her first contact
    [logged] = events_of(lead_id, "call")
    assert (logged.data["outcome"], logged.data["by"]) == ("answered", REP_A)
    assert lead(lead_id).first_contact_at is not None


def test_a_callback_signed_with_another_token_or_another_url_is_refused(twilio):
    a_lead()
    form = {"CallSid": "CA2", "CallStatus": "ringing", "From": LEAD_PHONE, "To": OUR_NUMBER, "Direction": "inbound"}
    before = table_items()
    assert signed(twilio, "/telephony/twilio/voice", form, token="someone-elses-token")["statusCode"] == 403
    # a signature over the URL without the hints does not cover the hints the request carries
    url = f"{PUBLIC}/telephony/twilio/status"
    event = api_event(urlencode(form), "application/x-www-form-urlencoded", path="/telephony/twilio/status",
                      headers={"X-Twilio-Signature": RequestValidator(AUTH_TOKEN).compute_signature(url, form)})
    event["multiValueQueryStringParameters"] = {"customer": [UNKNOWN_PHONE]}
    assert twilio.invoke("telephony_webhook", "app.handler", event)["statusCode"] == 403
    assert table_items() == before


def test_nobody_to_ring_takes_a_voicemail(twilio):
    # Given an unknown caller routed to Chris, who has no phone in the CRM
    from crm.data.people import UserItem

    UserItem.build(user_id="rep-anna", name="Anna Schmidt", email="anna@example.com", role="rep",
                   active=False).save()
    UserItem.build(user_id="rep-bela", name="Béla Kovács", email="bela@example.com", role="rep", active=False).save()
    answer = signed(twilio, "/telephony/twilio/voice", {"CallSid": "CA3", "CallStatus": "ringing",
                                                        "From": UNKNOWN_PHONE, "To": OUR_NUMBER,
                                                        "Direction": "inbound"})
    assert answer["statusCode"] == 200
    assert "<Record" in answer["body"] and "<Say" in answer["body"] and "<Dial" not in answer["body"]


def test_lookup_finds_a_number_in_any_format_within_the_callers_rights(board, twilio):
    lead_id = a_lead()  # Anna's
    for user, expected in ((REP_A, [lead_id]), (REP_B, []), (MANAGER, [lead_id])):
        response = board.call("GET", "/api/lookup", user, phone="06 30 111 2233")  # national, read in HU
        assert response.status_code == 200, response.text
        found = response.json()
        assert found["phone"] == LEAD_PHONE
        assert [match["id"] for match in found["matches"]] == expected
    [match] = board.call("GET", "/api/lookup", MANAGER, phone=LEAD_PHONE).json()["matches"]
    assert (match["kind"], match["name"], match["url"]) == ("lead", "Péter Nagy", f"record.html?kind=lead&id={lead_id}")
    refused = board.call("GET", "/api/lookup", REP_A, phone="not a phone")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "phone"


def test_click_to_call_rings_the_rep_first_and_the_call_is_logged_on_the_record(board, twilio):
    # Given Anna's lead, When she clicks Call on its page
    lead_id = a_lead()
    response = board.call("POST", f"/api/records/lead/{lead_id}/call", REP_A)
    assert response.status_code == 201, response.text
    # Then Twilio is asked to ring Anna from our number, and its TwiML dials the lead with hinted callbacks
    [placed] = FakeTwilio.calls
    assert placed["path"] == f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json"
    assert (placed["form"]["To"], placed["form"]["From"]) == ("+4930901820", OUR_NUMBER)
    assert f">{LEAD_PHONE}</Number>" in placed["form"]["Twiml"]
    # When Twilio reports the lead's leg answered and completed
    hints = {"direction": "outbound", "customer": LEAD_PHONE, "line": OUR_NUMBER, "rep": "+4930901820"}
    parent = "CA" + "1".rjust(32, "0")
    for status, extra in (("in-progress", {}), ("completed", {"CallDuration": "95"})):
        form = {"CallSid": "CA-customer-leg", "ParentCallSid": parent, "CallStatus": status, "From": OUR_NUMBER,
                "To": LEAD_PHONE, "Direction": "outbound-dial", **extra}
        assert signed(twilio, "/telephony/twilio/status", form, hints)["statusCode"] == 200
    # Then it is on the lead's timeline as Anna's answered outbound call
    [logged] = events_of(lead_id, "call")
    assert (logged.data["direction"], logged.data["outcome"], logged.data["by"]) == ("outbound", "answered", REP_A)
    assert response.json()["call_id"] == logged.data["call_id"]


def test_click_to_call_needs_a_provider_and_a_phone(board, crm):
    lead_id = a_lead()
    no_provider = board.call("POST", f"/api/records/lead/{lead_id}/call", REP_A)
    assert no_provider.status_code == 409 and no_provider.json()["tel"] == f"tel:{LEAD_PHONE}"
    other = board.call("POST", f"/api/records/lead/{lead_id}/call", REP_B)
    assert other.status_code == 404


def test_me_says_whether_click_to_call_is_configured(board, twilio):
    assert board.call("GET", "/api/me", REP_A).json()["click_to_call"] == "twilio"



def test_an_unreadable_telephony_secret_does_not_fail_the_page_it_offers_tel_links(board, crm, monkeypatch):
    from crm.settings import get_settings

    monkeypatch.setenv("TELEPHONY_SECRET", "arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf")
    get_settings.cache_clear()
    me = board.call("GET", "/api/me", REP_A)
    assert (me.status_code, me.json()["click_to_call"]) == (200, None)
