"""The local telephony stand-ins: the secret filled at start, /local/telephony, the provider simulator's signed
webhooks (verified and parsed here by the real providers, as the webhook handler does), /calls and /phone.html."""

from __future__ import annotations

import base64
import json
import os
import stat
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import parse_qsl, urlencode, urlsplit
from urllib.request import Request, urlopen

import pytest

from crm.telephony.events import CallEvent
from crm.telephony.providers import build_provider
from crm.telephony.providers.base import WebhookRequest
from crm.telephony.providers.dialer import continue_call, place_call
from crm.telephony.providers.twiml import ring_rep, voicemail
from crm.telephony.secrets import TelephonySecret
from local import telephony
from local.provision import create_secrets, generated_secret_string
from local.template import Resolver
from tests.unit.test_local_secrets import aws  # noqa: F401 - moto's Secrets Manager

REP, CUSTOMER, NOBODY_FREE = "+12125551234", "+14155552671", "+14155550111"
TEMPLATE = {"Resources": {"TelephonySecret": {"Type": "AWS::SecretsManager::Secret", "Properties": {
    "GenerateSecretString": {"SecretStringTemplate": json.dumps({key: "" for key in telephony.SECRET_KEYS
                                                                 if key != "pbx_secret"}),
                             "GenerateStringKey": "pbx_secret", "PasswordLength": 48, "ExcludePunctuation": True}}}}}


def start(client, kept_in: Path | None, base_url: str = "http://127.0.0.1:1") -> dict[str, str]:
    """One start of the local stack: the template's secrets made, then the telephony fields filled."""
    for secret in client.list_secrets()["SecretList"]:  # a new start is a new moto
        client.delete_secret(SecretId=secret["ARN"], ForceDeleteWithoutRecovery=True)
    create_secrets(TEMPLATE, Resolver(TEMPLATE), client, kept_in)
    environ: dict[str, str] = {}
    telephony.set_up_telephony(TEMPLATE, Resolver(TEMPLATE), client, kept_in, base_url, environ)
    return {**json.loads(client.get_secret_value(SecretId="TelephonySecret")["SecretString"]), **environ}


# --- the secret ---------------------------------------------------------------------------------------------------

def test_a_secret_string_template_gets_the_generated_value_at_its_key():
    value = json.loads(generated_secret_string({"SecretStringTemplate": '{"a": "", "b": "x"}',
                                                "GenerateStringKey": "a", "PasswordLength": 20}))
    assert value["b"] == "x" and len(value["a"]) == 20 and value["a"].isalnum()
    assert len(generated_secret_string({"PasswordLength": 12})) == 12
    with pytest.raises(ValueError, match="GenerateStringKey"):
        generated_secret_string({"SecretStringTemplate": '{"a": ""}'})


def test_the_empty_fields_are_filled_with_local_values_kept_across_starts(aws, tmp_path: Path):
    # Given the template's secret, generated with an empty field for each provider
    first = start(aws, tmp_path)
    # Then every field has a local value: a Twilio account sid, a Telnyx Ed25519 public key, the PBX secret
    assert first["twilio_account_sid"].startswith("AC") and len(first["twilio_account_sid"]) == 34
    assert len(base64.b64decode(first["telnyx_public_key"])) == 32 and len(first["pbx_secret"]) == 48
    assert first["TWILIO_API_URL"] == "http://127.0.0.1:1/local/providers/twilio"
    assert first["TELNYX_API_URL"] == "http://127.0.0.1:1/local/providers/telnyx"
    # And a restart on the same data folder signs with the same keys, kept where only their owner reads them
    assert start(aws, tmp_path) == first
    assert stat.S_IMODE((tmp_path / telephony.KEPT_FILE).stat().st_mode) == 0o600
    # While in memory each start makes new ones
    assert start(aws, None)["twilio_auth_token"] != start(aws, None)["twilio_auth_token"]


def test_a_value_an_admin_put_in_the_secret_is_left_alone(aws, tmp_path: Path):
    start(aws, tmp_path)
    aws.put_secret_value(SecretId="TelephonySecret", SecretString=json.dumps({"twilio_auth_token": "real"}))
    environ: dict[str, str] = {}
    telephony.set_up_telephony(TEMPLATE, Resolver(TEMPLATE), aws, tmp_path, "http://127.0.0.1:1", environ)
    values = json.loads(aws.get_secret_value(SecretId="TelephonySecret")["SecretString"])
    assert values["twilio_auth_token"] == "real" and values["pbx_secret"]


def test_without_a_telephony_secret_in_the_template_nothing_is_set_up(aws):
    environ: dict[str, str] = {}
    telephony.set_up_telephony({"Resources": {}}, Resolver({"Resources": {}}), aws, None, "http://x", environ)
    assert environ == {}


# --- the simulator against a stand-in CRM ---------------------------------------------------------------------------

