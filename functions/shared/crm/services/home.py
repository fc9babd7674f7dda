"""What a rep sees on login (L12): their leads per cycle and status, what is due today in their own time zone,
and the hot leads still waiting for a first contact. Read from the owner index only (no scan), every page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm.clock import to_iso
from crm.data.leads import LeadItem
from crm.data.people import UserItem, get_user
from crm.data.tasks import TaskItem
from crm.domain.automation import AutomationFacts
from crm.domain.follow_up import STATUSES
from crm.domain.nurture import lead_zone
from crm.domain.qualification import CYCLES
from crm.services.actors import ensure_owner

# what the home needs of each lead: the big JSON attributes (explanation, nurture) stay in the table
_LEAD_ATTRIBUTES = ["kind", "lead_id", "name", "company", "status", "cycle", "temperature", "score", "created_at",
                    "first_contact_due_at", "first_contact_at", "junk", "converted_at", "erased_at"]


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


def rep_home(rep_id: str, actor: UserItem, now: datetime) -> dict | None:
    """The rep's home numbers for `actor` (the rep, a manager or an admin); None when there is no such user."""
    ensure_owner(actor, rep_id)
    rep = get_user(rep_id)
    if rep is None:
        return None
    zone = lead_zone(rep.timezone, "UTC")
    leads = list(LeadItem.owner_index.query(f"OWNER#{rep_id}#LEADS", attributes_to_get=_LEAD_ATTRIBUTES))
    tomorrow, now_iso = to_iso(end_of_today(now, zone)), to_iso(now)
    tasks = TaskItem.owner_index.query(f"OWNER#{rep_id}#TASKS", tomorrow > TaskItem.GSI1SK)  # open tasks only
    waiting = sorted((lead for lead in leads if is_waiting_hot(lead)), key=lambda lead: lead.first_contact_due_at)
    return {
        "rep_id": rep_id,
        "timezone": zone,
        "today": now.astimezone(ZoneInfo(zone)).date().isoformat(),
        "leads": asdict(count_leads(lead.automation_facts() for lead in leads)),
        "tasks_due_today": [{"task_id": task.task_id, "title": task.title, "due_at": task.due_at,
                             "related_type": task.related_type, "related_id": task.related_id,
                             "overdue": task.due_at < now_iso} for task in tasks],
        "hot_leads_waiting": [{"lead_id": lead.lead_id, "name": lead.name, "company": lead.company,
                               "score": lead.score, "received_at": lead.created_at,
                               "first_contact_due_at": lead.first_contact_due_at} for lead in waiting],
    }
