"""Jobs (crm/domain/jobs.py) in the one table: the job item, and a marker per mass email chunk counted.

`JOB#<id>`: `JOB` (what to do, whose it is, where it stands: status, done/total, the result) and `CHUNK#00000`...
(one per mass email chunk whose outcome was added to the job, so a redelivered chunk is never counted twice).
A job's counters only move by ADD in the transaction that writes its chunk's marker; its status moves forward by
conditional updates (queued -> running -> done | failed), so a late or repeated message cannot undo an end.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from crm.data.table import CrmItem
from crm.data.transactions import condition_failed, write_transaction
from crm.domain.jobs import DONE, FAILED, QUEUED, RUNNING

ERROR_LENGTH = 500


def job_pk(job_id: str) -> str:
    return f"JOB#{job_id}"


class SkippedRecipient(MapAttribute):
    """A mass email recipient the worker did not send to, and why (a reason code): no name, no address."""

    record_id = UnicodeAttribute()
    reason = UnicodeAttribute()


class JobItem(CrmItem, discriminator="Job"):
    job_id = UnicodeAttribute()
    job_kind = UnicodeAttribute()  # crm.domain.jobs.JOB_KINDS (`kind` is every item's entity name)
    owner_id = UnicodeAttribute()  # who started it: who sees it, and as whom the worker reads and sends
    request = JSONAttribute()  # {"list": kind, "filters": {...}} and, for mass email, "template_id"
    status = UnicodeAttribute(default=QUEUED)
    enqueued = BooleanAttribute(default=False)  # its messages are on the queue (a retried start sends them again)
    done = NumberAttribute(default=0)  # recipients processed, or rows written
    total = NumberAttribute(null=True)  # recipients to send to; unknown for an export until it ends
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    finished_at = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    # mass email: the recipients resolved when it started (at most the cap's 500 ids), sent a chunk per message
    recipients = JSONAttribute(null=True)
    chunk_count = NumberAttribute(default=0)
    chunks_done = NumberAttribute(default=0)
    sent = NumberAttribute(default=0)
    skipped = NumberAttribute(default=0)  # blocked when it started, plus refused when it was their turn
    blocked = JSONAttribute(default=dict)  # reason code -> people, when it started
    refused = ListAttribute(of=SkippedRecipient, null=True)  # who was skipped when it was their turn, and why
    selected = NumberAttribute(default=0)
    over_cap = NumberAttribute(default=0)
    # export: a multipart upload to the results bucket, continued part by part (a message per invocation)
    filename = UnicodeAttribute(null=True)
    result_key = UnicodeAttribute(null=True)
    upload_id = UnicodeAttribute(null=True)
    parts = JSONAttribute(default=list)  # [{"PartNumber", "ETag"}] uploaded so far
    part_count = NumberAttribute(default=0)
    cursor = UnicodeAttribute(null=True)  # the list's cursor after the rows uploaded so far
    leased_until = UnicodeAttribute(null=True)  # an invocation is writing the export until then

    @classmethod
    def key(cls, job_id: str) -> tuple[str, str]:
        return job_pk(job_id), "JOB"


class JobChunkItem(CrmItem, discriminator="JobChunk"):
    """A mass email chunk whose outcome is in its job's counters."""

    sent = NumberAttribute()
    skipped = NumberAttribute()
    refused = ListAttribute(of=SkippedRecipient, null=True)
    counted_at = UnicodeAttribute()

    @classmethod
    def key(cls, job_id: str, chunk: int) -> tuple[str, str]:
        return job_pk(job_id), f"CHUNK#{chunk:05d}"


def get_job(job_id: str) -> JobItem | None:
    try:
        return JobItem.get(*JobItem.key(job_id), consistent_read=True)
    except JobItem.DoesNotExist:
        return None