class StandInCrm:
    """The local server's telephony dispatch, plus webhook routes that do what the webhook handler does with a
    request: rebuild the signed URL from TELEPHONY_PUBLIC_URL, verify, parse, continue a Telnyx click-to-call and
    answer the voice webhook with TwiML."""

    def __init__(self, secret: TelephonySecret):
        self.secret, self.events, self.refusals, self.outages = secret, [], [], 0
        crm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                self.do_POST()

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                url = urlsplit(self.path)
                path = url.path.removeprefix("/v1")
                if telephony.serve_telephony(self, path, body):
                    return
                status, answer = crm.webhook(path, url.query, dict(self.headers), body)
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()

    def webhook(self, path: str, query: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        if self.outages:
            self.outages -= 1
            return 503, b'{"message": "storage is down"}'
        name = {"/telephony/telnyx": "telnyx", "/telephony/events": "pbx"}.get(path, "twilio")
        public = os.environ["TELEPHONY_PUBLIC_URL"]
        pairs = sorted(parse_qsl(query, keep_blank_values=True))
        request = WebhookRequest(url=public + path + (f"?{urlencode(pairs)}" if pairs else ""),
                                 headers={key.lower(): value for key, value in headers.items()}, body=body,
                                 now=datetime.now(UTC))
        provider = build_provider(name, self.secret, "US")
        try:
            provider.verify(request)
        except Exception as error:
            self.refusals.append(str(error))
            return 403, b""
        events = provider.parse(request)
        self.events.extend(events)
        continue_call(name, request, public_url=public, secret=self.secret)
        if path == "/telephony/twilio/voice":
            callbacks = {"status_url": f"{public}/telephony/twilio/status",
                         "recording_url": f"{public}/telephony/twilio/recording"}
            if events[0].customer == NOBODY_FREE:
                return 200, voicemail(customer=events[0].customer, **callbacks).encode()
            return 200, ring_rep(REP, caller_id=events[0].customer, **callbacks).encode()
        return 200, b"<Response/>"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[CallEvent]:
        deadline = time.monotonic() + timeout
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.1)  # nothing more should come
        return list(self.events)


