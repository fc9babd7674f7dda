"""What a user sees on login (L12, R1): leads per cycle and status, what is due today in their own time zone, the
hot leads still waiting for a first contact, and the funnel of open deals by stage.

A rep sees their own numbers; a manager or admin everyone's (the active users' partitions summed: a small team
has few users) or one rep's. Leads and tasks are read from the owner index, the funnel from the board's column
counters in one BatchGet: no scan and no counting of deals, every page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from crm.clock import to_iso
from crm.data.accounts import AccountItem, ContactItem, DealItem
from crm.data.board_columns import ColumnTotals, columns_totals
from crm.data.leads import LeadItem
from crm.data.people import UserItem, active_team, get_user
from crm.data.readers import read_each
from crm.data.tasks import TaskItem
from crm.domain.automation import AutomationFacts
from crm.domain.follow_up import STATUSES
from crm.domain.nurture import lead_zone
from crm.domain.pipelines import DEFAULT_PIPELINE_ID
from crm.domain.qualification import CYCLES
from crm.errors import NotFoundError
from crm.services.board import get_pipeline

# what the home needs of each lead: the big JSON attributes (explanation, nurture) stay in the table
_LEAD_ATTRIBUTES = ["kind", "lead_id", "owner_id", "name", "company", "status", "cycle", "temperature", "score",
                    "created_at", "first_contact_due_at", "first_contact_at", "junk", "converted_at", "erased_at"]
# how each kind of record a task belongs to is read for its name: the item, its id attribute, its name attribute
_RELATED = {"lead": (LeadItem, "lead_id", "name"), "contact": (ContactItem, "contact_id", "name"),
            "account": (AccountItem, "account_id", "name"), "deal": (DealItem, "deal_id", "title")}
_FUNNEL_KINDS = ("unsorted", "open")  # the stages a deal is still open in; won and lost are totalled apart


class HomeOwnerNotFoundError(NotFoundError):
    """404: no such user, or a rep asking for another rep's home (which they may not look into)."""


@dataclass(frozen=True)
class LeadCounts:
    """Open leads per cycle and status; converted, junk and erased leads are counted apart, not in the total."""

    by_cycle: dict[str, int]
    by_status: dict[str, int]
    total: int
    converted: int
    junk: int
    erased: int


def set_aside(facts: AutomationFacts) -> str | None:
    """Why a lead no longer counts as open work: "erased", "converted" or "junk" (that order); None if it does."""
    if facts.erased:
        return "erased"
    if facts.converted:
        return "converted"
    return "junk" if facts.junk else None


def count_leads(leads: Iterable[AutomationFacts]) -> LeadCounts:
    """Every cycle and known status is listed, at 0 when no lead is in it, so a client can draw them all."""
    by_cycle = dict.fromkeys(CYCLES, 0)
    by_status = dict.fromkeys(STATUSES, 0)
    aside = {"converted": 0, "junk": 0, "erased": 0}
    for facts in leads:
        reason = set_aside(facts)
        if reason:
            aside[reason] += 1
            continue
        by_status[facts.status] = by_status.get(facts.status, 0) + 1
        if facts.cycle in by_cycle:
            by_cycle[facts.cycle] += 1
    return LeadCounts(by_cycle, by_status, sum(by_status.values()), **aside)


def end_of_today(now: datetime, zone: str) -> datetime:
    """The next local midnight in `zone`: tasks due before it are due today (or overdue)."""
    tomorrow = now.astimezone(ZoneInfo(zone)).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=ZoneInfo(zone))


def is_waiting_hot(lead: LeadItem) -> bool:
    """A hot lead or expected buyer nobody has called or written to yet, still open."""
    return (lead.temperature == "hot" or lead.cycle == "expected_buyer") and lead.first_contact_at is None \
        and set_aside(lead.automation_facts()) is None


@dataclass(frozen=True)
class OwnerWork:
    """One owner's leads and the open tasks due before the end of the day."""

    leads: list[LeadItem]
    tasks: list[TaskItem]


def _owner_work(owner_id: str, end_of_day: str) -> OwnerWork:
    leads = LeadItem.owner_index.query(f"OWNER#{owner_id}#LEADS", attributes_to_get=_LEAD_ATTRIBUTES)
    tasks = TaskItem.owner_index.query(f"OWNER#{owner_id}#TASKS", end_of_day > TaskItem.GSI1SK)  # open tasks only
    return OwnerWork(list(leads), list(tasks))  # type: ignore[arg-type]  # the owner's partitions hold these


