"""Call recordings end to end on the local pieces (T3): a "recording ready" event puts a message on the recordings
queue (moto's SQS, made from the template), the worker's handler copies the provider's audio (served here over
loopback HTTP, as the local runner does) into the recordings bucket (moto's S3) and links it to the call; the board
API hands out a short-lived link only to who may see the call's records; erasing the lead deletes the audio; the
timelines carry the call's details."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from local.lambda_dispatch import invoke_function
from local.queues import QueuePoller, sqs_event
from local.template import Resolver, function_specs, load_template, queue_url
from tests.integration.conftest import SENDER
from tests.integration.test_board_api import MANAGER, REP_A, REP_B, board  # noqa: F401  # board: a fixture

WORKER = "RecordingsWorkerFunction"
AUDIO = b"ID3\x04\x00" + bytes(range(256)) * 64  # an MP3's first bytes, and some more
PHONE, REP_A_PHONE = "+4915112345678", "+4930901820"
SID, TOKEN = "AC0123456789abcdef0123456789abcdef", "local-auth-token"
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@dataclass
class Provider:
    """The provider's recording URLs on loopback: /audio/<id>.mp3 answers the audio, /broken/<id> a 500."""

    url: str
    requests: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def provider() -> Iterator[Provider]:
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append({"path": self.path, "authorization": self.headers.get("Authorization", "")})
            if self.path.startswith("/audio/"):
                self.send_response(200)
                self.send_header("Content-Type", "audio/mpeg")
                self.send_header("Content-Length", str(len(AUDIO)))
                self.end_headers()
                self.wfile.write(AUDIO)
            else:
                self.send_error(500, "recording not ready")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Provider(f"http://127.0.0.1:{server.server_address[1]}", seen)
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Worker:
    spec: Any
    bucket: str

    def run(self) -> None:
        """Everything on the recordings queue, as Lambda's SQS poller would, until it is empty."""
        QueuePoller([self.spec], invoke_function, boto3.client("sqs")).drain()

    def deliver(self, message: dict[str, Any], receive_count: int = 1) -> dict[str, Any]:
        event = sqs_event("RecordingsQueue", [message])
        event["Records"][0]["attributes"]["ApproximateReceiveCount"] = str(receive_count)
        return invoke_function(self.spec, event)

    def objects(self) -> dict[str, bytes]:
        s3 = boto3.client("s3")
        listed = s3.list_objects_v2(Bucket=self.bucket).get("Contents", [])
        return {item["Key"]: s3.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read() for item in listed}


@pytest.fixture
def worker(crm, monkeypatch: pytest.MonkeyPatch) -> Worker:
    from crm.integrations.secrets import secret_string
    from crm.settings import get_settings

    template = load_template()
    resolver = Resolver(template, {"SenderAddress": SENDER})
    [spec] = [spec for spec in function_specs(template, resolver) if spec.logical_id == WORKER]
    bucket = resolver.physical_name("RecordingsBucket")
    secret = boto3.client("secretsmanager").create_secret(
        Name="telephony-test", SecretString=json.dumps({"twilio_account_sid": SID, "twilio_auth_token": TOKEN}))
    monkeypatch.setenv("RECORDINGS_BUCKET", bucket)
    monkeypatch.setenv("RECORDINGS_QUEUE_URL", queue_url("RecordingsQueue"))
    monkeypatch.setenv("TELEPHONY_SECRET", secret["ARN"])
    get_settings.cache_clear()
    secret_string.cache_clear()
    return Worker(spec, bucket)


