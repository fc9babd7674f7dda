"""Keeping and deleting leads (L9): the "please delete" flag, the review of flags, erasure, junk.

Leads are never deleted by default. Anyone may flag a lead (a rep only their own); a manager or an admin approves,
which erases the person but keeps an anonymous tombstone so reports still add up, or rejects. Junk is a mark, not a
deletion: the lead stays, its automation and its open tasks stop.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.attributes import MapAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from crm.clock import to_iso
from crm.data import search
from crm.data.deletion import DeletionRequestItem
from crm.data.email_messages import SentEmailItem
from crm.data.email_templates import TemplateSendItem
from crm.data.imports import ImportChunkItem
from crm.data.leads import (
    LIFECYCLE_PENDING,
    ContactPointItem,
    LeadItem,
    LeadNotFoundError,
    TimelineEventItem,
    get_lead,
    lead_pk,
)
from crm.data.people import UserItem
from crm.data.suppression import list_in
from crm.data.table import CrmItem
from crm.data.tasks import TaskItem
from crm.data.transactions import condition_failed, write_transaction
from crm.errors import ConflictError
from crm.idempotency import forget
from crm.integrations.workflows import stop_lead_lifecycle
from crm.models.lead_fields import LEAD_RECORD_ATTRIBUTES, PERSONAL, REMOVED, fields_where, stored_value
from crm.observability import count, logger
from crm.reasons import Reason
from crm.services.actors import ensure_visible
from crm.services.recordings import erase_recordings

ERASED = "(erased)"
TRANSACTION_LIMIT = 100  # items in one DynamoDB transaction
_ATTEMPTS = 4
# Where the lead keeps what describes the person: the fields declared personal (crm.models.lead_fields) and the
# attributes declared removed; the tombstone keeps every other attribute.
ERASED_PATHS = (*(field.path for field in PERSONAL),
                *(path for path, fate in LEAD_RECORD_ATTRIBUTES.items() if fate == REMOVED))
# Timeline event data that records the process, not the person (with the lead's fields not declared personal, as a
# touch notes them); erasure drops every other key.
PROCESS_KEYS = frozenset({field.name for field in fields_where(personal=False)}) | frozenset({
    "first", "score", "temperature", "cycle", "parts", "owner_id", "previous_owner_id",
    "reason", "task_id", "task_ids", "title", "due_at", "missed_due_at", "channels", "reps_tried", "escalation",
    "error", "type", "by", "direction", "outcome", "from", "to", "attempts_without_response", "status", "skipped",
    "sequence", "step", "nurture_step", "template", "subject", "message_id", "sent", "opens", "clicks", "unopened",
    "how", "account_id", "account_created", "contact_id", "deal_id", "batch_id", "import_id", "chunk", "row",
    "call_id"})  # a call's id is a hash of the provider's: the erased lead's recordings are found by it (a retry too)
# Of those, the free text that may quote the person (ids are never scrubbed: a rep id may contain a first name).
_FREE_TEXT_KEYS = frozenset({"reason", "title", "error", "subject"})
_MIN_QUOTED_CHARS = 3  # shorter values ("Al", "HR") would match ordinary words

T = TypeVar("T")
Update = tuple[CrmItem, list[Action], Condition | None]


class DeletionConflictError(ConflictError):
    """409: the lead's state does not allow this (erased, no pending request, changing under us)."""


@dataclass(frozen=True)
class Outcome:
    """What a flag, a junk mark or a decision left on the lead, and whether this call made the change."""

    lead_id: str
    record: dict
    changed: bool


@dataclass(frozen=True)
class PendingDeletion:
    lead_id: str
    name: str
    company: str | None
    owner_id: str
    reason: str
    requested_by: str
    requested_at: str


