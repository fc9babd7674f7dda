"""CSV import of leads and contacts (L1, L2, L6): a job the browser drives chunk by chunk, so every call stays within
API Gateway's and Lambda's limits and the page can show real progress.

Upload parses the file and keeps its rows with the job; the mapping names the CRM field of each column; each
POST /next imports the next chunk. A lead row goes through the web form's intake, so a person already known by
email or phone gets a touch (source "import", with the file name), never a second lead. A contact row is matched
against leads (a converted lead's contact, else the lead itself gets the touch) and imported contacts; a new
contact's account is the company's, created once by its unique normalized name, and lists it.

Retries never import a row twice: a call claims the job's next chunk with a conditional update, each row's result
is written once under its row number (a retried chunk skips rows already done), and the cursor moves on only from
the chunk it claimed. One narrow window is left: a crash after a row's lead is written and before its result is,
and that row's retry then finds the same person and adds a touch rather than a second lead.

Imported leads do not start the follow-up automation (speed-to-lead SMS, nurture email) unless the importer asks:
a whole list of old or bought contacts should not get it. They are assigned to the importer, or to the owner a
manager picks, or by the form's routing rules (round-robin) when a manager asks for that.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite
from ulid import ULID

from crm.clock import to_iso
from crm.data import search
from crm.data.accounts import AccountMemberItem, CompanyAccount, ContactItem, contact_pk
from crm.data.imports import (
    ROWS_PER_CHUNK,
    ContactKeyItem,
    ImportChunkItem,
    ImportJobItem,
    ImportRowItem,
    contact_key_owners,
    get_chunk,
    get_job,
    import_pk,
    row_results,
)
from crm.data.leads import ContactPointItem, FirstTouch, TimelineEventItem, contact_point_owners, get_lead
from crm.data.people import UserItem, get_user
from crm.data.transactions import condition_failed, write_transaction
from crm.domain.csv_import import (
    FIELDS,
    CheckedRow,
    check_row,
    mapping_errors,
    parse_csv,
    person_keys,
    row_values,
    suggest_mapping,
)
from crm.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from crm.models.imports import ImportMapping, ImportUpload
from crm.models.leads import FieldError, LeadSubmission
from crm.observability import count, logger
from crm.reasons import Reason
from crm.services.intake import DuplicateRaceError, IntakeOptions, add_touch, submit_lead
from crm.settings import get_settings

PREVIEW_ROWS = 5
CLAIM = timedelta(minutes=2)  # longer than a chunk takes; a crashed call's chunk is free again after it
OUTCOMES = ("created", "merged", "invalid", "skipped")
REPORT_COLUMNS = ("row", "outcome", "record_kind", "record_id", "account_id", "errors")
_ATTEMPTS = 4
_CONDITION_FAILED = "ConditionalCheckFailedException"


class ImportNotFoundError(NotFoundError):
    """No such import, or another rep's."""


def start_import(upload: ImportUpload, viewer: UserItem, now: datetime) -> dict[str, Any]:
    """Parses the file and keeps its rows with a new job; answers the columns, a suggested mapping and a preview."""
    parsed = parse_csv(upload.csv)
    import_id, at = str(ULID.from_datetime(now)), to_iso(now)
    chunks = [parsed.rows[start:start + ROWS_PER_CHUNK] for start in range(0, len(parsed.rows), ROWS_PER_CHUNK)]
    suggested = suggest_mapping(parsed.columns, upload.kind)
    with ImportChunkItem.batch_write() as batch:
        for index, rows in enumerate(chunks):
            batch.save(ImportChunkItem(*ImportChunkItem.key(import_id, index),
                                       rows=[[number, list(cells)] for number, cells in rows]))
    job = ImportJobItem(*ImportJobItem.key(import_id), import_id=import_id, importer_id=viewer.user_id,
                        import_kind=upload.kind, file_name=upload.file_name, columns=list(parsed.columns),
                        suggested_mapping=suggested, total_rows=len(parsed.rows), chunk_count=len(chunks),
                        counts={}, status="uploaded", created_at=at,
                        **ImportJobItem.importer_keys(viewer.user_id, at))
    job.save(condition=ImportJobItem.PK.does_not_exist())  # the job last: it exists only with all its rows
    logger.info("import uploaded", extra={"import_id": import_id, "rows": len(parsed.rows), "kind": upload.kind})
    return {**status_of(job), "columns": list(parsed.columns), "suggested_mapping": suggested,
            "preview": [{"row": number, "cells": list(cells)} for number, cells in parsed.rows[:PREVIEW_ROWS]],
            "fields": [field.as_dict() for field in FIELDS[upload.kind]]}


