"""Nurture sequences as data, their timing in the lead's send window, the silence rule and who may be written to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from pydantic import ValidationError

from crm.clock import compressed_since
from crm.domain.automation import (
    AutomationFacts,
    EmailFacts,
    marketing_email_blocked,
    service_email_blocked,
    stop_reason,
)
from crm.domain.nurture import (
    DEFAULT_SEQUENCE,
    Sequence,
    SequenceStep,
    email_choice,
    lead_zone,
    should_promote,
    step_due_at,
)
from crm.domain.status_rules import DEFAULT_STATUS_RULES, StatusRule, rules_for

MONDAY_8_UTC = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_the_default_sequence_follows_seed_002():
    steps = DEFAULT_SEQUENCE.steps
    assert steps[0] == SequenceStep(kind="email", delay_days=0, template="nurture_info_pack", personal=True)
    assert steps[1] == SequenceStep(kind="call", delay_days=3)
    assert [step.delay_days for step in steps[2:6]] == [7, 14, 21, 28]  # weekly for the first month
    assert {step.template for step in steps[6:]} == {"nurture_newsletter"}  # then monthly
    assert [later.delay_days - earlier.delay_days for earlier, later in pairwise(steps[6:])] \
        == [30] * 6
    assert DEFAULT_SEQUENCE.email_count == 12


@pytest.mark.parametrize(("steps", "field"), [
    ([{"kind": "email", "delay_days": 0}], "steps.0"),
    ([{"kind": "call", "delay_days": 0, "template": "nurture_weekly"}], "steps.0"),
    ([{"kind": "email", "delay_days": 7, "template": "nurture_weekly"},
      {"kind": "email", "delay_days": 3, "template": "nurture_weekly"}], "steps"),
    ([{"kind": "email", "delay_days": -1, "template": "nurture_weekly"}], "steps.0.delay_days"),
    ([{"kind": "email", "delay_days": 1, "template": "no_such_template"}], "steps.0.template"),
    ([], "steps"),
])
def test_a_bad_sequence_is_refused_naming_the_field(steps: list, field: str):
    with pytest.raises(ValidationError) as caught:
        Sequence.model_validate({"name": "Mine", "steps": steps})
    assert any(".".join(str(part) for part in error["loc"]).startswith(field) for error in caught.value.errors())


def test_a_bad_send_window_is_refused():
    with pytest.raises(ValidationError):
        Sequence(name="x", send_window="whenever", steps=DEFAULT_SEQUENCE.steps)


def test_the_first_step_goes_at_once_even_at_night():
    night = datetime(2026, 3, 7, 23, 30, tzinfo=UTC)  # a Saturday night
    assert step_due_at(night, DEFAULT_SEQUENCE.steps[0], "Mon-Fri 09:00-17:00", "Europe/Berlin") == night


def test_later_steps_move_into_the_send_window_in_the_leads_time_zone():
    call = DEFAULT_SEQUENCE.steps[1]  # day 3: Thursday 08:00 UTC
    in_tokyo = step_due_at(MONDAY_8_UTC, call, "Mon-Fri 09:00-17:00", "Asia/Tokyo")
    assert in_tokyo == datetime(2026, 3, 6, 0, 0, tzinfo=UTC)  # 17:00 in Tokyo is closing: Friday 09:00 JST
    in_new_york = step_due_at(MONDAY_8_UTC, call, "Mon-Fri 09:00-17:00", "America/New_York")
    assert in_new_york == datetime(2026, 3, 5, 14, 0, tzinfo=UTC)  # 09:00 EST
    saturday = SequenceStep(kind="email", delay_days=5, template="nurture_weekly")
    assert step_due_at(MONDAY_8_UTC, saturday, "Mon-Fri 09:00-17:00", "UTC") == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def test_an_unknown_time_zone_falls_back():
    assert lead_zone("Mars/Olympus", "Europe/Berlin") == "Europe/Berlin"
    assert lead_zone(None, "nowhere") == "UTC"


@pytest.mark.parametrize(("unopened", "big_bang_sent", "choice"), [
    (0, False, "send"), (10, False, "send"), (11, False, "big_bang"), (12, False, "big_bang"),
    (11, True, "give_up"), (0, True, "give_up"),
])
def test_eleven_unopened_emails_make_the_next_the_big_bang(unopened: int, big_bang_sent: bool, choice: str):
    assert email_choice(unopened, big_bang_sent, 11) == choice


def test_clicks_count_more_than_opens_towards_promotion():
    assert not should_promote(opens=5, clicks=0, threshold=6)
    assert should_promote(opens=6, clicks=0, threshold=6)
    assert should_promote(opens=0, clicks=2, threshold=6)
    assert not should_promote(opens=1, clicks=1, threshold=6)


@pytest.mark.parametrize(("facts", "reason"), [
    (AutomationFacts(status="new", cycle="nurturable"), None),
    (AutomationFacts(status="not_interested", cycle="nurturable"), "not interested"),
    (AutomationFacts(status="converted", cycle="expected_buyer", converted=True), "converted"),
    (AutomationFacts(status="new", cycle="nurturable", junk=True), "junk"),
    (AutomationFacts(status="new", cycle=None, erased=True, junk=True), "deleted"),
])
def test_automation_stops_for_converted_deleted_junk_and_not_interested(facts: AutomationFacts, reason: str | None):
    assert stop_reason(facts) == reason


def test_marketing_email_needs_consent_unless_legitimate_interest_is_the_basis():
    no_consent = EmailFacts(has_email=True, consent_given=False, unsubscribed=False, suppressed=None)
    assert marketing_email_blocked(no_consent, "consent") == "no consent"
    assert marketing_email_blocked(no_consent, "legitimate_interest") is None
    assert service_email_blocked(no_consent) is None


@pytest.mark.parametrize(("facts", "reason"), [
    (EmailFacts(has_email=True, consent_given=True, unsubscribed=True, suppressed=None), "unsubscribed"),
    (EmailFacts(has_email=True, consent_given=True, unsubscribed=False, suppressed="bounce"),
     "address suppressed (bounce)"),
    (EmailFacts(has_email=False, consent_given=True, unsubscribed=False, suppressed=None), "no email address"),
])
def test_unsubscribes_and_bounces_stop_every_email(facts: EmailFacts, reason: str):
    assert marketing_email_blocked(facts, "legitimate_interest") == reason
    assert service_email_blocked(facts) == reason


def test_compressed_time_is_measured_from_the_sequences_start():
    start = MONDAY_8_UTC
    due = start + timedelta(days=240)
    assert compressed_since(start, due, 1) == due
    assert compressed_since(start, due, 240 * 24 * 60) == start + timedelta(minutes=1)
    assert compressed_since(start, start - timedelta(days=1), 100) == start - timedelta(days=1)


def test_status_rules_are_data_with_a_channel_each():
    assert [rule.status for rule in rules_for("not_interested", DEFAULT_STATUS_RULES)] == ["not_interested"]
    assert rules_for("not_interested", [StatusRule(status="not_interested", template="lead_status_not_interested",
                                                   active=False)]) == []
    with pytest.raises(ValidationError):
        StatusRule(status="attempting", template="lead_status_attempting", email=False, sms=False)
    with pytest.raises(ValidationError):
        StatusRule(status="won", template="lead_status_attempting")


def test_an_execution_waits_for_a_step_within_its_year():
    from crm.domain.nurture import execution_wait

    started = datetime(2026, 1, 1, tzinfo=UTC)
    assert execution_wait(started, started, started + timedelta(days=200), timedelta(seconds=5)) == \
        started + timedelta(days=200)


def test_an_execution_waits_until_its_horizon_then_hands_over():
    from crm.domain.nurture import EXECUTION_HORIZON, execution_wait

    started = datetime(2026, 1, 1, tzinfo=UTC)
    far = started + timedelta(days=400)
    assert timedelta(days=365) > EXECUTION_HORIZON  # Step Functions ends a Standard execution after a year
    assert execution_wait(started, started, far, timedelta(seconds=5)) == started + EXECUTION_HORIZON
    assert execution_wait(started, started + EXECUTION_HORIZON - timedelta(seconds=2), far,
                          timedelta(seconds=5)) is None