@dataclass(frozen=True)
class PersonalData:
    """The person's own values (and each word of their name), to find the text elsewhere (score reasons, email
    subjects) that quotes them; `whole` are the values themselves, lower-cased, to recognise a process fact that is
    one of them (an email's recipient)."""

    values: tuple[str, ...]
    whole: frozenset[str] = frozenset()

    @classmethod
    def of(cls, lead: LeadItem) -> PersonalData:
        values = [stored_value(lead, field) for field in PERSONAL]
        values += [getattr(lead, path) for path, fate in LEAD_RECORD_ATTRIBUTES.items() if fate == REMOVED]
        texts = [text.strip() for value in values for text in _texts(value) if isinstance(text, str)]
        found = {text for text in [*lead.name.split(), *texts] if len(text) >= _MIN_QUOTED_CHARS}
        return cls(tuple(sorted(found, key=len, reverse=True)),  # longest first: "Anna Lee" before "Anna"
                   frozenset(text.lower() for text in texts if text))

    def scrub(self, text: str) -> str:
        if not self.values:
            return text
        return re.sub("|".join(map(re.escape, self.values)), ERASED, text, flags=re.IGNORECASE)

    def scrub_parts(self, parts: list[dict]) -> list[dict]:
        """Score parts keep their signal, points and reason code, so the score still adds up; the reason's text and
        its params (a role or an industry as the person wrote it) are scrubbed."""
        return [self._scrub_part(part) for part in parts]

    def _scrub_part(self, part: dict) -> dict:
        scrubbed = dict(part)
        if isinstance(part.get("reason"), str):
            scrubbed["reason"] = self.scrub(part["reason"])
        if isinstance(part.get("params"), dict):
            scrubbed["params"] = {key: self.scrub(value) if isinstance(value, str) else value
                                  for key, value in part["params"].items()}
        return scrubbed

    def event_data(self, data: dict) -> dict:
        """A timeline event's data with only process facts left, its free text scrubbed."""
        kept: dict[str, Any] = {}
        for key, value in data.items():
            if key == "parts" and isinstance(value, list):
                kept[key] = self.scrub_parts(value)
            elif key in _FREE_TEXT_KEYS and isinstance(value, str):
                kept[key] = self.scrub(value)
            elif key in PROCESS_KEYS:
                kept[key] = ERASED if isinstance(value, str) and value.strip().lower() in self.whole else value
        return kept


def _texts(value: object) -> list[object]:
    """A stored value as the texts in it: a map (the UTM tags) by its values."""
    return list(value.values()) if isinstance(value, dict) else [value]


def pending_request(lead: LeadItem) -> dict | None:
    """The lead's deletion request while nobody has decided on it."""
    request = lead.deletion_request
    return request if request and "decision" not in request else None


def request_deletion(lead_id: str, reason: str, user: UserItem, now: datetime) -> Outcome:
    """Flag the lead "please delete" for review; a lead already flagged keeps its first request."""
    def step() -> Outcome:
        lead = _lead_for(lead_id, user)
        existing = pending_request(lead)
        if existing:
            return Outcome(lead_id, existing, changed=False)
        at = to_iso(now)
        request = {"reason": reason, "by": user.user_id, "at": at}

        def writes(transaction: TransactWrite) -> None:
            transaction.update(lead, actions=[LeadItem.deletion_request.set(request)], add_version_condition=False,
                               condition=_still(LeadItem.deletion_request, lead.deletion_request)
                               & LeadItem.erased_at.does_not_exist())
            transaction.save(DeletionRequestItem.build(lead_id, at))
            transaction.save(TimelineEventItem.build(lead_pk(lead_id), "deletion_requested", at,
                                                     {"reason": reason, "by": user.user_id}))

        write_transaction(writes)
        return Outcome(lead_id, request, changed=True)

    return _counted("LeadFlaggedForDeletion", _retried(step))