def set_mapping(import_id: str, change: ImportMapping, viewer: UserItem) -> dict[str, Any]:
    """Checks and keeps the mapping and who gets the rows; answers the first rows as they would be stored."""
    job = _visible_job(import_id, viewer)
    if job.next_chunk > 0 or job.claimed_until:
        raise ConflictError(Reason("import_started"), status_of(job))
    mapping = {column: change.mapping.get(column) for column in job.columns}
    errors = mapping_errors(change.mapping, job.columns, job.import_kind) + _assignment_errors(job.import_kind, change)
    if errors:
        raise _invalid(errors)
    owner_id = _owner(change, viewer)
    try:
        job.update(actions=[ImportJobItem.mapping.set(mapping), ImportJobItem.owner_id.set(owner_id),
                            ImportJobItem.round_robin.set(change.round_robin),
                            ImportJobItem.start_automation.set(change.start_automation),
                            ImportJobItem.status.set("mapped")],
                   condition=(ImportJobItem.next_chunk == 0) & ImportJobItem.claimed_until.does_not_exist())
    except UpdateError as error:
        if error.cause_response_code != _CONDITION_FAILED:
            raise
        raise ConflictError(Reason("import_started"),
                            status_of(_visible_job(import_id, viewer))) from error
    region = get_settings().default_phone_region
    rows = get_chunk(import_id, 0)[:PREVIEW_ROWS]
    seen: set[str] = set()  # the people of the rows above: a second row of one person is merged too
    preview = []
    for number, cells in rows:
        row = check_row(number, row_values(mapping, tuple(job.columns), tuple(cells)), region)
        preview.append(_checked(row, job.import_kind, row.submission is not None
                                and _known(row.submission, job.import_kind, seen)))
    return {**status_of(job), "preview": preview}


def _known(person: LeadSubmission, kind: str, seen: set[str]) -> bool:
    """Whether importing the person touches someone already there (a lead, a contact, an earlier row) rather than
    creating a record: what _import_row will find, read the same way (by key, no scan)."""
    keys = person_keys(person)
    earlier = bool(keys & seen)
    seen |= keys
    if earlier or contact_point_owners(person.email, person.phone):
        return True
    return kind == "contacts" and bool(contact_key_owners(person.email, person.phone))


def import_next(import_id: str, viewer: UserItem, now: datetime) -> dict[str, Any]:
    """Imports the job's next chunk of rows and answers what became of each; 409 while another call holds it."""
    job = _visible_job(import_id, viewer)
    if job.mapping is None:
        raise ConflictError(Reason("import_unmapped"), status_of(job))
    chunk = job.next_chunk
    if chunk >= job.chunk_count:
        return {**status_of(job), "rows": []}
    _claim(job, chunk, now)
    try:
        results = _import_chunk(job, chunk, now)
    except Exception:
        job.update(actions=[ImportJobItem.claimed_until.remove()], condition=ImportJobItem.next_chunk == chunk)
        raise
    counts = dict(job.counts)
    for result in results:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
    for outcome in OUTCOMES:  # ImportRowsCreated, ImportRowsMerged, ImportRowsInvalid, ImportRowsSkipped
        if done := sum(result.outcome == outcome for result in results):
            count(f"ImportRows{outcome.title()}", done)
    finished = chunk + 1 == job.chunk_count
    job.update(actions=[ImportJobItem.next_chunk.set(chunk + 1), ImportJobItem.claimed_until.remove(),
                        ImportJobItem.counts.set(counts), ImportJobItem.status.set("finished" if finished else
                                                                                   "importing"),
                        *([ImportJobItem.finished_at.set(to_iso(now))] if finished else [])],
               condition=ImportJobItem.next_chunk == chunk)
    return {**status_of(job), "rows": [_row_view(result, viewer) for result in results]}


def import_status(import_id: str, viewer: UserItem) -> dict[str, Any]:
    return status_of(_visible_job(import_id, viewer))


def import_report(import_id: str, viewer: UserItem) -> dict[str, Any]:
    """Every imported row's result, in row order."""
    job = _visible_job(import_id, viewer)
    return {**status_of(job), "rows": [_row_view(result, viewer) for result in row_results(import_id)]}


