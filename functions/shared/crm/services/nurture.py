"""The lead's route and its nurture sequence (L5, L7): each workflow step re-reads the lead before acting.

Progress lives on the lead (`lead.nurture`, a DynamoDB map), so a retried step never repeats a finished send:
every write is conditional on `next_step`, and counters are updated field by field, so an open recorded at the
same moment (email_events) is never overwritten. The workflow itself only carries the next wake-up time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite
from ulid import ULID

from crm.clock import ceil_second, compressed_since, from_iso, to_iso
from crm.data.config import sequence
from crm.data.leads import LeadItem, NurtureState, TimelineEventItem, get_lead, lead_pk
from crm.data.tasks import TaskItem
from crm.data.transactions import condition_failed, write_transaction
from crm.domain.automation import marketing_email_blocked
from crm.domain.nurture import (
    BIG_BANG_TEMPLATE,
    DEFAULT_SEQUENCE_ID,
    Sequence,
    email_choice,
    execution_wait,
    lead_zone,
    step_due_at,
)
from crm.integrations.workflows import start_lead_lifecycle
from crm.observability import logger
from crm.services.activities import automation_stopped, follow_up_changes
from crm.services.lead_messages import email_facts, email_lead
from crm.settings import get_settings

NURTURE_CALL_TITLE = "Nurture call"
BIG_BANG_GRACE_DAYS = 14  # how long the big bang email has to be opened before the lead is no prospect
# A wake-up this close to a step's moment runs it: a timestamp wait may end a little early (moto's does, by up to
# a second), and planning another wait for the rest would cost three transitions for nothing.
EARLY_WAKE_TOLERANCE = timedelta(seconds=5)
# The big bang's chance survives time compression: however fast the local clock runs (14 days are 3 s at
# CLOCK_SPEEDUP=400000, within the tolerance above), nothing follows the big bang sooner than this in real time,
# so its demotion is always a wake-up of its own and a person can still open the email from the outbox.
BIG_BANG_MIN_REAL_GRACE = 2 * EARLY_WAKE_TOLERANCE


def choose_route(lead_id: str) -> dict:
    """personal (expected buyer: the SLA route), nurture (nurturable) or none (no prospect, or stopped)."""
    lead = get_lead(lead_id)
    if lead is None or automation_stopped(lead):
        return {"route": "none", "cycle": lead.cycle if lead else None}
    route = {"expected_buyer": "personal", "nurturable": "nurture"}.get(lead.cycle or "", "none")
    return {"route": route, "cycle": lead.cycle}


def _why_not_nurture(lead: LeadItem | None) -> str | None:
    if lead is None:
        return "deleted"
    stopped = automation_stopped(lead)
    if stopped:
        return stopped
    if lead.nurture is not None and lead.nurture.ended:
        return str(lead.nurture.ended)
    if lead.promoted_at or lead.cycle == "expected_buyer":
        return "expected buyer"
    if lead.cycle != "nurturable":
        return f"cycle is {lead.cycle}"
    return None


def _at_step(k: int) -> Condition:
    return LeadItem.nurture.next_step == k


def _ended(lead: LeadItem | None, reason: str, now: datetime) -> dict:
    """Nurture is over for this lead; recorded once on the lead and its timeline."""
    if lead is not None and lead.nurture is not None and not lead.nurture.ended:
        at = to_iso(now)

        def writes(transaction: TransactWrite) -> None:
            transaction.update(lead, actions=[LeadItem.nurture.ended.set(reason), LeadItem.nurture.ended_at.set(at)],
                               condition=LeadItem.nurture.ended.does_not_exist(), add_version_condition=False)
            transaction.save(TimelineEventItem.build(lead_pk(lead.lead_id), "nurture_ended", at,
                                                     {"reason": reason, "sent": int(lead.nurture.sent)}))

        _write_once(writes)
    return {"next": "done", "reason": reason}


def _write_once(writes: object) -> bool:
    """A transaction whose condition failing means another run already did it."""
    try:
        write_transaction(writes)  # type: ignore[arg-type]
    except TransactWriteError as error:
        if condition_failed(error):
            return False
        raise
    return True


def _start(lead: LeadItem, now: datetime) -> NurtureState:
    """Enter nurture: the sequence's clock starts now. A concurrent start that won is simply re-read."""
    state = NurtureState(sequence=DEFAULT_SEQUENCE_ID, started_at=to_iso(now), next_step=0, sent=0, unopened=0)

    def writes(transaction: TransactWrite) -> None:
        transaction.update(lead, actions=[LeadItem.nurture.set(state)], add_version_condition=False,
                           condition=LeadItem.nurture.does_not_exist())
        transaction.save(TimelineEventItem.build(lead_pk(lead.lead_id), "nurture_started", to_iso(now),
                                                 {"sequence": DEFAULT_SEQUENCE_ID}))

    if not _write_once(writes):
        lead.refresh(consistent_read=True)
        return lead.nurture
    lead.nurture = state
    return state