def mark_junk(lead_id: str, reason: str, user: UserItem, now: datetime) -> Outcome:
    """Mark obvious junk: the lead stays, its open tasks leave the owner's list and its automation stops."""
    def step() -> Outcome:
        lead = _lead_for(lead_id, user)
        if lead.junk:
            return Outcome(lead_id, lead.junk, changed=False)
        at = to_iso(now)
        junk = {"reason": reason, "by": user.user_id, "at": at}
        tasks = _open_tasks(lead)
        actions = [LeadItem.junk.set(junk), *_leave_pending_queue(lead)]

        def writes(transaction: TransactWrite) -> None:
            transaction.update(lead, actions=actions, add_version_condition=False,
                               condition=LeadItem.junk.does_not_exist() & LeadItem.erased_at.does_not_exist())
            transaction.save(TimelineEventItem.build(lead_pk(lead_id), "marked_junk", at, {
                "reason": reason, "by": user.user_id, "task_ids": [task.task_id for task in tasks]}))
            _apply([_cancellation(task) for task in tasks], transaction)

        write_transaction(writes)
        return Outcome(lead_id, junk, changed=True)

    outcome = _counted("LeadMarkedJunk", _retried(step))
    if outcome.changed:
        _stop_automation(lead_id, "junk")
    return outcome


def pending_deletions() -> list[PendingDeletion]:
    """The flags awaiting a decision, oldest first: the queue by key, then its leads by key."""
    queued = [item.lead_id for item in DeletionRequestItem.query(DeletionRequestItem.PARTITION)]
    if not queued:
        return []
    leads = {lead.lead_id: lead
             for lead in LeadItem.batch_get([LeadItem.key(lead_id) for lead_id in queued], consistent_read=True)}
    found = []
    for lead_id in queued:
        lead = leads.get(lead_id)
        request = pending_request(lead) if lead else None
        if lead and request:
            found.append(PendingDeletion(lead_id=lead_id, name=lead.name, company=lead.company,
                                         owner_id=lead.owner_id, reason=request["reason"],
                                         requested_by=request["by"], requested_at=request["at"]))
    return found


def reject_deletion(lead_id: str, user: UserItem, note: str | None, now: datetime) -> Outcome:
    """Close the request and keep the lead as it is; the decision stays on the lead and in its timeline."""
    def step() -> Outcome:
        lead = _existing(lead_id)
        request = _pending_of(lead)
        decided = _decided(request, "rejected", user, note, now)

        def writes(transaction: TransactWrite) -> None:
            transaction.update(lead, actions=[LeadItem.deletion_request.set(decided)], add_version_condition=False,
                               condition=LeadItem.deletion_request == request)
            transaction.delete(DeletionRequestItem.build(lead_id, request["at"]))
            transaction.save(_decision_event(lead_id, "deletion_rejected", decided))

        write_transaction(writes)
        return Outcome(lead_id, decided, changed=True)

    return _counted("DeletionRejected", _retried(step))


def approve_deletion(lead_id: str, user: UserItem, note: str | None, now: datetime) -> Outcome:
    """Erase the person and keep an anonymous tombstone; safe to retry until (and after) it has finished.

    The history goes first, in transactions of at most 100 items, each safe to repeat; the tombstone is written
    last with the contact points' deletion, so until it is there the request stays pending and a retry resumes.
    """
    def step() -> Outcome:
        lead = _existing(lead_id)
        if lead.erased_at:  # a retried approval: the end state is already there (the recordings' too, after this)
            erase_recordings(lead_id)
            return Outcome(lead_id, lead.deletion_request or {}, changed=False)
        request = _pending_of(lead)
        _stop_automation(lead_id, "deleted")
        personal = PersonalData.of(lead)
        updates, answers = _history_erasure(lead, personal)
        _write_in_batches(updates)
        forget(answers)
        decided = _decided(request, "approved", user, note, now, personal)
        write_transaction(partial(_tombstone, lead, decided, personal))
        # after the tombstone: a recording the worker links from now on sees the lead erased and deletes itself
        erase_recordings(lead_id)
        return Outcome(lead_id, decided, changed=True)

    return _counted("LeadErased", _retried(step))


def _counted(metric: str, outcome: Outcome) -> Outcome:
    """Counts a change this call made (a repeated flag, mark or decision counts nothing), whichever API asked."""
    if outcome.changed:
        count(metric)
        logger.info(metric, extra={"lead_id": outcome.lead_id})
    return outcome


