"""Deal robots (D5), the pure rules: what a stage's entry actions make, when a deal counts as stalled, and how
often its rep is nudged about it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from crm.clock import from_iso, to_iso
from crm.domain.pipelines import Stage

RENUDGE_AFTER_DAYS = 3
"""A deal nudged and still stuck is nudged again 3 days later, not every day: a daily reminder of the same deal
becomes noise a rep learns to ignore, while every third day keeps it on their radar until it moves."""

SUGGESTED_ACTION = "move_on_or_lower_priority"
"""What a nudge asks of the rep (a message key): move the deal on, or lower its priority."""


@dataclass(frozen=True)
class PlannedTask:
    task_id: str
    title: str
    due_at: str


def entry_task_id(deal_id: str, stage_id: str, entered_at: str, index: int) -> str:
    """The same deal entering the same stage at the same moment always names the same task, so a retried write
    can only ever put it once."""
    digest = hashlib.sha256(f"{deal_id}|{stage_id}|{entered_at}|{index}".encode()).hexdigest()
    return f"ENTRY-{digest[:26].upper()}"


def entry_tasks(stage: Stage, deal_id: str, entered_at: str) -> list[PlannedTask]:
    """The tasks a deal entering `stage` at `entered_at` gets, each due its action's days after the entry."""
    entered = from_iso(entered_at)
    return [PlannedTask(entry_task_id(deal_id, stage.id, entered_at, index), action.title,
                        to_iso(entered + timedelta(days=action.due_in_days)))
            for index, action in enumerate(stage.entry_actions) if action.type == "create_task"]


def stalled_before(now: datetime, max_days: int) -> str:
    """A deal of the stage is stalled if it entered it before this moment (ISO, comparable with entry times)."""
    return to_iso(now - timedelta(days=max_days))


def days_in_stage(entered_at: str, now: datetime) -> int:
    return max(0, (now - from_iso(entered_at)).days)


def due_for_nudge(nudged_on: str | None, today: date) -> bool:
    """Never nudged about this stay in the stage, or the last nudge is RENUDGE_AFTER_DAYS old."""
    return nudged_on is None or nudged_on <= last_nudge_allowing_another(today)


def last_nudge_allowing_another(today: date) -> str:
    """The latest `nudged_on` (YYYY-MM-DD) after which a deal may be nudged again today."""
    return (today - timedelta(days=RENUDGE_AFTER_DAYS)).isoformat()