def _due(lead: LeadItem, steps: Sequence, state: NurtureState, k: int) -> datetime:
    settings = get_settings()
    zone = lead_zone(lead.timezone, settings.sla_timezone)
    return step_due_at(from_iso(state.started_at), steps.steps[k], steps.send_window, zone)


def _wake(state: NurtureState, due: datetime, now: datetime) -> datetime:
    wake = compressed_since(from_iso(state.started_at), due, get_settings().clock_speedup)
    if state.big_bang_at:
        wake = max(wake, from_iso(state.big_bang_at) + BIG_BANG_MIN_REAL_GRACE)
    return max(wake, now)


def _plan(lead: LeadItem, state: NurtureState, k: int, wake: datetime) -> dict:
    wake = ceil_second(wake)
    if state.wake_at != to_iso(wake):
        lead.update(actions=[LeadItem.nurture.wake_at.set(to_iso(wake))], condition=_at_step(k),
                    add_version_condition=False)
    return {"next": "wait", "wake_at": to_iso(wake), "step": k}


def nurture_step(lead_id: str, now: datetime, execution_started: datetime | None = None) -> dict:
    """Run the step that is due (if it is), then say when the next one is: {"next": "wait", "wake_at": ...}, or
    {"next": "continued"} when a fresh execution takes over from this one, started at `execution_started`."""
    lead = get_lead(lead_id)
    reason = _why_not_nurture(lead)
    if reason:
        return _ended(lead, reason, now)
    assert lead is not None
    state = lead.nurture if lead.nurture is not None else _start(lead, now)
    steps = sequence(state.sequence)
    k = int(state.next_step)
    if k < len(steps.steps) and _wake(state, _due(lead, steps, state, k), now) <= now + EARLY_WAKE_TOLERANCE:
        _run_step(lead, steps, state, k, now)
        lead.refresh(consistent_read=True)
        reason = _why_not_nurture(lead)
        if reason:
            return _ended(lead, reason, now)
    planned = _plan_next(lead, steps, now)
    if planned["next"] != "wait" or execution_started is None:
        return planned
    return _within_execution(lead, planned, now, execution_started)


def _within_execution(lead: LeadItem, planned: dict, now: datetime, execution_started: datetime) -> dict:
    """Step Functions ends an execution after a year: a wait beyond that is cut at this execution's horizon, and
    at the horizon a fresh execution, named after this one's start (a retried step starts it once), takes over.
    The lead keeps the real moment in `nurture.wake_at`."""
    until = execution_wait(execution_started, now, from_iso(planned["wake_at"]), EARLY_WAKE_TOLERANCE)
    if until is not None:
        return {**planned, "wake_at": to_iso(ceil_second(until))}
    arn = start_lead_lifecycle(lead.lead_id, run=f"c{int(execution_started.timestamp())}", resume="nurture")
    lead.update(actions=[LeadItem.lifecycle_execution.set(arn)], add_version_condition=False)
    logger.info("nurture continues in a fresh execution", extra={"lead_id": lead.lead_id, "execution": arn})
    return {"next": "continued", "execution": arn, "step": planned["step"]}


def _plan_next(lead: LeadItem, steps: Sequence, now: datetime) -> dict:
    """When the next step is due, or the end of the big bang's grace period (then: give up)."""
    state = lead.nurture
    k = int(state.next_step)
    if k < len(steps.steps):
        return _plan(lead, state, k, _wake(state, _due(lead, steps, state, k), now))
    if not state.big_bang_at:
        return _ended(lead, "sequence finished", now)
    # the grace period runs on the sequence's clock, from the last step's moment, like every step
    grace_over = _due(lead, steps, state, len(steps.steps) - 1) + timedelta(days=BIG_BANG_GRACE_DAYS)
    wake = _wake(state, grace_over, now)
    return _give_up(lead, state, now) if wake <= now + EARLY_WAKE_TOLERANCE else _plan(lead, state, k, wake)