def _related_names(tasks: list[TaskItem], leads: list[LeadItem]) -> dict[tuple[str, str], str]:
    """The name of the lead, contact, account or deal each task belongs to (twenty "Call new lead" rows say nothing
    on their own): the leads already read, the rest in one BatchGet of their ids and names per kind."""
    names = {("lead", lead.lead_id): lead.name for lead in leads}
    missing = {(task.related_type, task.related_id) for task in tasks if task.related_type in _RELATED} - names.keys()
    for kind in {kind for kind, _ in missing}:
        item_class, id_name, name = _RELATED[kind]
        keys = [item_class.key(record_id) for each, record_id in missing if each == kind]
        for item in item_class.batch_get(keys, attributes_to_get=["kind", id_name, name]):
            names[kind, getattr(item, id_name)] = getattr(item, name)
    return names


def _numbers(owner_ids: list[str], zone: str, now: datetime) -> dict:
    """Leads, today's tasks and waiting hot leads of these owners, summed; lists merged in due order."""
    end_of_day, now_iso = to_iso(end_of_today(now, zone)), to_iso(now)
    work = read_each(lambda owner_id: _owner_work(owner_id, end_of_day), owner_ids)
    leads = [lead for owned in work for lead in owned.leads]
    tasks = sorted((task for owned in work for task in owned.tasks), key=lambda task: (task.due_at, task.task_id))
    waiting = sorted((lead for lead in leads if is_waiting_hot(lead)), key=lambda lead: lead.first_contact_due_at or "")
    related = _related_names(tasks, leads)
    return {
        "timezone": zone,
        "today": now.astimezone(ZoneInfo(zone)).date().isoformat(),
        "leads": asdict(count_leads(lead.automation_facts() for lead in leads)),
        "tasks_due_today": [{"task_id": task.task_id, "title": task.title, "due_at": task.due_at,
                             "owner_id": task.owner_id, "related_type": task.related_type,
                             "related_id": task.related_id,
                             "related_name": related.get((task.related_type, task.related_id)),
                             "overdue": task.due_at < now_iso} for task in tasks],
        "hot_leads_waiting": [{"lead_id": lead.lead_id, "name": lead.name, "company": lead.company,
                               "owner_id": lead.owner_id, "score": lead.score, "received_at": lead.created_at,
                               "first_contact_due_at": lead.first_contact_due_at} for lead in waiting],
    }


def home(viewer: UserItem, now: datetime, owner: str | None = None,
         pipeline_id: str = DEFAULT_PIPELINE_ID) -> dict:
    """The viewer's home: a rep's own; a manager's or admin's everyone's, or `owner`'s. Times in the viewer's zone.

    `team` lists the users whose numbers it may show (a rep: only themselves), for the manager's picker."""
    owner_id = _home_owner(viewer, owner)
    team = [viewer] if viewer.role == "rep" else active_team()
    owner_ids = [owner_id] if owner_id else [user.user_id for user in team]
    return {"owner_id": owner_id, "team": [{"user_id": user.user_id, "name": user.name, "role": user.role}
                                           for user in team],
            **_numbers(owner_ids, lead_zone(viewer.timezone, "UTC"), now), "funnel": funnel(pipeline_id, owner_id)}




def _home_owner(viewer: UserItem, owner: str | None) -> str | None:
    """Whose numbers the home shows (None: everyone's): a rep only ever their own."""
    if viewer.role == "rep":
        if owner not in (None, viewer.user_id):
            raise HomeOwnerNotFoundError(f"no user {owner!r}")
        return viewer.user_id
    if owner is not None and get_user(owner) is None:
        raise HomeOwnerNotFoundError(f"no user {owner!r}")
    return owner


def funnel(pipeline_id: str, owner_id: str | None = None) -> dict:
    """Open deals per stage in board order (count and amount per currency), won and lost totalled apart; all from
    the column counters of the board (one BatchGet), everyone's or one owner's."""
    stages = get_pipeline(pipeline_id).board_stages
    totals = columns_totals(pipeline_id, [stage.id for stage in stages], owner_id)
    return {
        "pipeline_id": pipeline_id,
        "stages": [{"stage_id": stage.id, "name": stage.name, "kind": stage.kind, **asdict(totals[stage.id])}
                   for stage in stages if stage.kind in _FUNNEL_KINDS],
        **{kind: asdict(_sum(totals[stage.id] for stage in stages if stage.kind == kind)) for kind in ("won", "lost")},
    }


def _sum(columns: Iterable[ColumnTotals]) -> ColumnTotals:
    """Several columns as one: counts added, amounts added per currency (exact decimals)."""
    count, amounts = 0, {}
    for column in columns:
        count += column.count
        for currency, amount in column.amounts.items():
            amounts[currency] = amounts.get(currency, Decimal(0)) + Decimal(amount)
    return ColumnTotals(count, {currency: str(amount) for currency, amount in sorted(amounts.items())})