def waiting(queue: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue_url(queue), AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def a_lead_with_phone(owner: str = REP_A) -> str:
    from crm.models.leads import LeadSubmission
    from crm.services.intake import IntakeOptions, submit_lead

    return submit_lead(LeadSubmission(name="Jonas Weber", phone=PHONE, email="jonas@example.com", source="web_page"),
                       T0, IntakeOptions(owner_id=owner, start_automation=False)).lead_id


def a_recorded_call(provider: Provider, path: str = "/audio/RE1.mp3", call: str = "CA1") -> str:
    """An answered inbound call from the lead, ended after 75 s, then its recording ready (as the webhook takes it
    in: the event recorded, the message queued); the call's id."""
    from crm.services.calls import record_call_event
    from crm.services.recordings import queue_recording
    from crm.telephony.events import CallEvent, RepHint

    common = {"provider": "twilio", "call_id": call, "direction": "inbound", "customer": PHONE,
              "rep": RepHint(kind="phone", value=REP_A_PHONE)}
    record_call_event(CallEvent(**common, event="ringing", occurred_at=T0, status="ringing"), T0)
    record_call_event(CallEvent(**common, event="answered", occurred_at=T0 + timedelta(seconds=5),
                                status="answered"), T0)
    record_call_event(CallEvent(**common, event="ended", occurred_at=T0 + timedelta(seconds=80),
                                status="completed", duration_seconds=75), T0)
    ready = CallEvent(**common, event="recording", occurred_at=T0 + timedelta(seconds=81),
                      recording_url=f"{provider.url}{path}", recording_id="RE1")
    result = record_call_event(ready, T0)
    queue_recording(result.call, ready)
    return result.call.call_id


def test_a_recording_is_fetched_with_the_providers_auth_stored_privately_and_linked_to_its_call(crm, worker,
                                                                                                provider):
    from crm.data.calls import get_call

    a_lead_with_phone()
    call_id = a_recorded_call(provider)
    assert get_call(call_id).recording_status == "pending"
    # When the worker takes the queue's message
    worker.run()
    # Then the audio is in the bucket under the call, as the provider sent it, and the call points at it
    call = get_call(call_id)
    assert call.recording_status == "stored"
    assert call.recording_key == f"calls/{call_id}/RE1.mp3"
    assert worker.objects() == {call.recording_key: AUDIO}
    head = boto3.client("s3").head_object(Bucket=worker.bucket, Key=call.recording_key)
    assert head["ContentType"] == "audio/mpeg"
    # And Twilio's link was fetched with the account's basic auth (the telephony secret)
    [fetched] = provider.requests
    from base64 import b64encode

    assert fetched["authorization"] == "Basic " + b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert waiting("RecordingsQueue") == 0 and waiting("RecordingsDeadLetterQueue") == 0


def test_a_redelivered_message_stores_the_recording_once(crm, worker, provider):
    from crm.data.calls import get_call

    a_lead_with_phone()
    call_id = a_recorded_call(provider)
    [message] = boto3.client("sqs").receive_message(QueueUrl=queue_url("RecordingsQueue"))["Messages"]
    # When SQS gives the same message twice (at-least-once delivery)
    assert worker.deliver(message, 1) == {"batchItemFailures": []}
    revision = int(get_call(call_id).revision)
    assert worker.deliver(message, 2) == {"batchItemFailures": []}
    # Then the provider was asked once, one object is kept, and the call was not written again
    assert len(provider.requests) == 1
    assert len(worker.objects()) == 1
    assert int(get_call(call_id).revision) == revision


def test_a_failed_download_is_retried_then_dead_lettered_and_nothing_is_linked(crm, worker, provider):
    from crm.data.calls import get_call

    # Given a queue that gives a failed message back at once (its visibility timeout is minutes on AWS)
    boto3.client("sqs").set_queue_attributes(QueueUrl=queue_url("RecordingsQueue"),
                                             Attributes={"VisibilityTimeout": "0"})
    a_lead_with_phone()
    call_id = a_recorded_call(provider, path="/broken/RE1")
    [message] = boto3.client("sqs").receive_message(QueueUrl=queue_url("RecordingsQueue"))["Messages"]
    # When the provider answers 500: the handler reports the message as failed, so SQS gives it again
    assert worker.deliver(message, 1) == {"batchItemFailures": [{"itemIdentifier": message["MessageId"]}]}
    # And after every attempt the queue allows (template.yaml: maxReceiveCount), the message is dead-lettered
    worker.run()
    assert waiting("RecordingsQueue") == 0 and waiting("RecordingsDeadLetterQueue") == 1
    [dead] = boto3.client("sqs").receive_message(QueueUrl=queue_url("RecordingsDeadLetterQueue"))["Messages"]
    assert json.loads(dead["Body"]) == {"call_id": call_id, "provider": "twilio", "recording_id": "RE1",
                                        "url": f"{provider.url}/broken/RE1"}
    redrive = json.loads(boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue_url("RecordingsQueue"), AttributeNames=["RedrivePolicy"])["Attributes"]["RedrivePolicy"])
    assert len(provider.requests) == int(redrive["maxReceiveCount"])  # one download a receive, the first one's too
    call = get_call(call_id)
    assert call.recording_status == "pending" and call.recording_key is None
    assert worker.objects() == {}


