"""The jobs worker's work, one queue message at a time: a chunk of a mass email, or a step of an export.

SQS delivers a message at least once, and an invocation may stop half-way, so every step is safe to repeat:
- a mass email chunk sends through record_email, which claims each send on its (batch, record) with a conditional
  write before SES is called: a redelivered chunk never emails anyone twice. A recipient who may not or cannot be
  written to (consent withdrawn, address suppressed, a line break in the name, an address SES refuses) is skipped and
  reported on the job with why, and the others still get it; only what a retry may mend (throttling, an outage)
  fails the chunk. The chunk's outcome is added to the job once (its chunk marker), and the emails are spread over
  the chunk (crm.domain.jobs.send_offsets) so that the workers together stay under MASS_EMAIL_RATE;
- an export step leases the job, pages through the list and uploads the CSV file in parts of a multipart upload,
  keeping after each part the list's cursor behind it; when the invocation runs short of time it hands over to a new
  message, which resumes at that cursor.
A step that raises is retried by SQS; the last attempt the queue allows (JOB_MAX_RECEIVES, its maxReceiveCount)
marks the job failed, then its message goes to the dead-letter queue, whose alarm tells the operators. A job that no
retry can help (its owner left the CRM) fails at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from crm.clock import to_iso, utcnow
from crm.data import jobs as store
from crm.data.jobs import JobItem, SkippedRecipient
from crm.data.people import UserItem, get_user
from crm.domain.csv_export import attachment_disposition, csv_rows, csv_text
from crm.domain.jobs import (
    EXPORT_PART_BYTES,
    FINISHED,
    MASS_EMAIL,
    chunks,
    room_for_another_part,
    send_offsets,
)
from crm.errors import ForbiddenError, NotFoundError
from crm.integrations import jobs as results
from crm.models.lists import SINGULAR, ListFilters
from crm.observability import count, logger
from crm.services import lists
from crm.settings import get_settings

CSV_TYPE = "text/csv; charset=utf-8"

# the worker's clock, replaced by tests that check the spacing of sends without waiting for it
sleep: Callable[[float], None] = time.sleep
monotonic: Callable[[], float] = time.monotonic


class JobCannotRun(Exception):
    """Nothing a retry would change: the job fails at once."""


def process(body: dict[str, Any], receive_count: int, remaining_ms: Callable[[], int]) -> None:
    """Does what the message `body` asks ({"job_id"} and, for mass email, "chunk"); raises to have it retried."""
    job = store.get_job(str(body["job_id"]))
    if job is None or job.status in FINISHED:
        return
    try:
        if job.job_kind == MASS_EMAIL:
            _mass_email_chunk(job, int(body["chunk"]))
        else:
            _export_step(job, remaining_ms)
    except JobCannotRun as error:
        logger.warning("job %s cannot run: %s", job.job_id, error)
        store.fail_job(job.job_id, str(error), _now())
    except Exception as error:
        if receive_count >= get_settings().job_max_receives:
            logger.exception("job %s failed on its last attempt (%d)", job.job_id, receive_count)
            store.fail_job(job.job_id, f"{type(error).__name__}: {error}", _now())
        raise


def _now() -> str:
    return to_iso(utcnow())


def _owner(job: JobItem) -> UserItem:
    """The job runs as the user who started it, with what they may see and send now."""
    owner = get_user(job.owner_id)
    if owner is None or not owner.active:
        raise JobCannotRun(f"{job.owner_id}, who started it, is no longer an active user of the CRM")
    return owner


# --- mass email ------------------------------------------------------------------------------------------------

def _mass_email_chunk(job: JobItem, chunk: int) -> None:
    if not 0 <= chunk < job.chunk_count:
        raise JobCannotRun(f"chunk {chunk} is not one of the job's {job.chunk_count}")
    if not store.chunk_counted(job.job_id, chunk):
        store.start_running(job.job_id, _now())
        sent, refused = _send_chunk(job, chunks(job.recipients)[chunk], _owner(job))
        store.count_chunk(job.job_id, chunk, sent, refused, _now())
    if store.finish_mass_email(job.job_id, _now()):
        logger.info("mass email %s done", job.job_id)


def _send_chunk(job: JobItem, recipients: Sequence[str], sender: UserItem) -> tuple[int, list[SkippedRecipient]]:
    """Sends to each recipient at their offset from the chunk's start; (how many sent, who was refused and why)."""
    settings = get_settings()
    kind = SINGULAR[job.request["list"]]
    began = monotonic()
    sent, refused = 0, []
    for offset, record_id in zip(send_offsets(len(recipients), settings.mass_email_rate, settings.job_concurrency),
                                 recipients, strict=True):
        delay = began + offset - monotonic()
        if delay > 0:
            sleep(delay)
        reason = _send_one(job, kind, record_id, sender)
        if reason is None:
            sent += 1
        else:
            refused.append(SkippedRecipient(record_id=record_id, reason=reason))
    return sent, refused