def _lead_for(lead_id: str, user: UserItem) -> LeadItem:
    """The lead, if this user may flag or junk it: a rep only their own."""
    lead = _existing(lead_id)
    ensure_visible(user, lead.owner_id, f"lead {lead.lead_id}")
    if lead.erased_at:
        raise DeletionConflictError(Reason("lead_erased_already", lead_id=lead_id))
    return lead


def _existing(lead_id: str) -> LeadItem:
    lead = get_lead(lead_id)
    if lead is None:
        raise LeadNotFoundError(f"lead {lead_id} not found")
    return lead


def _pending_of(lead: LeadItem) -> dict:
    request = pending_request(lead)
    if request is None:
        raise DeletionConflictError(Reason("no_deletion_request", lead_id=lead.lead_id))
    return request


def _decided(request: dict, decision: str, user: UserItem, note: str | None, now: datetime,
             personal: PersonalData = PersonalData(())) -> dict:
    """The request with its decision; on erasure the reason and note keep nothing that quotes the person."""
    decided = {**request, "reason": personal.scrub(request["reason"]), "decision": decision,
               "decided_by": user.user_id, "decided_at": to_iso(now)}
    return decided | {"note": personal.scrub(note)} if note else decided


def _decision_event(lead_id: str, event_type: str, decided: dict) -> TimelineEventItem:
    """Who asked, why, who decided (and their note): the decision's own line in the timeline."""
    return TimelineEventItem.build(lead_pk(lead_id), event_type, decided["decided_at"], {
        key: decided[key] for key in ("reason", "by", "decided_by", "note") if key in decided})


def _still(attribute: Any, value: Any) -> Condition:
    """The attribute still holds what we read (a compare-and-set)."""
    return attribute.does_not_exist() if value is None else attribute == value


def _leave_pending_queue(lead: LeadItem) -> list[Action]:
    """Out of the queue of workflows to start: the reconciler must not start automation for this lead."""
    return LeadItem.leave_pending_queue() if lead.GSI2PK == LIFECYCLE_PENDING else []


def _open_tasks(lead: LeadItem) -> list[TaskItem]:
    """The lead's open tasks: candidates from the owner's task list (an index), confirmed by a consistent read."""
    candidates = TaskItem.owner_index.query(
        TaskItem.open_keys(lead.owner_id, "")["GSI1PK"],
        filter_condition=(TaskItem.related_type == "lead") & (TaskItem.related_id == lead.lead_id))
    keys = [TaskItem.key(task.task_id) for task in candidates]
    return [task for task in TaskItem.batch_get(keys, consistent_read=True) if task.status == "open"] if keys else []


def _cancellation(task: TaskItem) -> Update:
    """The task stays on record as cancelled and leaves its owner's list of open tasks."""
    return task, [TaskItem.status.set("cancelled"), TaskItem.GSI1PK.remove(), TaskItem.GSI1SK.remove()], \
        TaskItem.status == "open"


def _history_erasure(lead: LeadItem, personal: PersonalData) -> tuple[list[Update], set[str]]:
    """Every timeline event that says more than process facts, and what the events name elsewhere: the emails sent
    to the person, a mass email's record of its send to them, the lead's tasks (open ones are cancelled too). Also
    the idempotency records of the requests that wrote the events: their stored answers may quote the person. An
    imported person's rows are blanked in the file the import keeps."""
    updates: list[Update] = []
    message_ids: set[str] = set()
    batch_ids: set[str] = set()
    task_ids: set[str] = set()
    answers: set[str] = set()
    imported: dict[tuple[str, int], set[int]] = {}
    for event in TimelineEventItem.query(lead_pk(lead.lead_id), TimelineEventItem.SK.startswith("EVENT#"),
                                         consistent_read=True):
        data = personal.event_data(event.data or {})
        if data != event.data:
            updates.append((event, [TimelineEventItem.data.set(data)], None))
        message_ids.update(_strings(data.get("message_id")))
        batch_ids.update(_strings(data.get("batch_id")))
        task_ids.update(_strings(data.get("task_id")) + _strings(data.get("task_ids")))
        answers.update(_strings(event.idempotency_record))
        if all(isinstance(data.get(key), expected) for key, expected in (("import_id", str), ("chunk", int),
                                                                          ("row", int))):
            imported.setdefault((data["import_id"], data["chunk"]), set()).add(data["row"])
    updates += _sent_email_erasure(message_ids, personal) + _batch_send_erasure(batch_ids, lead, personal)
    return updates + _task_erasure(lead, task_ids, personal) + _imported_rows_erasure(imported), answers


