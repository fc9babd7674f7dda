"""Jobs end to end on the local pieces: the board API starts an export or a mass email (202 and the job), the jobs
queue holds its messages (moto's SQS, made from the template), the worker's handler runs them as Lambda's SQS poller
would (local/queues.py), and GET /api/jobs/{job_id} shows the progress and a finished export's presigned link.

The worker's clock is a fake one: the spacing of sends under the SES rate is checked without waiting for it.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import requests

from local.lambda_dispatch import invoke_function
from local.queues import QueuePoller, sqs_event
from local.template import Resolver, function_specs, load_template, queue_url
from tests.integration.conftest import SENDER
from tests.integration.test_board_api import MANAGER, REP_A, REP_B, Board, board  # noqa: F401  # board: a fixture
from tests.integration.test_lists_api import a_lead

WORKER = "JobsWorkerFunction"


@dataclass
class FakeClock:
    """The worker's monotonic clock and sleep: time moves only when the worker sleeps."""

    now: float = 0.0
    slept: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


@dataclass
class Worker:
    poller: QueuePoller
    clock: FakeClock
    spec: Any

    def run(self) -> None:
        """Everything on the jobs queue, until it is empty."""
        self.poller.drain()

    def deliver(self, message: dict[str, Any], receive_count: int) -> dict[str, Any]:
        """One delivery of `message` (as received from the queue), as its `receive_count`-th: the handler's answer."""
        event = sqs_event("JobsQueue", [message])
        event["Records"][0]["attributes"]["ApproximateReceiveCount"] = str(receive_count)
        return invoke_function(self.spec, event)


@pytest.fixture
def worker(crm, monkeypatch: pytest.MonkeyPatch) -> Worker:
    from crm.services import jobs_worker
    from crm.settings import get_settings

    template = load_template()
    [spec] = [spec for spec in function_specs(template, Resolver(template, {"SenderAddress": SENDER}))
              if spec.logical_id == WORKER]
    for name in ("MASS_EMAIL_RATE", "JOB_CONCURRENCY", "JOB_MAX_RECEIVES"):  # the template's, as on AWS
        monkeypatch.setenv(name, spec.environment[name])
    get_settings.cache_clear()
    clock = FakeClock()
    monkeypatch.setattr(jobs_worker, "sleep", clock.sleep)
    monkeypatch.setattr(jobs_worker, "monotonic", clock.monotonic)
    return Worker(QueuePoller([spec], invoke_function, boto3.client("sqs")), clock, spec)


def waiting(queue: str = "JobsQueue") -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=queue_url(queue), AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def mass_email(board: Board, key: str, **body: Any) -> requests.Response:
    from crm.data.email_templates import email_templates

    request = {"kind": "leads", "filters": {"cycle": "nurturable"}, "template_id": next(iter(email_templates())),
               **body}
    return board.call("POST", "/api/mass-email", REP_A, request, headers={"Idempotency-Key": key})


def job(board: Board, job_id: str, user: str = REP_A) -> dict[str, Any]:
    response = board.call("GET", f"/api/jobs/{job_id}", user)
    assert response.status_code == 200, response.text
    return response.json()


def recipients(crm, since: int) -> list[str]:
    """Whom each email sent since `since` went to, one address per email."""
    return [_address(message) for message in crm.emails()[since:]]


def _address(message: Any) -> str:
    [address] = {address.rpartition("<")[2].rstrip(">") for address in message.destinations}
    return address


def lead_emails(lead_ids: list[str]) -> set[str]:
    from crm.data.leads import get_lead

    return {get_lead(lead_id).email for lead_id in lead_ids}


# --- mass email ------------------------------------------------------------------------------------------------