def _send_one(job: JobItem, kind: str, record_id: str, sender: UserItem) -> str | None:
    """None if sent (now, or by an earlier delivery of this chunk); else why not, a reason code: the rules refuse it
    now (consent withdrawn, address suppressed), it cannot be sent (a line break in the name, an address SES
    refuses), or the record is gone or no longer the sender's. Anything else raises: a retry may send it."""
    from crm.services.record_email import EmailNotAllowedError, send_template_email

    try:
        send_template_email(kind, record_id, job.request["template_id"], sender, utcnow(), purpose="marketing",
                            batch_id=job.job_id)
    except EmailNotAllowedError as refused:
        reason = refused.reason.code
    except NotFoundError:
        reason = "record_gone"
    except ForbiddenError:
        reason = "not_yours"
    else:
        return None
    logger.info("mass email %s skips %s %s: %s", job.job_id, kind, record_id, reason)
    count("MassEmailRecipientSkipped")
    return reason


# --- export ----------------------------------------------------------------------------------------------------

def _export_step(job: JobItem, remaining_ms: Callable[[], int]) -> None:
    now = utcnow()
    leased = store.lease_export(job.job_id, to_iso(now), to_iso(now + timedelta(milliseconds=remaining_ms())))
    if leased is None:  # another invocation is writing it (a message delivered twice), or it ended
        return
    try:
        _write_export(leased, remaining_ms)
    except Exception:
        store.release_lease(leased.job_id, _now())  # the retry SQS makes may take it up at once
        raise


def _write_export(leased: JobItem, remaining_ms: Callable[[], int]) -> None:
    kind = leased.request["list"]
    selection = lists.select(kind, ListFilters.model_validate(leased.request["filters"]), _owner(leased))
    if leased.upload_id is None:
        key = f"exports/{leased.job_id}/{leased.filename}"
        upload_id = results.start_upload(key, CSV_TYPE, attachment_disposition(str(leased.filename)))
        store.start_upload(leased.job_id, key, upload_id, str(leased.filename), _now())
        leased.result_key, leased.upload_id = key, upload_id
    if leased.part_count and leased.cursor is None:  # every part is up: only the completion was left
        _complete(leased)
        return
    cursor = leased.cursor
    pieces = [csv_text(lists.COLUMNS[kind], []).encode()] if leased.part_count == 0 else []
    size, rows, part_began = sum(map(len, pieces)), 0, monotonic()
    while True:
        items, cursor = lists.page(selection, cursor, lists.MAX_PAGE)
        piece = csv_rows(lists.COLUMNS[kind], lists.rows(selection, items)).encode()
        pieces.append(piece)
        size, rows = size + len(piece), rows + len(items)
        if size < EXPORT_PART_BYTES and cursor is not None:
            continue
        part = results.upload_part(str(leased.result_key), str(leased.upload_id), int(leased.part_count) + 1,
                                   b"".join(pieces))
        recorded = store.record_part(leased, part, cursor, rows, _now())
        if recorded is None:  # another invocation recorded this part: the export is theirs now
            return
        leased = recorded
        if cursor is None:
            _complete(leased)
            return
        pieces, size, rows = [], 0, 0
        if not room_for_another_part(remaining_ms(), (monotonic() - part_began) * 1000):
            store.release_lease(leased.job_id, _now())
            results.enqueue([{"job_id": leased.job_id}])
            return
        part_began = monotonic()


def _complete(job: JobItem) -> None:
    results.complete_upload(str(job.result_key), str(job.upload_id), job.parts)
    store.finish_export(job.job_id, _now())
    logger.info("export %s done: %d rows", job.job_id, int(job.done))