def create_job(job: JobItem) -> JobItem:
    """Saves a new job; if one with its id exists (a retried start), that one is returned instead."""
    try:
        job.save(condition=JobItem.PK.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        existing = get_job(job.job_id)
        if existing is None:
            raise
        return existing
    return job


def _update(job_id: str, actions: list, condition: object) -> JobItem | None:
    """The job after `actions`, or None when `condition` does not hold."""
    job = JobItem(*JobItem.key(job_id))
    try:
        job.update(actions=actions, condition=condition)
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return job


def mark_enqueued(job_id: str, at: str) -> None:
    _update(job_id, [JobItem.enqueued.set(True), JobItem.updated_at.set(at)], JobItem.PK.exists())


def start_running(job_id: str, at: str) -> None:
    """queued -> running; anything else stays as it is."""
    _update(job_id, [JobItem.status.set(RUNNING), JobItem.updated_at.set(at)], JobItem.status == QUEUED)


def count_chunk(job_id: str, chunk: int, sent: int, refused: list[SkippedRecipient], at: str) -> bool:
    """Adds a chunk's outcome (how many sent, who was refused and why) to its job once: False if that chunk was
    counted already."""
    marker = JobChunkItem(*JobChunkItem.key(job_id, chunk), sent=sent, skipped=len(refused), refused=refused,
                          counted_at=at)
    actions = [JobItem.done.add(sent + len(refused)), JobItem.sent.add(sent), JobItem.skipped.add(len(refused)),
               JobItem.chunks_done.add(1), JobItem.updated_at.set(at)]
    if refused:
        actions.append(JobItem.refused.set((JobItem.refused | []).append(refused)))

    def write(transaction: TransactWrite) -> None:
        transaction.save(marker, condition=JobChunkItem.PK.does_not_exist())
        transaction.update(JobItem(*JobItem.key(job_id)), actions=actions, condition=JobItem.PK.exists())

    try:
        write_transaction(write)
    except TransactWriteError as error:
        if condition_failed(error):
            return False
        raise
    return True


def finish_mass_email(job_id: str, at: str) -> bool:
    """done once every chunk is counted (and it has not failed); True if this call ended it."""
    ended = _update(job_id, [JobItem.status.set(DONE), JobItem.finished_at.set(at), JobItem.updated_at.set(at)],
                    JobItem.status.is_in(QUEUED, RUNNING) & (JobItem.chunks_done == JobItem.chunk_count))
    return ended is not None


def fail_job(job_id: str, error: str, at: str) -> bool:
    """failed, with why, unless it already ended; True if this call failed it."""
    failed = _update(job_id, [JobItem.status.set(FAILED), JobItem.error.set(error[:ERROR_LENGTH]),
                              JobItem.finished_at.set(at), JobItem.updated_at.set(at), JobItem.leased_until.remove()],
                     JobItem.status.is_in(QUEUED, RUNNING))
    return failed is not None


def lease_export(job_id: str, now: str, until: str) -> JobItem | None:
    """The job, leased to this invocation until `until`; None if it ended or another invocation holds it."""
    free = JobItem.leased_until.does_not_exist() | (JobItem.leased_until < now)
    return _update(job_id, [JobItem.status.set(RUNNING), JobItem.leased_until.set(until),
                            JobItem.updated_at.set(now)], JobItem.status.is_in(QUEUED, RUNNING) & free)


def start_upload(job_id: str, key: str, upload_id: str, filename: str, at: str) -> None:
    _update(job_id, [JobItem.result_key.set(key), JobItem.upload_id.set(upload_id), JobItem.filename.set(filename),
                     JobItem.updated_at.set(at)], JobItem.upload_id.does_not_exist())


def record_part(job: JobItem, part: dict, cursor: str | None, rows: int, at: str) -> JobItem | None:
    """The export's next part is uploaded: it, the rows in it and the cursor after them are kept, on condition no
    other invocation recorded that part meanwhile. The updated job, or None."""
    return _update(job.job_id, [JobItem.parts.set([*job.parts, part]), JobItem.part_count.add(1),
                                JobItem.cursor.set(cursor) if cursor else JobItem.cursor.remove(),
                                JobItem.done.add(rows), JobItem.updated_at.set(at)],
                   JobItem.part_count == job.part_count)


def release_lease(job_id: str, at: str) -> None:
    _update(job_id, [JobItem.leased_until.remove(), JobItem.updated_at.set(at)], JobItem.PK.exists())


def finish_export(job_id: str, at: str) -> None:
    _update(job_id, [JobItem.status.set(DONE), JobItem.finished_at.set(at), JobItem.updated_at.set(at),
                     JobItem.leased_until.remove(), JobItem.cursor.remove(), JobItem.total.set(JobItem.done)],
            JobItem.status == RUNNING)


def chunk_counted(job_id: str, chunk: int) -> bool:
    try:
        JobChunkItem.get(*JobChunkItem.key(job_id, chunk), consistent_read=True)
    except JobChunkItem.DoesNotExist:
        return False
    return True