@pytest.fixture
def crm(aws, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv(telephony.STEP_SECONDS_ENV, "0.01")
    monkeypatch.setattr(telephony, "RETRY_DELAYS", (0.01, 0.01, 0.01))
    # Given the local stack's secret, and the providers' public URL on API Gateway's stage path
    server = StandInCrm(TelephonySecret())
    values = start(aws, tmp_path, server.url)
    server.secret = TelephonySecret(**{key: values[key] for key in telephony.SECRET_KEYS})
    for name in ("TWILIO_API_URL", "TELNYX_API_URL"):
        monkeypatch.setenv(name, values[name])
    monkeypatch.setenv("TELEPHONY_PUBLIC_URL", f"{server.url}/v1")
    yield server
    server.server.shutdown()
    server.server.server_close()


def ring(crm: StandInCrm, **request) -> dict:
    with urlopen(Request(f"{crm.url}/local/phone/ring", data=json.dumps(request).encode(), method="POST")) as answer:
        assert answer.status == 202
        return json.loads(answer.read())


def stages(events: list[CallEvent]) -> list[tuple[str, str | None]]:
    return [(event.event, event.status) for event in events]


def test_a_customer_ringing_through_twilio_is_routed_answered_and_recorded(crm):
    # When a customer rings the CRM's Twilio number and the rep the CRM's TwiML rings answers
    answer = ring(crm, **{"from": CUSTOMER, "provider": "twilio", "talk_seconds": 30})
    events = crm.wait_for(6)
    # Then the CRM got the signed voice webhook, the rep leg's status callbacks and the recording, all verified
    assert crm.refusals == []
    assert stages(events) == [("ringing", "ringing"), ("ringing", "initiated"), ("ringing", "ringing"),
                              ("answered", "answered"), ("ended", "completed"), ("recording", None)]
    assert {event.call_id for event in events} == {answer["call_id"]}
    assert {(event.direction, event.customer) for event in events} == {("inbound", CUSTOMER)}
    assert events[3].rep.value == REP and events[4].duration_seconds == 30
    # And the recording is the local audio file
    with urlopen(events[5].recording_url) as audio:
        assert audio.headers["Content-Type"] == "audio/wav" and audio.read(4) == b"RIFF"


@pytest.mark.parametrize(("outcome", "last"), [("no-answer", ("ended", "no-answer")), ("busy", ("ended", "busy")),
                                               ("canceled", ("ended", "canceled"))])
def test_a_missed_twilio_call_ends_as_the_rep_left_it(crm, outcome, last):
    ring(crm, **{"from": CUSTOMER, "outcome": outcome})
    events = crm.wait_for(3 if outcome == "busy" else 4)
    assert stages(events)[-1] == last and all(event.event != "recording" for event in events)


def test_nobody_free_takes_a_voicemail(crm):
    ring(crm, **{"from": NOBODY_FREE})
    events = crm.wait_for(3)
    assert stages(events) == [("ringing", "ringing"), ("recording", None), ("recording", None)]
    assert events[1].key == events[2].key  # the <Record> action and the recording callback: one recording


def test_a_twilio_click_to_call_is_logged_as_the_customers_call(crm):
    # When a rep clicks Call with Twilio configured
    call_id = place_call("twilio", REP, CUSTOMER, public_url=os.environ["TELEPHONY_PUBLIC_URL"], secret=crm.secret)
    events = crm.wait_for(5)
    # Then the simulator rang the rep, ran the TwiML and reported the customer's leg under the call's id
    assert crm.refusals == []
    assert stages(events) == [("ringing", "initiated"), ("ringing", "ringing"), ("answered", "answered"),
                              ("ended", "completed"), ("recording", None)]
    assert {(event.call_id, event.direction, event.customer) for event in events} == {(call_id, "outbound", CUSTOMER)}
    assert events[2].rep.value == REP and events[2].line == crm.secret.twilio_number
    [shown] = [call for call in telephony.calls() if call["call_id"] == call_id]
    assert shown["kind"] == "click-to-call" and shown["request"]["To"] == REP


def test_a_telnyx_click_to_call_bridges_the_customer_once_the_rep_answers(crm):
    call_id = place_call("telnyx", REP, CUSTOMER, public_url=os.environ["TELEPHONY_PUBLIC_URL"], secret=crm.secret)
    events = crm.wait_for(4)
    assert crm.refusals == []
    assert stages(events) == [("ringing", "initiated"), ("answered", "answered"), ("ended", "completed"),
                              ("recording", None)]
    assert {(event.call_id, event.direction, event.customer) for event in events} == {(call_id, "outbound", CUSTOMER)}
    assert events[1].rep.value == REP


def test_a_customer_ringing_through_telnyx(crm):
    answer = ring(crm, **{"from": CUSTOMER, "provider": "telnyx"})
    events = crm.wait_for(4)
    assert crm.refusals == []
    assert stages(events) == [("ringing", "initiated"), ("answered", "answered"), ("ended", "completed"),
                              ("recording", None)]
    assert {event.call_id for event in events} == {answer["call_id"]}


def test_a_customer_ringing_through_a_pbx(crm):
    ring(crm, **{"from": CUSTOMER, "provider": "pbx", "extension": "201", "outcome": "no-answer"})
    events = crm.wait_for(2)
    assert crm.refusals == []
    assert stages(events) == [("ringing", "ringing"), ("ended", "no-answer")]
    assert events[0].rep.kind == "extension" and events[0].rep.value == "201"


def test_a_webhook_the_crm_could_not_store_is_sent_again(crm):
    # Given the CRM's storage fails twice
    crm.outages = 2
    # When a PBX reports a ringing call
    answer = ring(crm, **{"from": CUSTOMER, "provider": "pbx", "outcome": "busy"})
    events = crm.wait_for(2)
    # Then the webhook is retried until the CRM takes it, and /calls shows every attempt
    assert stages(events) == [("ringing", "ringing"), ("ended", "busy")]
    [shown] = [call for call in telephony.calls() if call["call_id"] == answer["call_id"]]
    assert [(hook["event"], hook["status"]) for hook in shown["webhooks"]][:3] == [
        ("ringing", 503), ("ringing (retry 1)", 503), ("ringing (retry 2)", 200)]


# --- the pages and refusals -------------------------------------------------------------------------------------------

def test_local_telephony_tells_every_url_and_key(crm):
    with urlopen(f"{crm.url}/local/telephony") as answer:
        info = json.loads(answer.read())
    assert info["webhooks"]["twilio_voice"] == f"{crm.url}/v1/telephony/twilio/voice"
    assert info["post_to"]["pbx"] == f"{crm.url}/telephony/events"
    assert info["twilio"]["auth_token"] == crm.secret.twilio_auth_token
    assert info["pbx"]["secret"] == crm.secret.pbx_secret
    from nacl.signing import SigningKey

    key = SigningKey(base64.b64decode(info["telnyx"]["private_key"]))
    assert base64.b64encode(bytes(key.verify_key)).decode() == info["telnyx"]["public_key"]


def test_the_calls_page_and_the_phone_page(crm):
    ring(crm, **{"from": CUSTOMER, "provider": "pbx"})
    crm.wait_for(4)
    with urlopen(f"{crm.url}/calls") as page:
        text = page.read().decode()
    assert "pbx · inbound" in text and "/telephony/events" in text
    with urlopen(f"{crm.url}/phone.html") as page:
        assert "/local/phone/ring" in page.read().decode()


@pytest.mark.parametrize(("path", "headers", "body"), [
    ("/local/providers/twilio/2010-04-01/Accounts/ACnope/Calls.json", {}, b"To=1"),
    ("/local/providers/telnyx/v2/calls", {"Authorization": "Bearer wrong"}, b"{}"),
    ("/local/phone/ring", {}, b'{"from": ""}'),
    ("/local/phone/ring", {}, b'{"from": "+14155552671", "outcome": "maybe"}'),
])
def test_the_simulator_refuses_what_the_provider_would(crm, path, headers, body):
    with pytest.raises(HTTPError) as error:
        urlopen(Request(f"{crm.url}{path}", data=body, headers=headers, method="POST"))
    assert error.value.code in (400, 401, 404)
