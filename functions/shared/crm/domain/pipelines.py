"""Pipelines (D1, D4): the stages a deal moves through, kept as data an admin edits.

A stage's id is its identity: deals, board keys and column counters name it, so a rename changes only the name
and a stage is archived (it leaves the board) rather than removed. Every pipeline starts with the "Unsorted"
stage, where deals made by the system land (conversions, calls), and has a won and a lost stage to end in.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from crm.errors import InvalidError
from crm.reasons import Reason, invalid

DEFAULT_PIPELINE_ID = "sales"
UNSORTED_STAGE_ID = "unsorted"
SLUG = r"^[a-z0-9][a-z0-9_-]{0,63}$"

StageKind = Literal["unsorted", "open", "won", "lost"]
Slug = Annotated[str, StringConstraints(pattern=SLUG)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


def slugify(name: str) -> str:
    """A stage id from its name: 'Decision makers identified' -> 'decision-makers-identified'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:64]


class CreateTaskAction(BaseModel):
    """A stage-entry action (D5): a task for the deal's owner, due `due_in_days` after the deal entered the stage."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["create_task"] = "create_task"
    title: Name
    due_in_days: int = Field(1, ge=0, le=365)


EntryAction = CreateTaskAction  # one kind of action so far; a new kind joins as a union on `type`


class Stage(BaseModel):
    """A column of the board; `max_days_in_stage` is when a deal sitting in it counts as stalled (D5),
    `probability` the chance (percent) that a deal here is won, which weighs its amount on the card, and
    `entry_actions` run, in order, whenever a deal enters it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    name: Name
    kind: StageKind = "open"
    archived: bool = False
    max_days_in_stage: int | None = Field(None, ge=1, le=3650)
    probability: int | None = Field(None, ge=0, le=100)
    entry_actions: tuple[EntryAction, ...] = Field((), max_length=5)

    @model_validator(mode="after")
    def _closed_stages_never_stall(self) -> Stage:
        """A won or lost deal is finished: it has no clock, so a limit on its stage would never be checked."""
        if self.kind in ("won", "lost") and self.max_days_in_stage is not None:
            raise invalid("stage_closed_no_limit", kind=self.kind)
        return self

    @property
    def is_open(self) -> bool:
        """Deals here are still being worked on (Unsorted included): they have a stage clock."""
        return self.kind in ("unsorted", "open")


class PipelineRuleError(InvalidError):
    """A request the pipeline's rules refuse: `field` names what to change, `reason` says why."""


class Pipeline(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    stages: tuple[Stage, ...] = Field(min_length=3, max_length=50)
    lost_reasons: tuple[Name, ...] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _workable(self) -> Pipeline:
        """Unsorted first (and only there), a way to win and a way to lose, one stage per id, one reason per text."""
        repeated = [stage_id for stage_id, seen in Counter(stage.id for stage in self.stages).items() if seen > 1]
        if repeated:
            raise invalid("stage_ids_repeated", stage_ids=", ".join(repeated))
        first, *rest = self.stages
        if (first.kind, first.id) != ("unsorted", UNSORTED_STAGE_ID) or first.archived:
            raise invalid("first_stage_unsorted", stage_id=UNSORTED_STAGE_ID)
        if any(stage.kind == "unsorted" for stage in rest):
            raise invalid("one_unsorted_stage")
        for kind in ("won", "lost"):
            if not any(stage.kind == kind and not stage.archived for stage in rest):
                raise invalid("pipeline_needs_stage", kind=kind)
        if len({reason.casefold() for reason in self.lost_reasons}) < len(self.lost_reasons):
            raise invalid("lost_reasons_repeated")
        return self

    def stage(self, stage_id: str) -> Stage | None:
        return next((stage for stage in self.stages if stage.id == stage_id), None)

    @property
    def board_stages(self) -> tuple[Stage, ...]:
        """The columns of the board, in the admin's order: archived stages leave it, their deals stay."""
        return tuple(stage for stage in self.stages if not stage.archived)

    def ensure_replaces(self, previous: Pipeline) -> None:
        """Saving `self` over `previous` keeps every stage id, so no deal is left in a stage that no longer exists."""
        kept = {stage.id for stage in self.stages}
        removed = [stage.id for stage in previous.stages if stage.id not in kept]
        if removed:
            raise PipelineRuleError("stages", Reason("stages_removed", stage_ids=", ".join(removed)))

    def ensure_can_enter(self, stage_id: str, lost_reason: str | None) -> Stage:
        """The stage a deal may move (or be created) into: on the board, and lost only for one of the listed reasons."""
        stage = self.stage(stage_id)
        if stage is None or stage.archived:
            raise PipelineRuleError("stage_id", Reason("stage_off_board", stage_id=stage_id))
        if stage.kind == "lost" and lost_reason not in self.lost_reasons:
            raise PipelineRuleError("lost_reason", Reason("lost_reason_needed", reasons=", ".join(self.lost_reasons)))
        if stage.kind != "lost" and lost_reason is not None:
            raise PipelineRuleError("lost_reason", Reason("lost_reason_unexpected"))
        return stage


def _task(title: str, due_in_days: int) -> CreateTaskAction:
    return CreateTaskAction(title=title, due_in_days=due_in_days)


# (name, max days in stage, probability, entry actions): each stage's limit is how long a healthy deal of a small
# B2B sales team sits there, its probability how often such a deal is won; its actions are the step that moves the
# deal on.
_DEFAULT_OPEN_STAGES = (
    ("Identified", 14, 10, (_task("Make the first call", 1),)),
    ("In discussion", 21, 20, (_task("Book a needs-analysis meeting", 3),)),
    ("Decision makers identified", 14, 40, (_task("Meet the decision makers", 5),)),
    ("Proposal", 10, 60, (_task("Send the proposal", 1), _task("Follow up on the proposal", 5))),
    ("Negotiation", 14, 75, (_task("Agree the final terms", 5),)),
    ("Procurement", 21, 90, (_task("Check the purchase order and contract", 3),)),
)


def _default_stages() -> tuple[Stage, ...]:
    """Unsorted (D4: a triage inbox, sorted within 3 days; no task, its deals come with their own; not yet judged,
    so no probability), then the stages of D1 (seed 004)."""
    return (Stage(id=UNSORTED_STAGE_ID, name="Unsorted", kind="unsorted", max_days_in_stage=3),
            *(Stage(id=slugify(name), name=name, max_days_in_stage=days, probability=probability,
                    entry_actions=actions)
              for name, days, probability, actions in _DEFAULT_OPEN_STAGES),
            Stage(id="closed-won", name="Closed won", kind="won", probability=100),
            Stage(id="closed-lost", name="Closed lost", kind="lost", probability=0))


DEFAULT_PIPELINE = Pipeline(
    name="Sales", stages=_default_stages(),
    lost_reasons=("Price", "Chose a competitor", "No budget", "No decision", "Timing", "Other"))
