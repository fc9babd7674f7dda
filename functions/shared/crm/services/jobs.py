"""Jobs: mass email and CSV exports run off the request, on the jobs queue (DESIGN.md "Work that outlives a request").

The board API writes the job item (crm/data/jobs.py), puts its messages on the queue and answers 202 with the job;
the jobs worker (crm/services/jobs_worker.py) does the work and moves the job's counters and status; the site asks
GET /api/jobs/{id} for progress. A finished export is a file in the private results bucket, fetched by the browser
through a presigned URL that lives LINK_SECONDS.

A start is idempotent: with an Idempotency-Key the job's id is derived from the user and the key, so a retried
start finds the job it made (and puts its messages on the queue again if the first start stopped before that; the
worker tolerates a message twice). Who sees a job: its owner, and managers and admins (a rep only their own).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from crm.clock import to_iso, utcnow
from crm.data.jobs import JobItem, create_job, mark_enqueued
from crm.data.people import UserItem
from crm.domain.csv_export import export_filename
from crm.domain.jobs import DONE, EXPORT, MASS_EMAIL, QUEUED
from crm.errors import NotFoundError
from crm.integrations import jobs as queue
from crm.models.lists import ListFilters
from crm.services.actors import visible_item

LINK_SECONDS = 300  # a download link is for now: the site asks for a fresh one on each click


def job_id_for(user_id: str, scope: str, idempotency_key: str | None) -> str:
    """The same user's retry with the same key names the same job; another user's same key does not. Without a
    key, a new id every time."""
    if idempotency_key is None or not idempotency_key.strip():
        from ulid import ULID

        return str(ULID())
    return hashlib.sha256(f"{scope}:{user_id}:{idempotency_key.strip()}".encode()).hexdigest()[:32]


def new_job(job_id: str, kind: str, owner: UserItem, request: dict[str, Any], now: datetime,
            **fields: Any) -> JobItem:
    at = to_iso(now)
    return JobItem(*JobItem.key(job_id), job_id=job_id, job_kind=kind, owner_id=owner.user_id, request=request,
                   created_at=at, updated_at=at, **fields)


def start(job: JobItem) -> dict[str, Any]:
    """Saves the job (or finds the one a retried start made) and puts its messages on the queue; its view."""
    return ensure_enqueued(create_job(job))


def ensure_enqueued(job: JobItem) -> dict[str, Any]:
    """Puts a stored job's messages on the queue unless that was done; its view."""
    if not job.enqueued and job.status == QUEUED:
        queue.enqueue(_messages(job))
        mark_enqueued(job.job_id, to_iso(utcnow()))
    return view(job)


def _messages(job: JobItem) -> list[dict[str, Any]]:
    """A mass email: one message per chunk of recipients. An export: one, which continues itself as it goes."""
    if job.job_kind == MASS_EMAIL:
        return [{"job_id": job.job_id, "chunk": chunk} for chunk in range(int(job.chunk_count))]
    return [{"job_id": job.job_id}]


def start_export(kind: str, filters: ListFilters, viewer: UserItem, now: datetime,
                 idempotency_key: str | None) -> dict[str, Any]:
    """A CSV file of every row the filters select, written by the worker; the filters and the viewer's right to
    them are checked now (403, 422), not when the job runs."""
    from crm.services import lists

    lists.select(kind, filters, viewer)
    job_id = job_id_for(viewer.user_id, f"export:{kind}", idempotency_key)
    return start(new_job(job_id, EXPORT, viewer, {"list": kind, "filters": filters.given()}, now,
                         filename=export_filename(kind, now.date())))


def get_job(job_id: str, viewer: UserItem) -> dict[str, Any]:
    """Where a job stands; a finished export with a fresh download link. 404 for another rep's job."""
    job = visible_item(JobItem, JobItem.key(job_id), viewer, NotFoundError(f"job {job_id} not found"))
    return view(job, with_link=True)


def view(job: JobItem, with_link: bool = False) -> dict[str, Any]:
    """What the API shows of a job."""
    shown: dict[str, Any] = {
        "job_id": job.job_id, "kind": job.job_kind, "list": job.request.get("list"), "status": job.status,
        "done": int(job.done), "total": None if job.total is None else int(job.total), "owner_id": job.owner_id,
        "created_at": job.created_at, "updated_at": job.updated_at, "finished_at": job.finished_at,
        "error": job.error,
    }
    if job.job_kind == MASS_EMAIL:
        shown |= {"template_id": job.request.get("template_id"), "sent": int(job.sent), "skipped": int(job.skipped),
                  "blocked": job.blocked, "selected": int(job.selected), "over_cap": int(job.over_cap),
                  "refused": [{"record_id": skipped.record_id, "reason": skipped.reason}
                              for skipped in job.refused or []]}
    else:
        shown |= {"filename": job.filename, "rows": int(job.done)}
        if with_link and job.status == DONE and job.result_key:
            expires = utcnow() + timedelta(seconds=LINK_SECONDS)
            shown |= {"download_url": queue.download_url(job.result_key, LINK_SECONDS),
                      "download_expires_at": to_iso(expires)}
    return shown