def test_mass_email_is_a_job_sent_a_chunk_per_message_spaced_under_the_send_rate(board, crm, worker):
    # Given 23 of rep A's nurturable leads who may get marketing email, one without consent, and rep B's lead
    allowed = [a_lead(REP_A, f"Lead {number}") for number in range(23)]
    a_lead(REP_A, "No Consent", consent=False)
    a_lead(REP_B, "Bela's")
    before = len(crm.emails())
    # When rep A sends a template to them
    started = mass_email(board, "mass-1")
    # Then the API answers at once with a queued job whose recipients were resolved: no email has gone out yet
    assert started.status_code == 202, started.text
    body = started.json()
    assert (body["kind"], body["status"], body["done"], body["total"], body["sent"], body["skipped"]) == (
        "mass_email", "queued", 0, 23, 0, 1)
    assert body["blocked"] == {"no_consent": 1} and body["selected"] == 24 and body["over_cap"] == 0
    assert len(crm.emails()) == before
    # And its 23 recipients wait on the jobs queue in chunks of 10: three messages
    assert waiting() == 3
    # When the request is retried with the same Idempotency-Key
    retried = mass_email(board, "mass-1")
    # Then it finds the same job and queues nothing more
    assert retried.status_code == 202 and retried.json()["job_id"] == body["job_id"] and waiting() == 3
    # When the worker runs the queue
    worker.run()
    # Then every allowed lead got the email once, and the job is done with its counts
    assert sorted(recipients(crm, before)) == sorted(lead_emails(allowed))
    finished = job(board, body["job_id"])
    assert (finished["status"], finished["done"], finished["total"], finished["sent"], finished["skipped"]) == (
        "done", 23, 23, 23, 1)
    assert finished["finished_at"] and finished["error"] is None
    # And within each chunk the sends were 2 s apart: 1 email a second (MassEmailRate) shared by 2 workers
    assert worker.clock.slept == [2.0] * (9 + 9 + 2)


def test_a_redelivered_chunk_sends_to_nobody_twice_and_counts_once(board, crm, worker, monkeypatch):
    from botocore.exceptions import ClientError

    from crm.services import record_email

    # Given a mass email to three leads, its one message taken off the queue
    allowed = [a_lead(REP_A, f"Lead {number}") for number in range(3)]
    job_id = mass_email(board, "mass-2").json()["job_id"]
    [message] = boto3.client("sqs").receive_message(QueueUrl=queue_url("JobsQueue"),
                                                    MessageSystemAttributeNames=["All"])["Messages"]
    # And SES refuses the second email of the first delivery (throttled)
    real_send, calls = record_email.send_email, []

    def throttled_once(*args: Any, **kwargs: Any) -> str:
        calls.append(args[0])
        if len(calls) == 2:
            raise ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "slow down"}}, "SendEmail")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(record_email, "send_email", throttled_once)
    before = len(crm.emails())
    # When it is delivered, fails, and is delivered twice more (SQS delivers at least once)
    first = worker.deliver(message, 1)
    second = worker.deliver(message, 2)
    third = worker.deliver(message, 3)
    # Then the first delivery reported the message as failed, and the retries went through
    assert first == {"batchItemFailures": [{"itemIdentifier": message["MessageId"]}]}
    assert second == third == {"batchItemFailures": []}
    # And each lead got exactly one email: the first lead's was not sent again, the refused one was sent by the retry
    assert sorted(recipients(crm, before)) == sorted(lead_emails(allowed))
    # And the job counted the chunk once
    finished = job(board, job_id)
    assert (finished["status"], finished["sent"], finished["done"]) == ("done", 3, 3)


