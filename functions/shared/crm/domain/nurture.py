"""Nurture (L7): sequences as data, when each step falls, and the silence rule of seed 000.

A sequence is a list of steps, each an email template or a call task for the rep, at a delay in days after
the lead entered nurture, moved into the send window (business days and hours in the lead's time zone).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from crm.domain.sla import BusinessHours
from crm.reasons import invalid

NURTURE_TEMPLATES = ("nurture_info_pack", "nurture_weekly", "nurture_newsletter")
BIG_BANG_TEMPLATE = "nurture_big_bang"
DEFAULT_WINDOW = "Mon-Fri 09:00-17:00"
DEFAULT_SEQUENCE_ID = "default"


class SequenceStep(BaseModel):
    """One step: an email (template) or a call task for the lead's rep, `delay_days` after nurture began."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["email", "call"]
    delay_days: float = Field(ge=0, le=3650)
    template: Literal[NURTURE_TEMPLATES] | None = None  # type: ignore[valid-type]
    personal: bool = False  # from the rep, answering the lead's request: counts as a contact attempt (L8)

    @model_validator(mode="after")
    def _template_for_emails(self) -> SequenceStep:
        if self.kind == "email" and self.template is None:
            raise invalid("email_step_template")
        if self.kind == "call" and self.template is not None:
            raise invalid("call_step_no_template")
        return self


class Sequence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    send_window: str = DEFAULT_WINDOW
    steps: tuple[SequenceStep, ...] = Field(min_length=1, max_length=100)

    @field_validator("send_window")
    @classmethod
    def _readable_window(cls, value: str) -> str:
        BusinessHours.parse(value, "UTC")
        return value

    @field_validator("steps")
    @classmethod
    def _in_time_order(cls, steps: tuple[SequenceStep, ...]) -> tuple[SequenceStep, ...]:
        if any(later.delay_days < earlier.delay_days for earlier, later in pairwise(steps)):
            raise invalid("steps_order")
        return steps

    @property
    def email_count(self) -> int:
        return sum(step.kind == "email" for step in self.steps)


def _default_steps() -> tuple[SequenceStep, ...]:
    """Seed 002: the info pack at once, a call on day 3, weekly emails for a month, then monthly newsletters."""
    info_pack = SequenceStep(kind="email", delay_days=0, template="nurture_info_pack", personal=True)
    call = SequenceStep(kind="call", delay_days=3)
    weekly = [SequenceStep(kind="email", delay_days=7 * week, template="nurture_weekly") for week in range(1, 5)]
    monthly = [SequenceStep(kind="email", delay_days=30 * month, template="nurture_newsletter")
               for month in range(2, 9)]
    return (info_pack, call, *weekly, *monthly)


DEFAULT_SEQUENCE = Sequence(name="Default nurture (seed 002)", steps=_default_steps())


def lead_zone(timezone: str | None, fallback: str) -> str:
    for name in (timezone, fallback):
        if not name:
            continue
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return name
    return "UTC"


def step_due_at(started_at: datetime, step: SequenceStep, send_window: str, zone: str) -> datetime:
    """The step's moment: its delay after the start, moved to the next open moment of the window in the lead's
    zone. The first step (delay 0) goes at once, whatever the hour: the lead has just asked for it."""
    due = started_at + timedelta(days=step.delay_days)
    if step.delay_days == 0:
        return due
    return BusinessHours.parse(send_window, zone).add(due, timedelta(0))


EmailChoice = Literal["send", "big_bang", "give_up"]


def email_choice(unopened_in_a_row: int, big_bang_sent: bool, silence_limit: int) -> EmailChoice:
    """Seed 000: after `silence_limit` unopened emails in a row, the next is the "big bang" email; if that goes
    unopened too, the lead is no prospect. An open resets both (the caller clears the counters)."""
    if big_bang_sent:
        return "give_up"
    if unopened_in_a_row >= silence_limit:
        return "big_bang"
    return "send"


def engagement_points(opens: int, clicks: int) -> int:
    """A click says more than an open: it is a choice to learn more."""
    return opens + 3 * clicks


def should_promote(opens: int, clicks: int, threshold: int) -> bool:
    return engagement_points(opens, clicks) >= threshold



# A Standard workflow execution may run one year at most; a lead whose next step falls later continues in a
# fresh execution. The margin leaves room for retries, late wake-ups and the hand-over itself.
EXECUTION_HORIZON = timedelta(days=330)


def execution_wait(execution_started: datetime, now: datetime, wake: datetime,
                   tolerance: timedelta) -> datetime | None:
    """What this execution waits for on the way to `wake`: `wake` itself, or its own horizon when `wake` falls
    later; None when the horizon has come and a fresh execution must take the lead on."""
    horizon = execution_started + EXECUTION_HORIZON
    if wake <= horizon:
        return wake
    return None if now + tolerance >= horizon else horizon
