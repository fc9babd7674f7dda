"""A rep's home through the board API (GET /api/home?owner=) against DynamoDB Local (L12): leads per cycle and
status, today's tasks in the rep's own time zone, hot leads still waiting for a first contact; and the pure counting
and day boundary behind it."""

import json
from datetime import UTC, datetime

import pytest

from tests.integration.conftest import api_event, lead_id_of
from tests.integration.test_board_api import board  # noqa: F401

# 06:00 UTC on 15 January is still the evening of 14 January for Chris in Los Angeles
NOW = datetime(2030, 1, 15, 6, 0, tzinfo=UTC)
ENTERPRISE = {"company_size": "201-1000", "role": "CEO"}  # routed to Chris by the enterprise rule
HOT = {**ENTERPRISE, "budget": "yes", "authority": "yes, I decide", "need": "A CRM for forty reps",
       "timing": "now", "source": "referral"}


def post_lead(crm, name, **fields):
    payload = {"name": name, "email": f"{name.lower()}@example.com", **fields}
    response = crm.invoke("lead_intake", "app.handler", api_event(json.dumps(payload)))
    assert response["statusCode"] == 201
    return lead_id_of(payload)


def home(board, rep_id, user):
    response = board.call("GET", "/api/home", user, owner=rep_id)
    return response.status_code, response.json()


def add_task(owner_id, title, due_at):
    from crm.data.tasks import TaskItem

    task = TaskItem(*TaskItem.key(title), task_id=title, title=title, owner_id=owner_id, due_at=due_at,
                    related_type="lead", related_id="-", created_at="2030-01-01T00:00:00Z",
                    **TaskItem.open_keys(owner_id, due_at))
    task.save()
    return task.task_id


def test_home_counts_leads_by_cycle_and_status_and_lists_todays_tasks_and_waiting_hot_leads(crm, board, monkeypatch):
    from crm.data.leads import LeadItem, get_lead
    from crm.data.people import get_user

    # Given Chris works in Los Angeles (before he signs in: the API keeps a signed-in user for a while)
    chris = get_user("rep-chris")
    chris.timezone = "America/Los_Angeles"
    chris.save()
    # And Chris's leads: hot, nurturable, no prospect, hot but already called, converted, junk; and one of Anna's
    hot = post_lead(crm, "Hot", **HOT)
    nurturable = post_lead(crm, "Fit", **ENTERPRISE, need="A CRM for forty reps")
    no_prospect = post_lead(crm, "Nope", **ENTERPRISE, budget="no", timing="next year")
    called = post_lead(crm, "Called", **HOT)
    converted = post_lead(crm, "Converted", **HOT)
    junk = post_lead(crm, "Junk", **ENTERPRISE)
    post_lead(crm, "Anna", country="DE", **HOT)
    log = board.call("POST", f"/api/leads/{called}/activities", "rep-chris", {"type": "call", "outcome": "answered"})
    assert log.status_code == 201, log.text
    get_lead(converted).update(actions=[LeadItem.converted_at.set("2030-01-02T00:00:00Z")])
    get_lead(junk).update(actions=[LeadItem.junk.set({"reason": "fake", "by": "rep-chris", "at": "x"})])
    # And Chris's tasks: one overdue, one late tonight in Los Angeles, one after his midnight; one of Béla's
    overdue = add_task("rep-chris", "overdue", "2030-01-13T20:00:00Z")
    tonight = add_task("rep-chris", "tonight", "2030-01-15T07:30:00Z")
    add_task("rep-chris", "tomorrow", "2030-01-15T09:00:00Z")
    add_task("rep-bela", "belas", "2030-01-15T07:00:00Z")

    # When Chris opens his home at 22:00 on 14 January, his time
    monkeypatch.setattr("crm.clock.utcnow", lambda: NOW)
    status, body = home(board, "rep-chris", "rep-chris")

    # Then his open leads are counted by cycle and status; converted and junk apart
    assert status == 200
    assert (body["owner_id"], body["timezone"], body["today"]) == ("rep-chris", "America/Los_Angeles", "2030-01-14")
    assert body["leads"] == {
        "by_cycle": {"expected_buyer": 2, "nurturable": 1, "no_prospect": 1},
        "by_status": {"new": 3, "attempting": 0, "contacted": 1, "not_interested": 0, "unreached": 0},
        "total": 4, "converted": 1, "junk": 1, "erased": 0}
    # And today's tasks are those due before his midnight, overdue ones included: the intake's first tasks (the
    # called lead's is done, a cold lead has none) are long overdue by 2030; the task after his midnight is tomorrow's
    leads = (hot, nurturable, no_prospect, converted, junk)
    call_tasks = {get_lead(lead_id).call_task_id for lead_id in leads} - {None}
    tasks = body["tasks_due_today"]
    assert {task["task_id"] for task in tasks} == {overdue, tonight, *call_tasks}
    assert [task["due_at"] for task in tasks] == sorted(task["due_at"] for task in tasks)
    assert {task["task_id"]: task["overdue"] for task in tasks if task["task_id"] in {overdue, tonight}} == {
        overdue: True, tonight: False}
    # And the only hot lead still waiting for a first contact is the open, uncalled one
    [waiting] = body["hot_leads_waiting"]
    lead = get_lead(hot)
    assert waiting == {"lead_id": hot, "name": "Hot", "company": None, "owner_id": "rep-chris", "score": lead.score,
                       "received_at": lead.created_at, "first_contact_due_at": lead.first_contact_due_at}