def test_a_mass_email_skips_and_reports_a_recipient_it_cannot_send_to_and_a_retry_resends_nothing(
        board, crm, worker, monkeypatch):
    from botocore.exceptions import ClientError

    from crm.integrations import email

    # Given a mass email to four leads: one stored with a line break in the name (from before intake cleaned names),
    # one whose address SES refuses, and two it can send to
    broken = a_lead(REP_A, "Mallory\r\nBcc: victim@evil.example")
    rejected = a_lead(REP_A, "Rita Rejected", email="rita@rejected.example")
    good = [a_lead(REP_A, f"Lead {number}") for number in range(2)]
    job_id = mass_email(board, "mass-bad").json()["job_id"]
    [message] = boto3.client("sqs").receive_message(QueueUrl=queue_url("JobsQueue"),
                                                    MessageSystemAttributeNames=["All"])["Messages"]
    # And SES, which refuses Rita's address every time and is throttled once on a good lead
    ses, throttled = email.client("sesv2"), []
    once = lead_emails(good[:1]).pop()

    class Ses:
        def send_email(self, **request: Any) -> dict:
            [to] = request["Destination"]["ToAddresses"]
            if to == "rita@rejected.example":
                raise ClientError({"Error": {"Code": "MessageRejected", "Message": "Address blacklisted"}}, "SendEmail")
            if to == once and not throttled:
                throttled.append(to)
                raise ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "slow down"}}, "SendEmail")
            return ses.send_email(**request)

    monkeypatch.setattr(email, "client", lambda name: Ses())
    before = len(crm.emails())
    # When the chunk is delivered, fails on the throttling, and is delivered again
    first = worker.deliver(message, 1)
    second = worker.deliver(message, 2)
    # Then only the throttling failed the first delivery: the bad recipients were skipped, not raised
    assert first == {"batchItemFailures": [{"itemIdentifier": message["MessageId"]}]}
    assert second == {"batchItemFailures": []}
    # And each good lead got exactly one email, and nobody else got any
    assert sorted(recipients(crm, before)) == sorted(lead_emails(good))
    # And the job is done, reporting who was skipped and why, counted once
    finished = job(board, job_id)
    assert (finished["status"], finished["sent"], finished["skipped"], finished["done"]) == ("done", 2, 2, 4)
    assert sorted((skipped["record_id"], skipped["reason"]) for skipped in finished["refused"]) == sorted(
        [(broken, "email_unsendable"), (rejected, "email_unsendable")])


def test_a_mass_email_to_nobody_is_done_as_it_starts(board, crm, worker):
    a_lead(REP_A, "No Consent", consent=False)
    started = mass_email(board, "mass-3")
    assert started.status_code == 202, started.text
    assert (started.json()["status"], started.json()["total"], started.json()["skipped"]) == ("done", 0, 1)
    assert waiting() == 0


# --- export ----------------------------------------------------------------------------------------------------

def export_rows(url: str) -> tuple[requests.Response, list[dict[str, str]]]:
    response = requests.get(url, timeout=10)
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return response, list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_an_export_lands_in_the_results_bucket_behind_a_short_lived_link(board, crm, worker):
    # Given 120 of rep A's nurturable leads (more than a page), one with a formula for a name, and rep B's lead
    many = [a_lead(REP_A, f"Lead {number}") for number in range(120)]
    formula = a_lead(REP_A, "=HYPERLINK(\"http://x\")", company="Ünïcode AG")
    a_lead(REP_A, "Buyer", cycle="expected_buyer")
    a_lead(REP_B, "Bela's")
    # When rep A exports the nurturable leads
    started = board.call("POST", "/api/lists/leads/export", REP_A, headers={"Idempotency-Key": "export-1"},
                         cycle="nurturable")
    # Then a queued export job answers at once, named for the list and the day, without a link yet
    assert started.status_code == 202, started.text
    body = started.json()
    today = datetime.now(UTC).date().isoformat()
    assert (body["kind"], body["list"], body["status"], body["filename"]) == (
        "export", "leads", "queued", f"leads-{today}.csv")
    assert "download_url" not in job(board, body["job_id"])
    # When the worker runs it
    worker.run()
    # Then the job is done with its row count and a link that expires within minutes
    finished = job(board, body["job_id"])
    assert (finished["status"], finished["rows"], finished["total"]) == ("done", 121, 121)
    expires = datetime.fromisoformat(finished["download_expires_at"].replace("Z", "+00:00"))
    assert 0 < (expires - datetime.now(UTC)).total_seconds() <= 300
    # And the link downloads the file from the private bucket: an attachment of exactly rep A's nurturable leads,
    # the formula made inert
    response, table = export_rows(finished["download_url"])
    assert response.headers["Content-Disposition"] == f'attachment; filename="leads-{today}.csv"'
    assert response.headers["Content-Type"].startswith("text/csv")
    assert [row["id"] for row in table] == [formula, *many[::-1]]
    assert table[0]["name"] == "'=HYPERLINK(\"http://x\")" and table[0]["company"] == "Ünïcode AG"
    # And the file is under exports/, which the bucket's lifecycle expires
    keys = [item["Key"] for item in boto3.client("s3").list_objects_v2(Bucket="job-results-bucket")["Contents"]]
    assert keys == [f"exports/{body['job_id']}/leads-{today}.csv"]