def _strings(value: object) -> list[str]:
    """An id, or a list of ids, as found in event data."""
    values = value if isinstance(value, list) else [value]
    return [item for item in values if isinstance(item, str)]


def _sent_email_erasure(message_ids: set[str], personal: PersonalData) -> list[Update]:
    """A sent email is kept by its SES message id (for opens and clicks): found through the lead's timeline."""
    if not message_ids:
        return []
    sent = SentEmailItem.batch_get([SentEmailItem.key(message_id) for message_id in message_ids])
    return [(email, [SentEmailItem.subject.set(personal.scrub(email.subject))], None)
            for email in sent if personal.scrub(email.subject) != email.subject]


def _batch_send_erasure(batch_ids: set[str], lead: LeadItem, personal: PersonalData) -> list[Update]:
    """A mass email keeps what it sent to each record (so a retried batch sends once): the address goes."""
    if not batch_ids:
        return []
    sends = TemplateSendItem.batch_get([TemplateSendItem.key(batch_id, "lead", lead.lead_id) for batch_id in batch_ids])
    updates: list[Update] = []
    for send in sends:
        actions = [TemplateSendItem.to.remove()] if send.to else []
        if send.subject and personal.scrub(send.subject) != send.subject:
            actions.append(TemplateSendItem.subject.set(personal.scrub(send.subject)))
        if actions:
            updates.append((send, actions, None))
    return updates


def _imported_rows_erasure(imported: dict[tuple[str, int], set[int]]) -> list[Update]:
    """The rows of an import's file that were this person, every cell blanked; the rest of the file stays."""
    if not imported:
        return []
    rows_by_key = {ImportChunkItem.key(import_id, chunk): rows for (import_id, chunk), rows in imported.items()}
    updates: list[Update] = []
    for chunk in ImportChunkItem.batch_get(list(rows_by_key)):
        rows = rows_by_key[chunk.PK, chunk.SK]
        blanked = [[row, ["" for _ in cells] if row in rows else cells] for row, cells in chunk.rows]
        if blanked != chunk.rows:
            updates.append((chunk, [ImportChunkItem.rows.set(blanked)], None))
    return updates


def _task_erasure(lead: LeadItem, task_ids: set[str], personal: PersonalData) -> list[Update]:
    """The lead's tasks (named on its timeline, or open in its owner's list): titles and notes without the person's
    words, the open ones cancelled; one update per task, as a transaction touches an item once."""
    tasks = {task.task_id: task for task in _open_tasks(lead)}
    unread = [TaskItem.key(task_id) for task_id in task_ids - tasks.keys()]
    tasks |= {task.task_id: task for task in TaskItem.batch_get(unread, consistent_read=True)} if unread else {}
    updates: list[Update] = []
    for task in tasks.values():
        if (task.related_type, task.related_id) != ("lead", lead.lead_id):
            continue
        actions: list[Action] = []
        condition = None
        if personal.scrub(task.title) != task.title:
            actions.append(TaskItem.title.set(personal.scrub(task.title)))
        if task.notes and personal.scrub(task.notes) != task.notes:
            actions.append(TaskItem.notes.set(personal.scrub(task.notes)))
        if task.status == "open":
            _, cancel, condition = _cancellation(task)
            actions += cancel
        if actions:
            updates.append((task, actions, condition))
    return updates


