"""The rep's first task on a new lead follows its temperature (L4, L6): an expected buyer's "Call new lead" at the
SLA deadline, a warm lead's follow-up by the close of the rep's next business day, nothing for a cold lead (its
nurture sequence has its own call). A lead that becomes an expected buyer later gets its SLA call then."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.conftest import HOT_ANSWERS
from tests.integration.test_board_api import board, emitted_metrics  # noqa: F401
from tests.integration.test_lead_intake import log_activity
from tests.integration.test_nurture import deliver, ses_event

WARM = {"budget": "Yes, 20,000 EUR approved", "need": "Our spreadsheets no longer keep up", "timing": "this quarter",
        "company_size": "51-200"}
"""Answers that score warm: nurturable, no SLA."""
COLD = {"message": "Our spreadsheets no longer keep up", "company_size": "51-200", "role": "CEO"}
"""Answers that score cold but give a reason to nurture."""
FRIDAY_EVENING = datetime(2026, 3, 6, 16, 30, tzinfo=UTC)  # 17:30 in Berlin: the rep's day is over
MONDAY_EARLY = datetime(2026, 3, 9, 5, 0, tzinfo=UTC)  # 06:00 in Berlin, before the rep's day starts
MONDAY_NOON = datetime(2026, 3, 9, 11, 0, tzinfo=UTC)


def submit(received_at: datetime, **answers) -> str:
    """A German visitor (routed to Anna, in Berlin) arriving at `received_at`, as a signed-in caller posts it (a
    public post of a known person only proposes its answers: crm.services.intake)."""
    from crm.models.leads import LeadSubmission
    from crm.services.intake import IntakeOptions, submit_lead

    payload = {"name": "Jonas Weber", "email": "jonas@example.de", "country": "DE", "marketing_consent": True,
               "consent_text": "Yes, send me news", **answers}
    return submit_lead(LeadSubmission.model_validate(payload), received_at, IntakeOptions()).lead_id


def lead(lead_id: str):
    from crm.data.leads import get_lead

    return get_lead(lead_id)


def open_tasks(lead_id: str) -> list:
    from crm.data.tasks import open_tasks as owners_open_tasks

    return owners_open_tasks(lead(lead_id).owner_id, related_id=lead_id)


def task(task_id: str):
    from crm.data.tasks import get_task

    return get_task(task_id)


def created_tasks(lead_id: str) -> list[dict]:
    from crm.data.leads import lead_pk, timeline

    return [event.data for event in timeline(lead_pk(lead_id)) if event.event_type == "task_created"]


def test_an_expected_buyer_is_called_within_the_sla(crm):
    # Given a hot lead, When it arrives
    lead_id = submit(MONDAY_NOON, **HOT_ANSWERS)
    # Then its rep's first task is the SLA call, due at the lead's first-contact deadline
    hot = lead(lead_id)
    assert (hot.temperature, hot.cycle) == ("hot", "expected_buyer")
    assert hot.first_contact_due_at == "2026-03-09T11:20:00Z"
    [call] = open_tasks(lead_id)
    assert (call.task_id, call.title, call.due_at, call.owner_id) == (hot.call_task_id, "Call new lead",
                                                                      hot.first_contact_due_at, "rep-anna")
    assert [data["task_id"] for data in created_tasks(lead_id)] == [call.task_id]


@pytest.mark.parametrize(("received_at", "due_at"), [
    (MONDAY_NOON, "2026-03-10T16:00:00Z"),  # by the close of Tuesday (17:00 in Berlin)
    (FRIDAY_EVENING, "2026-03-09T16:00:00Z"),  # the weekend is no business day: Monday's close
    (MONDAY_EARLY, "2026-03-09T16:00:00Z"),  # before opening: the day ahead is the next business day
], ids=["midday", "friday-evening", "before-opening"])
def test_a_warm_lead_is_followed_up_within_the_reps_next_business_day(crm, received_at, due_at):
    # Given a warm lead, When it arrives
    lead_id = submit(received_at, **WARM)
    warm = lead(lead_id)
    assert (warm.temperature, warm.cycle) == ("warm", "nurturable")
    # Then the rep has a follow-up task due by the close of their next business day, and the lead no SLA deadline
    [follow_up] = open_tasks(lead_id)
    assert (follow_up.title, follow_up.due_at, follow_up.task_id) == ("Follow up new lead", due_at, warm.call_task_id)
    assert warm.first_contact_due_at is None
    assert [data["title"] for data in created_tasks(lead_id)] == ["Follow up new lead"]


def test_business_hours_configured_for_the_sla_set_the_working_day(crm, monkeypatch):
    from crm.settings import get_settings

    monkeypatch.setenv("SLA_BUSINESS_HOURS", "Mon-Thu 08:00-12:00")
    get_settings.cache_clear()
    try:
        lead_id = submit(MONDAY_NOON, **WARM)  # 12:00 in Berlin: Monday has closed
    finally:
        monkeypatch.delenv("SLA_BUSINESS_HOURS")
        get_settings.cache_clear()
    assert open_tasks(lead_id)[0].due_at == "2026-03-10T11:00:00Z"  # Tuesday 12:00 in Berlin


def test_a_follow_up_uses_the_reps_clock_and_the_offices_for_a_zone_it_cannot_read(crm, monkeypatch):
    from crm.services.sla import next_business_day_end
    from crm.settings import get_settings

    monkeypatch.setenv("SLA_TIMEZONE", "America/New_York")
    get_settings.cache_clear()
    try:
        received = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tue 10:00 in Budapest, 04:00 in New York
        assert next_business_day_end(received, "Europe/Budapest") == "2026-11-25T16:00:00Z"  # Wed 17:00 Budapest
        assert next_business_day_end(received, "Mars/Olympus") == "2026-11-24T22:00:00Z"  # Tue 17:00 New York
    finally:
        monkeypatch.delenv("SLA_TIMEZONE")
        get_settings.cache_clear()


def test_a_cold_lead_gets_no_task_and_is_nurtured(crm):
    from crm.services.nurture import choose_route

    # Given a cold lead worth nurturing, When it arrives
    lead_id = submit(MONDAY_NOON, **COLD)
    cold = lead(lead_id)
    assert (cold.temperature, cold.cycle) == ("cold", "nurturable")
    # Then nothing lands on the rep's list: no task, no deadline; the automation nurtures it
    assert open_tasks(lead_id) == [] and created_tasks(lead_id) == []
    assert (cold.call_task_id, cold.first_contact_due_at) == (None, None)
    assert choose_route(lead_id)["route"] == "nurture"


def test_a_returning_visit_that_makes_the_lead_an_expected_buyer_brings_the_sla_call(crm):
    # Given a warm lead with its follow-up task
    lead_id = submit(MONDAY_NOON, **WARM)
    follow_up_id = lead(lead_id).call_task_id
    # When the person comes back with the answers of an expected buyer
    later = MONDAY_NOON + timedelta(hours=2)
    assert submit(later, **HOT_ANSWERS) == lead_id
    # Then the SLA call replaces the follow-up on the rep's list, due at the new deadline
    hot = lead(lead_id)
    assert hot.cycle == "expected_buyer" and hot.first_contact_due_at == "2026-03-09T13:20:00Z"
    [call] = open_tasks(lead_id)
    assert (call.task_id, call.title, call.due_at) == (hot.call_task_id, "Call new lead", hot.first_contact_due_at)
    assert task(follow_up_id).status == "cancelled"
    # And another visit changes nothing more
    submit(later + timedelta(minutes=1), **HOT_ANSWERS)
    assert [item.task_id for item in open_tasks(lead_id)] == [call.task_id]


def test_the_personal_route_gives_a_lead_without_a_deadline_its_sla_call_once(crm):
    from crm.data.leads import LeadItem
    from crm.services.lifecycle import plan_first_contact_check

    # Given a cold lead that is an expected buyer by the time its workflow takes the personal route
    lead_id = submit(MONDAY_NOON, **COLD)
    lead(lead_id).update(actions=[LeadItem.cycle.set("expected_buyer")], add_version_condition=False)
    # When the workflow plans its first-contact check (twice, as a retried step would)
    now = MONDAY_NOON + timedelta(hours=1)
    first = plan_first_contact_check(lead_id, now)
    again = plan_first_contact_check(lead_id, now + timedelta(seconds=5))
    # Then the lead has an SLA deadline and one call task, and the escalation checks have what they read
    due = lead(lead_id).first_contact_due_at
    assert first["due_at"] == again["due_at"] == due == "2026-03-09T12:20:00Z"
    [call] = open_tasks(lead_id)
    assert (call.task_id, call.title, call.due_at) == (lead(lead_id).call_task_id, "Call new lead", due)


def test_an_engaged_cold_lead_promoted_gets_the_sla_call(crm):
    from crm.services.nurture import nurture_step

    # Given a cold lead in nurture, without a task
    lead_id = submit(MONDAY_NOON, **COLD)
    nurture_step(lead_id, MONDAY_NOON)
    assert open_tasks(lead_id) == []
    from crm.data.leads import lead_pk, timeline

    message_id = next(event.data["message_id"] for event in timeline(lead_pk(lead_id))
                      if event.event_type == "nurture_email_sent")
    # When its clicks promote it
    for minute in (5, 6, 7):
        kind = "Open" if minute == 5 else "Click"
        result = deliver(crm, ses_event(kind, message_id, MONDAY_NOON + timedelta(minutes=minute),
                                        **({"link": f"https://www.example.com/{minute}"} if kind == "Click" else {})))
    assert result["promoted"] is True
    # Then the rep's call task is the lead's SLA call: a deadline the first contact is measured against
    promoted = lead(lead_id)
    [call] = open_tasks(lead_id)
    assert (call.task_id, call.title) == (promoted.call_task_id, "Call engaged lead")
    assert promoted.first_contact_due_at == call.due_at


def test_the_first_call_to_a_warm_lead_completes_its_follow_up_without_an_sla_verdict(crm, board, capsys):
    lead_id = submit(MONDAY_NOON, **WARM)
    follow_up_id = lead(lead_id).call_task_id
    capsys.readouterr()
    response = log_activity(board, lead_id, {"type": "call", "outcome": "answered"})
    assert response.status_code == 201
    assert task(follow_up_id).status == "done" and open_tasks(lead_id) == []
    assert lead(lead_id).first_contact_at
    counted = emitted_metrics(capsys.readouterr().out)
    assert counted["TimeToFirstContact"] and not (counted["FirstContactWithinSla"] or counted["FirstContactLate"])