def _run_step(lead: LeadItem, steps: Sequence, state: NurtureState, k: int, now: datetime) -> None:
    step = steps.steps[k]
    at = to_iso(now)
    pk = lead_pk(lead.lead_id)
    actions: list[Action] = [LeadItem.nurture.next_step.set(k + 1), LeadItem.nurture.wake_at.remove()]
    items: list = []
    if step.kind == "call":
        task_id = str(ULID.from_datetime(now))
        items.append(TaskItem(*TaskItem.key(task_id), task_id=task_id, title=NURTURE_CALL_TITLE,
                              owner_id=lead.owner_id, due_at=at, related_type="lead", related_id=lead.lead_id,
                              created_at=at, **TaskItem.open_keys(lead.owner_id, at)))
        items.append(TimelineEventItem.build(pk, "task_created", at, {
            "task_id": task_id, "title": NURTURE_CALL_TITLE, "due_at": at, "owner_id": lead.owner_id,
            "nurture_step": k}))
    else:
        choice = email_choice(int(state.unopened), bool(state.big_bang_at), get_settings().nurture_silence_limit)
        if choice == "give_up":
            _give_up(lead, state, now)
            return
        blocked = marketing_email_blocked(email_facts(lead), get_settings().marketing_legal_basis)
        if blocked:
            items.append(TimelineEventItem.build(pk, "nurture_email_skipped", at, {"step": k, "reason": blocked}))
        else:
            if not _claim(lead, k):
                return
            template = BIG_BANG_TEMPLATE if choice == "big_bang" else str(step.template)
            sent = email_lead(lead, template, now, step=k,
                              step_context={"number": int(state.sent) + 1, "of": steps.email_count})
            actions += [LeadItem.nurture.sent.add(1), LeadItem.nurture.unopened.add(1),
                        LeadItem.nurture.sending.remove()]
            if choice == "big_bang":
                actions.append(LeadItem.nurture.big_bang_at.set(at))
            items.append(TimelineEventItem.build(pk, "nurture_email_sent", at, {
                "step": k, "template": template, "subject": sent.subject,
                "message_id": sent.PK.removeprefix("SES#")}))
            if step.personal:  # the rep's own email answering the request: a contact attempt (L8), which
                # starts no status message (L11): those tell the lead a person tried, and nobody did yet
                changes = follow_up_changes(lead, "email", "outbound", "sent", at)
                actions += changes.actions
                items += changes.events

    def writes(transaction: TransactWrite) -> None:
        transaction.update(lead, actions=actions, condition=_at_step(k), add_version_condition=False)
        for item in items:
            transaction.save(item)

    _write_once(writes)


def _claim(lead: LeadItem, k: int) -> bool:
    """Mark step k as being sent; False if another run already moved past it."""
    try:
        lead.update(actions=[LeadItem.nurture.sending.set(k)], condition=_at_step(k), add_version_condition=False)
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _give_up(lead: LeadItem, state: NurtureState, now: datetime) -> dict:
    """The big bang went unopened too: the lead is no prospect and nurture ends (seed 000)."""
    at = to_iso(now)
    reason = "no opens after the big bang email"

    def writes(transaction: TransactWrite) -> None:
        transaction.update(lead, actions=[LeadItem.cycle.set("no_prospect"), LeadItem.nurture.ended.set(reason),
                                          LeadItem.nurture.ended_at.set(at)],
                           add_version_condition=False, condition=LeadItem.nurture.big_bang_at.exists()
                           & LeadItem.nurture.ended.does_not_exist())
        transaction.save(TimelineEventItem.build(lead_pk(lead.lead_id), "demoted", at, {
            "from": lead.cycle, "to": "no_prospect", "reason": reason, "unopened": int(state.unopened)}))

    if _write_once(writes):
        logger.info("lead demoted to no prospect after the big bang", extra={"lead_id": lead.lead_id})
    return {"next": "done", "reason": reason}