def test_a_rep_cannot_read_another_reps_home_but_a_manager_can(crm, board):
    assert home(board, "rep-chris", "rep-bela")[0] == 404  # to Béla, Chris's home is as unknown as nobody's
    status, body = home(board, "rep-chris", "mgr-maria")
    assert status == 200 and body["leads"]["total"] == 0 and body["tasks_due_today"] == []
    assert home(board, "rep-nobody", "mgr-maria")[0] == 404


def test_counting_sets_converted_junk_and_erased_leads_apart():
    from crm.domain.automation import AutomationFacts
    from crm.services.home import count_leads

    counts = count_leads([
        AutomationFacts(status="new", cycle="expected_buyer"),
        AutomationFacts(status="attempting", cycle="nurturable"),
        AutomationFacts(status="not_interested", cycle="no_prospect"),
        AutomationFacts(status="contacted", cycle="expected_buyer", converted=True, junk=True),
        AutomationFacts(status="new", cycle="nurturable", junk=True),
        AutomationFacts(status="new", cycle=None, erased=True, converted=True),
    ])
    assert counts.by_cycle == {"expected_buyer": 1, "nurturable": 1, "no_prospect": 1}
    assert counts.by_status == {"new": 1, "attempting": 1, "contacted": 0, "not_interested": 1, "unreached": 0}
    assert (counts.total, counts.converted, counts.junk, counts.erased) == (3, 1, 1, 1)


@pytest.mark.parametrize(("now", "zone", "midnight"), [
    (NOW, "America/Los_Angeles", "2030-01-15T08:00:00Z"),
    (NOW, "Asia/Tokyo", "2030-01-15T15:00:00Z"),
    (datetime(2030, 3, 31, 12, tzinfo=UTC), "Europe/Berlin", "2030-03-31T22:00:00Z"),  # a summer-time day
])
def test_today_ends_at_the_reps_own_midnight(now, zone, midnight):
    from crm.clock import to_iso
    from crm.services.home import end_of_today

    assert to_iso(end_of_today(now, zone)) == midnight


def test_each_of_todays_tasks_names_the_lead_or_deal_it_belongs_to(crm, board, monkeypatch):
    # Given Chris's new lead (its intake call task) and his deal with a task on it, both due by 15 January
    lead_id = post_lead(crm, "Nadia", **HOT)
    deal = board.call("POST", "/api/deals", "rep-chris", {"title": "Fleet renewal"})
    assert deal.status_code == 201, deal.text
    deal_id = deal.json()["deal_id"]
    task = board.call("POST", f"/api/records/deal/{deal_id}/tasks", "rep-chris",
                      {"title": "Send the contract", "due_at": "2030-01-14T12:00:00Z"})
    assert task.status_code == 201, task.text
    # When Chris opens his home then
    monkeypatch.setattr("crm.clock.utcnow", lambda: NOW)
    status, body = home(board, "rep-chris", "rep-chris")
    # Then each task names the record it is for, not only its title
    assert status == 200
    names = {(task["related_type"], task["related_id"]): task["related_name"] for task in body["tasks_due_today"]}
    assert names[("lead", lead_id)] == "Nadia"
    assert names[("deal", deal_id)] == "Fleet renewal"