def test_a_recording_url_must_be_https_but_for_the_local_loopback(crm, worker):
    from crm.services.recordings import RecordingDownloadError, _download

    with pytest.raises(RecordingDownloadError, match="refusing"):
        _download("http://example.com/recording.mp3", {}, None)  # type: ignore[arg-type]
    with pytest.raises(RecordingDownloadError, match="refusing"):
        _download("file:///etc/passwd", {}, None)  # type: ignore[arg-type]


def test_the_recording_link_is_for_who_may_see_the_calls_records(crm, worker, provider, board):
    a_lead_with_phone(owner=REP_A)
    call_id = a_recorded_call(provider)
    worker.run()
    # The lead's owner gets a five-minute presigned link to the audio
    answer = board.call("GET", f"/api/calls/{call_id}/recording", REP_A)
    assert answer.status_code == 200, answer.text
    link = answer.json()
    parts = urlsplit(link["url"])
    assert parts.path.endswith(f"/calls/{call_id}/RE1.mp3") and worker.bucket in link["url"]
    assert parse_qs(parts.query)["X-Amz-Expires"] == ["300"]
    assert link["expires_at"] > datetime.now(UTC).isoformat()
    # A manager may see every rep's records, so the recording too
    assert board.call("GET", f"/api/calls/{call_id}/recording", MANAGER).status_code == 200
    # Another rep gets the same 404 as for a call that does not exist
    other = board.call("GET", f"/api/calls/{call_id}/recording", REP_B)
    unknown = board.call("GET", "/api/calls/0123456789abcdef0123456789abcdef/recording", REP_B)
    assert other.status_code == unknown.status_code == 404
    assert other.json()["message"].replace(call_id, "?") == unknown.json()["message"].replace(
        "0123456789abcdef0123456789abcdef", "?")


def test_a_call_without_a_stored_recording_has_no_link(crm, worker, provider, board):
    a_lead_with_phone()
    call_id = a_recorded_call(provider)  # queued, not fetched yet
    assert board.call("GET", f"/api/calls/{call_id}/recording", REP_A).status_code == 404


def test_erasing_the_lead_deletes_its_recordings(crm, worker, provider):
    from crm.data.calls import get_call
    from crm.data.people import get_user
    from crm.services.deletion import approve_deletion, request_deletion

    lead_id = a_lead_with_phone()
    call_id = a_recorded_call(provider)
    worker.run()
    assert len(worker.objects()) == 1
    # When the lead's erasure is asked for and approved (L9)
    request_deletion(lead_id, "GDPR request", get_user(REP_A), T0)
    approve_deletion(lead_id, get_user(MANAGER), None, T0)
    # Then the audio is gone from the bucket and the call no longer points at it
    assert worker.objects() == {}
    call = get_call(call_id)
    assert call.recording_key is None and call.recording_status == "erased"
    # And a retried approval, or a late redelivery of the recording's message, brings nothing back
    approve_deletion(lead_id, get_user(MANAGER), None, T0)
    [message] = [{"MessageId": "m1", "ReceiptHandle": "r1", "Body": json.dumps({
        "call_id": call_id, "provider": "twilio", "recording_id": "RE1", "url": f"{provider.url}/audio/RE1.mp3"})}]
    assert worker.deliver(message) == {"batchItemFailures": []}
    assert worker.objects() == {}


def test_the_timelines_show_the_calls_details(crm, worker, provider):
    from crm.data.people import get_user
    from crm.services.lead_view import lead_view
    from crm.services.records import timeline_page

    lead_id = a_lead_with_phone()
    call_id = a_recorded_call(provider)
    worker.run()
    expected = {"status": "completed", "direction": "inbound", "customer": PHONE,
                "ringing_at": "2026-12-07T09:00:00Z", "answered_at": "2026-12-07T09:00:05Z",
                "ended_at": "2026-12-07T09:01:20Z", "duration_seconds": 75, "rep_id": REP_A,
                "rep_name": "Anna Schmidt", "has_recording": True}
    viewer = get_user(REP_A)
    [event] = [event for event in timeline_page("lead", lead_id, viewer)["events"] if event["type"] == "call"]
    assert event["data"]["call_id"] == call_id
    assert _times_as_z(event["data"]["call"]) == expected
    [shown] = [event for event in lead_view(lead_id, viewer)["timeline"] if event["type"] == "call"]
    assert _times_as_z(shown["data"]["call"]) == expected


def _times_as_z(call: dict) -> dict:
    """The call's times, however crm.clock writes UTC, as ...Z to the second."""
    from crm.clock import from_iso

    return {key: from_iso(value).strftime("%Y-%m-%dT%H:%M:%SZ") if key.endswith("_at") and value else value
            for key, value in call.items()}