def test_who_may_export_what_and_see_which_job(board, crm, worker):
    a_lead(REP_B, "Bela's")
    # A rep may not export another rep's list: refused when it starts, nothing queued
    assert board.call("POST", "/api/lists/leads/export", REP_A, owner=REP_B).status_code == 403
    assert board.call("POST", "/api/lists/leads/export", REP_A, cycle="lukewarm").status_code == 422
    assert waiting() == 0
    # The manager exports rep B's leads; a retried start with the same key is the same job
    first = board.call("POST", "/api/lists/leads/export", MANAGER, headers={"Idempotency-Key": "k"}, owner=REP_B)
    again = board.call("POST", "/api/lists/leads/export", MANAGER, headers={"Idempotency-Key": "k"}, owner=REP_B)
    assert first.status_code == again.status_code == 202 and first.json()["job_id"] == again.json()["job_id"]
    assert waiting() == 1
    worker.run()
    _, table = export_rows(job(board, first.json()["job_id"], MANAGER)["download_url"])
    assert [row["owner_id"] for row in table] == [REP_B]
    # A rep's job is theirs: another rep gets 404 for it (as for an unknown job), the manager sees it
    mine = board.call("POST", "/api/lists/leads/export", REP_A).json()["job_id"]
    assert board.call("GET", f"/api/jobs/{mine}", REP_B).status_code == 404
    assert board.call("GET", "/api/jobs/no-such-job", REP_A).status_code == 404
    assert job(board, mine, MANAGER)["owner_id"] == REP_A


def test_a_long_export_goes_up_in_parts_and_hands_over_to_a_new_message(board, crm, worker, monkeypatch):
    import moto.s3.models

    from crm.services import jobs_worker

    # Given parts of 2 KB (S3 wants 5 MiB but for the last; moto is told the same) and no time left after a part
    monkeypatch.setattr(jobs_worker, "EXPORT_PART_BYTES", 2_000)
    monkeypatch.setattr(moto.s3.models, "S3_UPLOAD_PART_MIN_SIZE", 2_000)
    handovers: list[int] = []

    def out_of_time(remaining_ms: int, last_part_ms: float) -> bool:
        handovers.append(remaining_ms)
        return False

    monkeypatch.setattr(jobs_worker, "room_for_another_part", out_of_time)
    leads = [a_lead(REP_A, f"Lead {number}") for number in range(130)]
    # When rep A exports them
    job_id = board.call("POST", "/api/lists/leads/export", REP_A).json()["job_id"]
    worker.run()
    # Then each page went up as a part, each invocation handed over to the next message, and the file is whole
    finished = job(board, job_id)
    assert (finished["status"], finished["rows"]) == ("done", 130)
    assert len(handovers) == 1  # two pages of 100 and 30 rows: two parts, one handover between them
    _, table = export_rows(finished["download_url"])
    assert [row["id"] for row in table] == leads[::-1]


# --- failures ----------------------------------------------------------------------------------------------------

def test_a_job_that_fails_every_attempt_is_failed_and_its_message_goes_to_the_dead_letter_queue(board, crm, worker,
                                                                                               monkeypatch):
    from crm.services import lists

    # Given a queue that gives a failed message back at once (its visibility timeout is minutes on AWS)
    boto3.client("sqs").set_queue_attributes(QueueUrl=queue_url("JobsQueue"), Attributes={"VisibilityTimeout": "0"})
    # And an export whose rows cannot be read
    a_lead(REP_A, "Hanna")

    def broken(*args: Any) -> list:
        raise RuntimeError("the rows could not be read")

    monkeypatch.setattr(lists, "rows", broken)
    job_id = board.call("POST", "/api/lists/leads/export", REP_A).json()["job_id"]
    # When the worker tries it, as often as SQS gives it
    worker.run()
    # Then the last attempt the queue allows (3) marked the job failed, saying why
    failed = job(board, job_id)
    assert failed["status"] == "failed" and failed["error"] == "RuntimeError: the rows could not be read"
    assert "download_url" not in failed
    # And the message left the jobs queue for its dead-letter queue, where the alarm watches
    assert waiting() == 0 and waiting("JobsDeadLetterQueue") == 1
    [dead] = boto3.client("sqs").receive_message(QueueUrl=queue_url("JobsDeadLetterQueue"))["Messages"]
    assert json.loads(dead["Body"]) == {"job_id": job_id}


