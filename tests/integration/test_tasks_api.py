"""Tasks (D6, L12) through the board API: my tasks today (overdue first), overdue and upcoming; a manager looks at
a rep's; marking a task done takes it off the list and writes the record's timeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.conftest import HOT_ANSWERS
from tests.integration.test_board_api import ADMIN, MANAGER, REP_A, REP_B, Board, board  # noqa: F401
from tests.integration.test_records_api import new_lead


def add_task(board: Board, deal_id: str, title: str, due: datetime, user: str = REP_A) -> dict:
    response = board.call("POST", f"/api/records/deal/{deal_id}/tasks", user,
                          {"title": title, "due_at": due.isoformat()})
    assert response.status_code == 201, response.text
    return response.json()


def titles(board: Board, user: str, **query: str) -> list[str]:
    response = board.call("GET", "/api/tasks", user, **query)
    assert response.status_code == 200, response.text
    return [task["title"] for task in response.json()["tasks"]]


def test_my_tasks_today_lists_overdue_first_and_leaves_later_ones_for_upcoming(board):
    # Given rep A's deal with a task overdue since yesterday, one due later today and one next week
    # (rep A's day is Berlin's: "later today" is a minute from now, which is today everywhere but at midnight)
    now = datetime.now(UTC)
    deal = board.new_deal(REP_A)
    add_task(board, deal["deal_id"], "Next week", now + timedelta(days=7))
    add_task(board, deal["deal_id"], "Later today", now + timedelta(minutes=1))
    add_task(board, deal["deal_id"], "Overdue", now - timedelta(days=1))
    # When rep A asks for today, overdue and upcoming
    # Then today holds the overdue task first, then today's; the others in their own lists
    assert titles(board, REP_A) == ["Overdue", "Later today"]
    assert titles(board, REP_A, due="overdue") == ["Overdue"]
    assert titles(board, REP_A, due="upcoming") == ["Next week"]
    today = board.call("GET", "/api/tasks", REP_A).json()["tasks"]
    assert [task["overdue"] for task in today] == [True, False]
    assert today[0]["record"] == {"kind": "deal", "id": deal["deal_id"]}
    # And an unknown view is a 422 naming the parameter
    response = board.call("GET", "/api/tasks", REP_A, due="someday")
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "due")


def test_a_page_of_tasks_holds_at_most_the_documented_limit(board):
    # Given the page maximum GET /api/tasks documents (its OpenAPI document)
    operation = board.call("GET", "/api/openapi.json").json()["paths"]["/api/tasks"]["get"]
    limit = next(parameter["schema"] for parameter in operation["parameters"] if parameter["name"] == "limit")
    # When a rep asks for the maximum and for one more
    # Then the maximum is a page, one more a 422 naming the parameter
    assert board.call("GET", "/api/tasks", REP_A, limit=str(limit["maximum"])).status_code == 200
    response = board.call("GET", "/api/tasks", REP_A, limit=str(limit["maximum"] + 1))
    assert (response.status_code, response.json()["errors"][0]["field"]) == (422, "limit")


def test_a_rep_sees_only_their_own_tasks_a_manager_any_reps(board):
    now = datetime.now(UTC)
    add_task(board, board.new_deal(REP_A)["deal_id"], "Anna's", now)
    add_task(board, board.new_deal(REP_B)["deal_id"], "Béla's", now, user=REP_B)
    # a manager may add a task on a rep's record: it is the record owner's task
    add_task(board, board.new_deal(REP_B)["deal_id"], "For Béla, by Maria", now, user=MANAGER)
    assert titles(board, REP_A) == ["Anna's"]
    assert sorted(titles(board, REP_B)) == ["Béla's", "For Béla, by Maria"]
    assert sorted(titles(board, MANAGER, owner=REP_B)) == ["Béla's", "For Béla, by Maria"]
    assert titles(board, MANAGER) == []  # the manager's own
    assert board.call("GET", "/api/tasks", REP_A, owner=REP_B).status_code == 403


def test_marking_a_task_done_takes_it_off_today_and_writes_the_timeline(board):
    # Given rep A's task due now on a deal
    deal = board.new_deal(REP_A)
    task = add_task(board, deal["deal_id"], "Send the contract", datetime.now(UTC))
    page = board.call("GET", f"/api/records/deal/{deal['deal_id']}", REP_A).json()
    assert [open_task["task_id"] for open_task in page["open_tasks"]] == [task["task_id"]]
    # When rep B tries to complete it, they learn nothing; when rep A does, twice
    assert board.call("POST", f"/api/tasks/{task['task_id']}/done", REP_B).status_code == 404
    done = board.call("POST", f"/api/tasks/{task['task_id']}/done", REP_A)
    again = board.call("POST", f"/api/tasks/{task['task_id']}/done", REP_A)
    # Then it is done once, by rep A, off today's list and the deal's open tasks, and on the deal's timeline
    assert done.status_code == again.status_code == 200 and done.json() == again.json()
    assert (done.json()["status"], done.json()["completed_by"]) == ("done", REP_A)
    assert titles(board, REP_A) == []
    page = board.call("GET", f"/api/records/deal/{deal['deal_id']}", REP_A).json()
    assert page["open_tasks"] == []
    assert [event["type"] for event in page["timeline"]["events"]][:2] == ["task_done", "task_created"]
    assert board.call("POST", "/api/tasks/no-such-task/done", ADMIN).status_code == 404


def test_the_call_task_of_a_new_lead_is_on_todays_list_and_a_first_call_completes_it(crm, board):
    # Given a new expected buyer of rep A's: its "Call new lead" task is due within the first-contact deadline
    lead_id = new_lead(crm, **HOT_ANSWERS)
    [call] = board.call("GET", "/api/tasks", REP_A).json()["tasks"]
    assert (call["title"], call["record"]) == ("Call new lead", {"kind": "lead", "id": lead_id})
    page = board.call("GET", f"/api/records/lead/{lead_id}", REP_A).json()
    assert [task["task_id"] for task in page["open_tasks"]] == [call["task_id"]]
    # When rep A logs the first call on the board
    response = board.call("POST", f"/api/leads/{lead_id}/activities", REP_A, {"type": "call", "outcome": "answered"})
    # Then the call task is done and leaves today's list
    assert response.status_code == 201, response.text
    assert titles(board, REP_A) == []
