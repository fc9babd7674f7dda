"""GET /api/home as the site calls it (L12, R1): a rep's own leads, tasks, waiting hot leads and funnel; a manager's
sum over the team or one rep's; the funnel read from the board's column counters as deals are created and moved."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_board_api import (  # noqa: F401  (board: the fixture)
    ADMIN,
    MANAGER,
    NO_VALID_TOKEN,
    REP_A,
    REP_B,
    Board,
    board,
    routes_of,
)
from tests.integration.test_home import ENTERPRISE, HOT, add_task, post_lead

OPEN_STAGES = ["unsorted", "identified", "in-discussion", "decision-makers-identified", "proposal", "negotiation",
               "procurement"]


def home(api: Board, user: str, **query: str) -> dict[str, Any]:
    response = api.call("GET", "/api/home", user, **query)
    assert response.status_code == 200, response.text
    return response.json()


def bars(body: dict[str, Any]) -> dict[str, tuple[int, dict[str, str]]]:
    """The funnel's non-empty bars: stage -> (count, amounts)."""
    return {stage["stage_id"]: (stage["count"], stage["amounts"]) for stage in body["funnel"]["stages"]
            if stage["count"]}


def move(api: Board, user: str, deal: dict[str, Any], stage_id: str, **extra: str) -> None:
    response = api.call("POST", f"/api/deals/{deal['deal_id']}/move", user,
                          {"stage_id": stage_id, "version": deal["version"], **extra})
    assert response.status_code == 200, response.text


@pytest.fixture
def deals(board: Board) -> None:
    """Rep A: 1200 EUR moved to Proposal, 300 EUR left Unsorted, 50 EUR won, 70 EUR lost; rep B: 99 USD in Proposal."""
    move(board, REP_A, board.new_deal(REP_A, "A proposal", amount="1200", currency="EUR"), "proposal")
    board.new_deal(REP_A, "A unsorted", amount="300", currency="EUR")
    move(board, REP_A, board.new_deal(REP_A, "A won", amount="50", currency="EUR"), "closed-won")
    move(board, REP_A, board.new_deal(REP_A, "A lost", amount="70", currency="EUR"), "closed-lost", lost_reason="Price")
    board.new_deal(REP_B, "B proposal", amount="99", currency="USD", stage_id="proposal")


def test_a_rep_sees_their_own_funnel_in_board_order_with_won_and_lost_apart(board, deals):
    # When rep A opens their home
    body = home(board, REP_A)
    # Then every open stage is a bar, in the pipeline's order, and only rep A's deals are in them
    assert body["owner_id"] == REP_A
    assert [stage["stage_id"] for stage in body["funnel"]["stages"]] == OPEN_STAGES
    assert bars(body) == {"unsorted": (1, {"EUR": "300.00"}), "proposal": (1, {"EUR": "1200.00"})}
    assert body["funnel"]["stages"][4]["name"] == "Proposal"
    # And the won and lost deals are totalled apart, not in the funnel
    assert (body["funnel"]["won"], body["funnel"]["lost"]) == (
        {"count": 1, "amounts": {"EUR": "50.00"}}, {"count": 1, "amounts": {"EUR": "70.00"}})
    # And rep B sees only their own deal
    other = home(board, REP_B)
    assert bars(other) == {"proposal": (1, {"USD": "99.00"})}
    assert other["funnel"]["won"] == {"count": 0, "amounts": {}}


def test_a_manager_sees_everyones_funnel_or_one_reps(board, deals):
    everyone = home(board, MANAGER)
    assert everyone["owner_id"] is None
    assert [user["user_id"] for user in everyone["team"]] == ["admin-ada", REP_A, REP_B, "rep-chris", MANAGER]
    assert home(board, REP_A)["team"] == [{"user_id": REP_A, "name": "Anna Schmidt", "role": "rep"}]
    assert bars(everyone) == {"unsorted": (1, {"EUR": "300.00"}),
                              "proposal": (2, {"EUR": "1200.00", "USD": "99.00"})}
    assert home(board, MANAGER, owner=REP_B)["funnel"] == home(board, REP_B)["funnel"]