def _apply(updates: Sequence[Update], transaction: TransactWrite) -> None:
    for item, actions, condition in updates:
        transaction.update(item, actions=actions, condition=condition, add_version_condition=False)


def _write_in_batches(updates: Sequence[Update]) -> None:
    """More updates than one transaction takes: 100 at a time, each batch all-or-nothing and safe to repeat."""
    for start in range(0, len(updates), TRANSACTION_LIMIT):
        write_transaction(partial(_apply, updates[start:start + TRANSACTION_LIMIT]))


def _tombstone(lead: LeadItem, decided: dict, personal: PersonalData, transaction: TransactWrite) -> None:
    """The lead keeps only non-personal facts; its email and phone are freed so the person can come back as new, and
    its search items are deleted.

    The version condition makes a lead changed since it was read (a touch, an activity) start the erasure over.
    """
    at = decided["decided_at"]
    actions = [*_cleared(lead), LeadItem.erased_at.set(at), LeadItem.deletion_request.set(decided),
               *_leave_pending_queue(lead)]
    if lead.score_parts:
        actions.append(LeadItem.score_parts.set(personal.scrub_parts(lead.score_parts)))
    if lead.junk:
        actions.append(LeadItem.junk.set({**lead.junk, "reason": personal.scrub(lead.junk["reason"])}))
    transaction.update(lead, actions=actions, condition=LeadItem.erased_at.does_not_exist())
    points = [ContactPointItem.email_pk(lead.email)] if lead.email else []
    points += [ContactPointItem.phone_pk(lead.phone)] if lead.phone else []
    for point in points:
        transaction.delete(ContactPointItem.build(point, lead.lead_id),
                           condition=ContactPointItem.lead_id == lead.lead_id)
    search.delete_all(transaction, search.of_lead(lead))
    if lead.email:  # the suppression list keeps the person's "no" (no address in it): a new lead gets no mail
        list_in(transaction, lead.email, suppressed=lead.email_suppressed, unsubscribed=bool(lead.unsubscribed_at),
                at=at)
    transaction.delete(DeletionRequestItem.build(lead.lead_id, decided["at"]))
    transaction.save(_decision_event(lead.lead_id, "erased", decided))


def _cleared(lead: LeadItem) -> list[Action]:
    """Every erased path gone from the lead (a required attribute reads "(erased)"): an attribute of its own is
    removed, so is a key of a stored map (first touch, consent) the lead has; a JSON map (the qualification answers)
    keeps only its other keys."""
    actions: list[Action] = []
    json_maps: dict[str, set[str]] = {}
    for path in ERASED_PATHS:
        container, _, key = path.rpartition(".")
        if not container:
            attribute = getattr(LeadItem, key)
            actions.append(attribute.remove() if attribute.null else attribute.set(ERASED))
        elif isinstance(getattr(LeadItem, container), MapAttribute):
            if getattr(lead, container) is not None:
                actions.append(getattr(getattr(LeadItem, container), key).remove())
        else:
            json_maps.setdefault(container, set()).add(key)
    for container, keys in json_maps.items():
        kept = {name: value for name, value in (getattr(lead, container) or {}).items() if name not in keys}
        attribute = getattr(LeadItem, container)
        actions.append(attribute.set(kept) if kept else attribute.remove())
    return actions


def _retried(step: Callable[[], T]) -> T:
    """Run a read-decide-write step again when its write found the lead changed since the read."""
    for _ in range(_ATTEMPTS):
        try:
            return step()
        except TransactWriteError as error:
            if not condition_failed(error):
                raise
    raise DeletionConflictError(Reason("lead_kept_changing"))


def _stop_automation(lead_id: str, cause: str) -> None:
    """Best effort: every workflow step re-reads the lead and stops on its own, so a failure costs one wake-up."""
    try:
        stop_lead_lifecycle(lead_id, cause)
    except (BotoCoreError, ClientError):
        logger.exception("could not stop the lead's workflow", extra={"lead_id": lead_id, "cause": cause})