def report_csv(report: dict[str, Any]) -> str:
    """The report as a CSV file to download: one line per row of the imported file."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(REPORT_COLUMNS)
    for row in report["rows"]:
        writer.writerow([row["row"], row["outcome"], row["record_kind"] or "", row["record_id"] or "",
                         row["account_id"] or "",
                         "; ".join(f"{error['field']}: {error['message']}" for error in row["errors"])])
    return out.getvalue()


def status_of(job: ImportJobItem) -> dict[str, Any]:
    counts = {outcome: (job.counts or {}).get(outcome, 0) for outcome in OUTCOMES}
    return {"import_id": job.import_id, "kind": job.import_kind, "file_name": job.file_name, "status": job.status,
            "importer_id": job.importer_id, "owner_id": job.owner_id, "round_robin": job.round_robin,
            "start_automation": job.start_automation, "mapping": job.mapping, "total": job.total_rows,
            "done": sum(counts.values()), "counts": counts, "finished": job.status == "finished",
            "created_at": job.created_at, "finished_at": job.finished_at}


def _visible_job(import_id: str, viewer: UserItem) -> ImportJobItem:
    job = get_job(import_id)
    if job is None or (viewer.role == "rep" and job.importer_id != viewer.user_id):
        raise ImportNotFoundError(f"import {import_id} not found")
    return job


def _assignment_errors(kind: str, change: ImportMapping) -> list[FieldError]:
    errors = []
    if kind == "contacts" and change.round_robin:
        errors.append(FieldError.of("round_robin", Reason("contacts_need_owner")))
    if kind == "contacts" and change.start_automation:
        errors.append(FieldError.of("start_automation", Reason("leads_only")))
    return errors


def _owner(change: ImportMapping, viewer: UserItem) -> str | None:
    """Who gets the rows: the importer, unless a manager or admin names a user or asks for round-robin."""
    handing_out = (change.owner_id and change.owner_id != viewer.user_id) or change.round_robin
    if handing_out and viewer.role == "rep":
        raise ForbiddenError(f"{viewer.user_id} is a rep and imports only for themselves")
    if change.round_robin:
        return None
    if not change.owner_id:
        return viewer.user_id
    owner = get_user(change.owner_id)
    if owner is None or not owner.active:
        raise InvalidError("owner_id", Reason("user_inactive", user_id=change.owner_id))
    return owner.user_id


def _invalid(errors: list[FieldError]) -> ValidationError:
    """Several field errors as one 422, the way the routes report a body that breaks a rule."""
    return ValidationError.from_exception_data("ImportMapping", [
        {"type": PydanticCustomError(error.code or "value_error", error.message, error.params),
         "loc": tuple(error.field.split(".", 1)), "input": None} for error in errors])


def _checked(row: CheckedRow, kind: str, known: bool) -> dict[str, Any]:
    """A previewed row: the values as they would be stored (normalized), or the reasons it would be refused, and
    what importing it will do: `outcome` created, merged (a known person gets a touch) or invalid."""
    names = {field.name for field in FIELDS[kind]} - ({"source"} - set(row.values))  # "import" goes without saying
    values = row.submission.model_dump(include=names, exclude_none=True) if row.submission else row.values
    outcome = "invalid" if row.submission is None else "merged" if known else "created"
    return {"row": row.number, "values": values, "errors": [error.answer() for error in row.errors],
            "outcome": outcome}


def _claim(job: ImportJobItem, chunk: int, now: datetime) -> None:
    """Takes the chunk for this call; a concurrent call (or one retried while this runs) gets a 409."""
    at = to_iso(now)
    try:
        job.update(actions=[ImportJobItem.claimed_until.set(to_iso(now + CLAIM)),
                            ImportJobItem.status.set("importing")],
                   condition=(ImportJobItem.next_chunk == chunk)
                   & (ImportJobItem.claimed_until.does_not_exist() | (ImportJobItem.claimed_until < at)))
    except UpdateError as error:
        if error.cause_response_code != _CONDITION_FAILED:
            raise
        raise ConflictError(Reason("import_busy"),
                            status_of(get_job(job.import_id) or job)) from error


def _import_chunk(job: ImportJobItem, chunk: int, now: datetime) -> list[ImportRowItem]:
    rows = get_chunk(job.import_id, chunk)
    done = {item.row: item for item in row_results(job.import_id, rows[0][0], rows[-1][0])}
    region = get_settings().default_phone_region
    results = []
    for number, cells in rows:
        if number not in done:
            checked = check_row(number, row_values(job.mapping, tuple(job.columns), tuple(cells)), region)
            done[number] = _store(job, _import_row(job, checked, chunk, now), number)
        results.append(done[number])
    return results


@dataclass(frozen=True)
class _Outcome:
    outcome: str
    record_kind: str | None = None
    record_id: str | None = None
    record_owner_id: str | None = None
    account_id: str | None = None
    errors: tuple[dict[str, str], ...] = ()


def _store(job: ImportJobItem, outcome: _Outcome, number: int) -> ImportRowItem:
    item = ImportRowItem(import_pk(job.import_id), ImportRowItem.sort_key(number), row=number,
                         **{**asdict(outcome), "errors": list(outcome.errors)})
    item.save(condition=ImportRowItem.PK.does_not_exist())
    return item


def _import_row(job: ImportJobItem, row: CheckedRow, chunk: int, now: datetime) -> _Outcome:
    if row.submission is None:
        return _Outcome("invalid", errors=tuple(error.answer() for error in row.errors))
    # where the row is kept: erasing the person (L9) blanks it there too
    origin = {"import_id": job.import_id, "file_name": job.file_name, "chunk": chunk, "row": row.number}
    if job.import_kind == "leads":
        result = submit_lead(row.submission, now, IntakeOptions(owner_id=job.owner_id, touch=origin,
                                                                start_automation=job.start_automation))
        lead = get_lead(result.lead_id)
        return _Outcome("merged" if result.returning else "created", "lead", result.lead_id,
                        lead.owner_id if lead else None)
    return _import_contact(job, row.submission, now, origin)


def _import_contact(job: ImportJobItem, person: LeadSubmission, now: datetime, origin: dict) -> _Outcome:
    """A known person gets a touch where they are (their contact, else their lead); anyone else a new contact."""
    at = to_iso(now)
    touch = {"source": "import", **origin, **{key: value for key, value in
                                              person.model_dump(include={"name", "email", "phone", "company"}).items()
                                              if value}}
    for attempt in range(_ATTEMPTS):
        leads = contact_point_owners(person.email, person.phone)
        lead_id = _first_owner(leads, ContactPointItem.email_pk, ContactPointItem.phone_pk, person)
        lead = get_lead(lead_id) if lead_id else None
        if lead is not None and lead.junk:
            return _Outcome("skipped", "lead", lead.lead_id, lead.owner_id,
                            errors=({"field": "email", "message": "this person is a lead marked as junk"},))
        if lead is not None and lead.contact_id:
            return _touch_contact(lead.contact_id, touch, at)
        if lead is not None:
            try:
                add_touch(lead.lead_id, person, now, claimed=set(leads), origin=origin)
            except DuplicateRaceError:
                continue
            return _Outcome("merged", "lead", lead.lead_id, lead.owner_id)
        contacts = contact_key_owners(person.email, person.phone)
        contact_id = _first_owner(contacts, ContactKeyItem.email_pk, ContactKeyItem.phone_pk, person)
        if contact_id:
            return _touch_contact(contact_id, touch, at)
        try:
            return _create_contact(job, person, at, touch)
        except TransactWriteError as error:
            if not condition_failed(error):
                raise
            logger.info("lost a race for this contact; reading again", extra={"attempt": attempt})
    raise DuplicateRaceError("the person's email or phone kept changing while we imported them")


def _first_owner(owners: dict[str, str], email_pk: Any, phone_pk: Any, person: LeadSubmission) -> str | None:
    """The record holding the email, else the one holding the phone."""
    return (owners.get(email_pk(person.email)) if person.email else None) or \
        (owners.get(phone_pk(person.phone)) if person.phone else None)


def _touch_contact(contact_id: str, touch: dict, at: str) -> _Outcome:
    contact = ContactItem.get(*ContactItem.key(contact_id), consistent_read=True)
    TimelineEventItem.build(contact_pk(contact_id), "touch", at, touch).save()
    return _Outcome("merged", "contact", contact_id, contact.owner_id, contact.account_id)


def _create_contact(job: ImportJobItem, person: LeadSubmission, at: str, touch: dict) -> _Outcome:
    """The contact, its membership of its account, its unique email and phone keys and, if the company is new, its
    account: one transaction."""
    owner = job.owner_id or job.importer_id
    account = CompanyAccount.named(person.company or person.name, owner_id=owner, created_at=at)  # as conversion
    contact = ContactItem.build(account_id=account.account_id, name=person.name, owner_id=owner, created_at=at,
                                first_touch=FirstTouch(at=at, source="import", form_id=None),
                                email=person.email, phone=person.phone, role=person.role,
                                language=person.language, timezone=person.timezone)
    keys = [ContactKeyItem.build(ContactKeyItem.email_pk(person.email), contact.contact_id)] if person.email else []
    if person.phone:
        keys.append(ContactKeyItem.build(ContactKeyItem.phone_pk(person.phone), contact.contact_id))

    def writes(transaction: TransactWrite) -> None:
        account.write(transaction)
        transaction.save(contact)
        transaction.save(AccountMemberItem.of_contact(contact))
        search.save_all(transaction, search.of_contact(contact, person.company or person.name))
        for key in keys:
            transaction.save(key, condition=ContactKeyItem.PK.does_not_exist())
        transaction.save(TimelineEventItem.build(contact.PK, "touch", at, touch | {"first": True}))

    write_transaction(writes)
    return _Outcome("created", "contact", contact.contact_id, owner, account.account_id)


def _row_view(result: ImportRowItem, viewer: UserItem) -> dict[str, Any]:
    """A row's result; the record's id only for someone who may open it (a rep does not learn of others' records)."""
    visible = viewer.role != "rep" or result.record_owner_id == viewer.user_id
    return {"row": result.row, "outcome": result.outcome,
            "record_kind": result.record_kind if visible else None,
            "record_id": result.record_id if visible else None,
            "account_id": result.account_id if visible else None, "errors": result.errors or []}