def test_a_moved_deal_leaves_one_bar_for_the_next(board):
    deal = board.new_deal(REP_A, "Moving", amount="10", currency="EUR")
    assert bars(home(board, REP_A)) == {"unsorted": (1, {"EUR": "10.00"})}
    move(board, REP_A, deal, "negotiation")
    assert bars(home(board, REP_A)) == {"negotiation": (1, {"EUR": "10.00"})}


def test_leads_and_tasks_are_the_reps_own_or_the_teams_sum_for_a_manager(crm, board):
    # Given a hot lead of rep A's (country DE) and two leads of Chris's (enterprise), and tasks of A's and B's
    from crm.clock import utcnow
    from crm.data.leads import get_lead

    anna_hot = post_lead(crm, "Anna", country="DE", **HOT)
    post_lead(crm, "Chris", **ENTERPRISE, need="A CRM for forty reps")
    post_lead(crm, "Hotchris", **HOT)
    overdue = add_task(REP_A, "anna-overdue", "2001-01-01T09:00:00Z")
    add_task(REP_A, "anna-next-year", f"{utcnow().year + 1}-01-01T09:00:00Z")
    belas = add_task(REP_B, "bela-overdue", "2001-01-02T09:00:00Z")

    # When rep A opens their home
    mine = home(board, REP_A)
    # Then their own lead, call task and overdue task are there, nobody else's
    assert mine["leads"]["total"] == 1 and mine["leads"]["by_cycle"]["expected_buyer"] == 1
    assert {task["task_id"] for task in mine["tasks_due_today"]} == {overdue, get_lead(anna_hot).call_task_id}
    assert {task["task_id"]: task["overdue"] for task in mine["tasks_due_today"]} == {
        overdue: True, get_lead(anna_hot).call_task_id: False}  # the call task is due at the first-contact deadline
    assert {task["owner_id"] for task in mine["tasks_due_today"]} == {REP_A}
    assert [lead["lead_id"] for lead in mine["hot_leads_waiting"]] == [anna_hot]
    assert mine["timezone"] == "Europe/Berlin"
    # And a manager sees the team's leads summed and everyone's tasks, in due order
    team = home(board, MANAGER)
    assert team["leads"]["total"] == 3
    assert {REP_A, REP_B, "rep-chris"} == {task["owner_id"] for task in team["tasks_due_today"]}
    assert {overdue, belas} <= {task["task_id"] for task in team["tasks_due_today"]}
    assert [task["due_at"] for task in team["tasks_due_today"]] == sorted(
        task["due_at"] for task in team["tasks_due_today"])
    assert {lead["name"] for lead in team["hot_leads_waiting"]} == {"Anna", "Hotchris"}
    # And filtered by owner, only that rep's
    assert home(board, MANAGER, owner=REP_A)["leads"] == mine["leads"]


@pytest.mark.parametrize(("user", "query", "status"), [
    (REP_A, {"owner": REP_B}, 404),  # a rep never looks into another rep's home
    (REP_A, {"owner": "rep-nobody"}, 404),
    (MANAGER, {"owner": "rep-nobody"}, 404),
    (MANAGER, {"pipeline": "nope"}, 404),
    (REP_A, {"owner": REP_A}, 200),
    (MANAGER, {"owner": REP_A}, 200),
    (ADMIN, {"owner": REP_B}, 200),
    (REP_B, {}, 200),
    (ADMIN, {}, 200),
])
def test_who_may_see_whose_home(board, user, query, status):
    assert board.call("GET", "/api/home", user, **query).status_code == status


def test_the_matrix_covers_every_home_route():
    assert routes_of("home") == {("GET", "/api/home")}


def test_without_a_valid_token_the_home_is_never_reached(board):
    for headers in NO_VALID_TOKEN:
        assert board.call("GET", "/api/home", headers=headers).status_code == 401


def test_another_reps_numbers_never_leak(board, deals):
    add_task(REP_B, "bela-secret", "2001-01-02T09:00:00Z")
    body = home(board, REP_A, owner=REP_A)
    assert "bela-secret" not in {task["task_id"] for task in body["tasks_due_today"]}
    assert "USD" not in str(body["funnel"])