def test_a_job_whose_owner_left_fails_at_once(board, crm, worker):
    from crm.data.people import get_user

    a_lead(REP_A, "Hanna")
    job_id = board.call("POST", "/api/lists/leads/export", REP_A).json()["job_id"]
    anna = get_user(REP_A)
    anna.update(actions=[type(anna).active.set(False)])
    worker.run()
    failed = job(board, job_id, MANAGER)
    assert failed["status"] == "failed" and REP_A in failed["error"]
    assert waiting() == 0 and waiting("JobsDeadLetterQueue") == 0



def test_who_unsubscribed_after_the_start_is_skipped_when_their_turn_comes(board, crm, worker):
    from crm.data.leads import LeadItem, get_lead

    # Given a mass email started to three leads
    leads = [a_lead(REP_A, f"Lead {number}") for number in range(3)]
    job_id = mass_email(board, "mass-4").json()["job_id"]
    # When one of them unsubscribes before the worker gets to them
    gone = get_lead(leads[1])
    gone.update(actions=[LeadItem.unsubscribed_at.set("2030-01-05T00:00:00Z")])
    before = len(crm.emails())
    worker.run()
    # Then the rules, checked again at the send, skip them; the others get it
    assert sorted(recipients(crm, before)) == sorted(lead_emails([leads[0], leads[2]]))
    finished = job(board, job_id)
    assert (finished["status"], finished["sent"], finished["skipped"], finished["done"]) == ("done", 2, 1, 3)


def test_an_export_whose_completion_was_cut_short_is_finished_by_the_retry(board, crm, worker, monkeypatch):
    from botocore.exceptions import ClientError

    from crm.data import jobs as store
    from crm.data.jobs import JobItem
    from crm.integrations.aws import client

    # Given an export whose invocation completed the upload but stopped before marking the job done
    boto3.client("sqs").set_queue_attributes(QueueUrl=queue_url("JobsQueue"), Attributes={"VisibilityTimeout": "0"})
    lead = a_lead(REP_A, "Hanna")
    real_finish, finishes = store.finish_export, []

    def cut_short(job_id: str, at: str) -> None:
        finishes.append(job_id)
        if len(finishes) == 1:
            # S3 forgets a completed upload: completing it again is NoSuchUpload, as on AWS
            JobItem(*JobItem.key(job_id)).update(actions=[JobItem.upload_id.set("completed-and-gone")])
            raise TimeoutError("the invocation ran out of time")
        real_finish(job_id, at)

    monkeypatch.setattr(store, "finish_export", cut_short)
    s3 = client("s3")
    real_complete = s3.complete_multipart_upload

    def complete(**request: Any) -> Any:  # S3's answer for an upload it no longer has (moto's is a 500)
        if request["UploadId"] == "completed-and-gone":
            raise ClientError({"Error": {"Code": "NoSuchUpload", "Message": "no such upload"}},
                              "CompleteMultipartUpload")
        return real_complete(**request)

    monkeypatch.setattr(s3, "complete_multipart_upload", complete)
    job_id = board.call("POST", "/api/lists/leads/export", REP_A).json()["job_id"]
    # When SQS gives the message again
    worker.run()
    # Then the retry finds the file in the bucket and marks the job done; the link downloads it
    finished = job(board, job_id)
    assert (finished["status"], finished["rows"], len(finishes)) == ("done", 1, 2)
    _, table = export_rows(finished["download_url"])
    assert [row["id"] for row in table] == [lead]
