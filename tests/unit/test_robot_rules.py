"""Deal robots' pure rules (D5): stage-entry actions as data, when a deal counts as stalled, how often it is nudged."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from crm.domain.pipelines import DEFAULT_PIPELINE, Pipeline, Stage
from crm.domain.robots import (
    RENUDGE_AFTER_DAYS,
    days_in_stage,
    due_for_nudge,
    entry_task_id,
    entry_tasks,
    stalled_before,
)

ENTERED = "2030-03-01T09:00:00Z"


def test_the_default_pipeline_limits_every_open_stage_and_entering_proposal_asks_for_the_proposal() -> None:
    # Given the built-in pipeline
    open_stages = [stage for stage in DEFAULT_PIPELINE.stages if stage.is_open]
    closed = [stage for stage in DEFAULT_PIPELINE.stages if not stage.is_open]
    # Then every open stage (Unsorted too) has a limit, and no closed stage has one
    assert all(stage.max_days_in_stage for stage in open_stages)
    assert {stage.kind for stage in closed} == {"won", "lost"}
    assert all(stage.max_days_in_stage is None and not stage.entry_actions for stage in closed)
    # And entering Proposal creates "Send the proposal" for the next day
    proposal = DEFAULT_PIPELINE.stage("proposal")
    assert proposal is not None
    assert next((action.type, action.title, action.due_in_days) for action in proposal.entry_actions) == (
        "create_task", "Send the proposal", 1)


def test_entry_actions_round_trip_as_the_pipeline_document_an_admin_saves() -> None:
    document = DEFAULT_PIPELINE.model_dump(mode="json")
    assert document["stages"][4]["entry_actions"][0] == {"type": "create_task", "title": "Send the proposal",
                                                          "due_in_days": 1}
    assert Pipeline.model_validate(document) == DEFAULT_PIPELINE


@pytest.mark.parametrize("action", [
    {"type": "send_rocket", "title": "Launch"},
    {"type": "create_task", "title": "  "},
    {"type": "create_task", "title": "Call", "due_in_days": -1},
    {"type": "create_task", "title": "Call", "due_in_days": 366},
    {"type": "create_task", "title": "Call", "assignee": "someone"},
])
def test_an_entry_action_that_cannot_run_is_refused(action: dict) -> None:
    with pytest.raises(ValidationError):
        Stage.model_validate({"id": "proposal", "name": "Proposal", "entry_actions": [action]})


def test_a_closed_stage_has_no_limit_since_its_deals_have_no_clock() -> None:
    with pytest.raises(ValidationError, match="max_days_in_stage"):
        Stage(id="closed-won", name="Closed won", kind="won", max_days_in_stage=5)


def test_entering_a_stage_plans_its_tasks_due_days_after_the_entry() -> None:
    stage = Stage.model_validate({"id": "proposal", "name": "Proposal", "entry_actions": [
        {"type": "create_task", "title": "Send the proposal", "due_in_days": 1},
        {"type": "create_task", "title": "Call about it", "due_in_days": 0}]})
    planned = entry_tasks(stage, "D1", ENTERED)
    assert [(task.title, task.due_at) for task in planned] == [
        ("Send the proposal", "2030-03-02T09:00:00Z"), ("Call about it", "2030-03-01T09:00:00Z")]
    assert len({task.task_id for task in planned}) == 2


def test_a_task_id_is_the_same_for_the_same_entry_and_different_for_any_other() -> None:
    same = entry_task_id("D1", "proposal", ENTERED, 0)
    assert same == entry_task_id("D1", "proposal", ENTERED, 0)
    others = {entry_task_id("D2", "proposal", ENTERED, 0), entry_task_id("D1", "negotiation", ENTERED, 0),
              entry_task_id("D1", "proposal", "2030-03-02T09:00:00Z", 0), entry_task_id("D1", "proposal", ENTERED, 1)}
    assert same not in others and len(others) == 4


def test_a_deal_is_stalled_only_once_it_entered_more_than_the_limit_ago() -> None:
    now = datetime(2030, 3, 11, 9, 0, tzinfo=UTC)
    cutoff = stalled_before(now, 10)
    assert cutoff == "2030-03-01T09:00:00Z"
    # entry times compare as text, as the clock's sort key does
    assert cutoff > "2030-03-01T08:59:59Z"
    assert not f"{ENTERED}#D1" < cutoff  # exactly 10 days is not yet over the limit
    assert days_in_stage(ENTERED, now) == 10
    assert days_in_stage("2030-03-12T09:00:00Z", now) == 0  # never negative


def test_a_deal_is_nudged_again_only_after_the_interval() -> None:
    today = date(2030, 3, 11)
    assert due_for_nudge(None, today)
    assert not due_for_nudge("2030-03-11", today)  # a rerun the same day
    assert not due_for_nudge("2030-03-10", today)  # nudged yesterday
    assert due_for_nudge(date.fromordinal(today.toordinal() - RENUDGE_AFTER_DAYS).isoformat(), today)
