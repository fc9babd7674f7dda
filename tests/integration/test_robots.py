"""Deal robots against DynamoDB Local (D5): stage-entry tasks made once, stage clocks kept with every deal write,
the stalled list by role, the daily nudge (one email per rep, one notice per deal, idempotent per day), the
scheduled handler and the notices API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_string, policy
from typing import Any

import pytest

from tests.integration.test_board import create, team  # noqa: F401  (fixture)
from tests.integration.test_board_api import MANAGER, REP_A, REP_B, SALES, Board, board  # noqa: F401  (fixture)

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=30)  # past every open stage's limit in the default pipeline


def clocks(deal_id: str) -> list[Any]:
    """Every stage clock of the deal, read by key per stage (what the stalled queries see)."""
    from crm.data.board import StageClockItem, stage_clock_pk
    from crm.services.board import get_pipeline

    return [clock for stage in get_pipeline(SALES).stages
            for clock in StageClockItem.query(stage_clock_pk(SALES, stage.id))
            if clock.deal_id == deal_id]


def deal_tasks(owner_id: str, deal_id: str) -> list[Any]:
    from crm.data.tasks import TaskItem

    return [task for task in TaskItem.owner_index.query(f"OWNER#{owner_id}#TASKS") if task.related_id == deal_id]


def stalled_titles(team, viewer: str, owner: str | None = None, now: datetime = LATER) -> list[str]:
    from crm.services.robots import stalled_deals

    return [row["title"] for row in stalled_deals(SALES, team[viewer], owner=owner, now=now)["deals"]]


def sent_to() -> list[tuple[str, Any]]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    parsed = [message_from_string(message.raw_data, policy=policy.default)
              for message in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages]
    return [(str(email["To"]), email) for email in parsed]


# --- entry actions --------------------------------------------------------------------------------------------

def test_entering_proposal_creates_its_tasks_once_owned_by_the_deals_owner(team):
    from crm.data.accounts import DealItem
    from crm.services.board import StaleDealError, move_deal

    # Given Anna's deal, put in by her manager, waiting in Unsorted (which has no entry actions)
    deal = create(team, "Weber rollout", by="mgr-maria", owner_id="rep-anna")
    assert deal_tasks("rep-anna", deal["deal_id"]) == []
    # When the manager moves it to Proposal
    move_deal(deal["deal_id"], "proposal", 1, team["mgr-maria"], NOW)
    # Then Anna (the owner, not the mover) has the proposal's tasks on the deal, due a day and five days later
    tasks = deal_tasks("rep-anna", deal["deal_id"])
    assert sorted((task.title, task.due_at, task.related_type) for task in tasks) == [
        ("Follow up on the proposal", "2030-03-06T09:00:00Z", "deal"),
        ("Send the proposal", "2030-03-02T09:00:00Z", "deal")]
    assert DealItem.get(*DealItem.key(deal["deal_id"])).next_task_due_at == "2030-03-02T09:00:00Z"
    # When the same move is sent again (a retry of the request)
    with pytest.raises(StaleDealError):
        move_deal(deal["deal_id"], "proposal", 1, team["mgr-maria"], NOW)
    # Then no task was made twice
    assert len(deal_tasks("rep-anna", deal["deal_id"])) == 2


def test_a_replayed_stage_entry_cannot_put_its_tasks_twice(team):
    from pynamodb.exceptions import TransactWriteError

    from crm.data.board import StageClock
    from crm.data.transactions import write_transaction
    from crm.services.board import get_pipeline, stage_entry

    # Given a deal created straight into Proposal, whose entry made its tasks
    deal = create(team, "Straight to proposal", stage_id="proposal")
    assert len(deal_tasks("rep-anna", deal["deal_id"])) == 2
    # When the same entry is written again (the same deal, stage and moment)
    entry = stage_entry(get_pipeline(SALES), StageClock(SALES, "proposal", "rep-anna", deal["deal_id"],
                                                        deal["stage_entered_at"]))
    with pytest.raises(TransactWriteError):
        write_transaction(lambda transaction: [transaction.save(task, condition=type(task).PK.does_not_exist())
                                               for task in entry.tasks])
    # Then the tasks are still the two
    assert len(deal_tasks("rep-anna", deal["deal_id"])) == 2


# --- stage clocks ---------------------------------------------------------------------------------------------

def test_the_clock_follows_the_deals_stage_and_owner_and_stops_when_it_closes(team):
    from crm.services.board import move_deal, reassign_deal

    # Given a new deal in Identified
    deal = create(team, "Clocked", stage_id="identified")
    assert [(clock.stage_id, clock.owner_id, clock.stage_entered_at) for clock in clocks(deal["deal_id"])] == [
        ("identified", "rep-anna", "2030-03-01T09:00:00Z")]
    # When it moves to Negotiation a day later, its one clock moves and restarts
    moved = move_deal(deal["deal_id"], "negotiation", 1, team["rep-anna"], NOW + timedelta(days=1))
    assert [(clock.stage_id, clock.stage_entered_at) for clock in clocks(deal["deal_id"])] == [
        ("negotiation", "2030-03-02T09:00:00Z")]
    # When the manager gives it to Béla, the clock keeps its time and is his
    reassign_deal(deal["deal_id"], "rep-bela", team["mgr-maria"], NOW + timedelta(days=2))
    assert [(clock.stage_id, clock.owner_id, clock.GSI1PK, clock.stage_entered_at)
            for clock in clocks(deal["deal_id"])] == [
        ("negotiation", "rep-bela", "OWNER#rep-bela#STAGE_CLOCK#sales#negotiation", "2030-03-02T09:00:00Z")]
    # When it is won, it has no clock any more
    move_deal(deal["deal_id"], "closed-won", moved["version"] + 1, team["rep-bela"], NOW + timedelta(days=3))
    assert clocks(deal["deal_id"]) == []


def test_a_converted_deal_gets_its_clock_in_unsorted(team, crm):
    from crm.models.conversion import ConversionRequest
    from crm.services.conversion import convert_lead
    from tests.integration.test_conversion import new_lead

    lead_id = new_lead(crm)
    result = convert_lead(lead_id, ConversionRequest.model_validate(
        {"deal": {"amount": "1000", "currency": "EUR"}}), team["mgr-maria"], NOW)
    [clock] = clocks(result.deal_id)
    assert (clock.stage_id, clock.stage_entered_at) == ("unsorted", "2030-03-01T09:00:00Z")


# --- the stalled list -----------------------------------------------------------------------------------------

@pytest.fixture
def stuck(team):
    """Anna's and Béla's deals stuck in Proposal (limit 10 days) since NOW; Chris's moved there only just."""
    create(team, "Anna stuck", stage_id="proposal", account_name="Weber GmbH")
    create(team, "Bela stuck", by="rep-bela", stage_id="proposal")
    create(team, "Chris fresh", by="rep-chris", stage_id="proposal", at=LATER - timedelta(days=2))
    return team


def test_a_rep_sees_only_their_own_stalled_deals_and_a_manager_everyones(stuck):
    from crm.errors import ForbiddenError
    from crm.services.robots import stalled_deals

    assert stalled_titles(stuck, "rep-anna") == ["Anna stuck"]
    assert stalled_titles(stuck, "rep-bela") == ["Bela stuck"]
    assert sorted(stalled_titles(stuck, "mgr-maria")) == ["Anna stuck", "Bela stuck"]
    assert stalled_titles(stuck, "mgr-maria", owner="rep-bela") == ["Bela stuck"]
    assert stalled_titles(stuck, "mgr-maria", now=NOW + timedelta(days=10)) == []  # exactly at the limit
    with pytest.raises(ForbiddenError):
        stalled_deals(SALES, stuck["rep-anna"], owner="rep-bela", now=LATER)
    [row] = stalled_deals(SALES, stuck["rep-anna"], now=LATER)["deals"]
    assert {key: row[key] for key in ("account_name", "owner_name", "stage_id", "stage_name", "days_in_stage",
                                      "max_days_in_stage", "suggested_action")} == {
        "account_name": "Weber GmbH", "owner_name": "Anna Schmidt", "stage_id": "proposal",
        "stage_name": "Proposal", "days_in_stage": 30, "max_days_in_stage": 10,
        "suggested_action": "move_on_or_lower_priority"}


def test_a_deal_moved_on_leaves_the_stalled_list(stuck):
    from crm.services.board import move_deal

    [anna] = [card for card in _cards(stuck, "rep-anna") if card["title"] == "Anna stuck"]
    move_deal(anna["deal_id"], "negotiation", anna["version"], stuck["rep-anna"], LATER)
    assert stalled_titles(stuck, "rep-anna") == []


def _cards(team, viewer: str) -> list[dict]:
    from crm.services.board import column

    return column(SALES, "proposal", team[viewer], now=LATER)["cards"]


# --- the daily nudge ------------------------------------------------------------------------------------------

def test_the_nudge_emails_each_rep_once_with_a_notice_per_deal_and_a_rerun_sends_nothing(stuck, crm):
    from crm.services.notices import list_notices
    from crm.services.robots import nudge_stalled_deals

    create(stuck, "Anna stuck too", stage_id="identified", account_name="Tyrell AG")
    # When the robots run
    outcome = nudge_stalled_deals(LATER)
    # Then Anna gets one email for her two deals (in German), Béla one for his, Chris none
    assert outcome == {"deals_nudged": 3, "reps_emailed": ["rep-anna", "rep-bela"]}
    emails = dict(sent_to())
    assert sorted(emails) == ["Anna Schmidt <anna@example.com>", "Béla Kovács <bela@example.com>"]
    anna_email = emails["Anna Schmidt <anna@example.com>"]
    assert anna_email["Subject"] == "2 Deals stecken fest: bringen Sie sie voran oder senken Sie ihre Priorität"
    text = anna_email.get_body(("plain",)).get_content()
    assert "Anna stuck" in text and "Anna stuck too" in text and "30 (Grenze: 10)" in text
    assert "https://crm.example.com/record.html?kind=deal&id=" in text
    # And each deal left one unread notice for its owner
    anna = list_notices(stuck["rep-anna"])
    assert anna["unread"] == 2
    assert sorted(notice["data"]["title"] for notice in anna["notices"]) == ["Anna stuck", "Anna stuck too"]
    assert {notice["type"] for notice in anna["notices"]} == {"stalled_deal"}
    # When the robots run again the same day, and the next day
    assert nudge_stalled_deals(LATER + timedelta(hours=3))["deals_nudged"] == 0
    assert nudge_stalled_deals(LATER + timedelta(days=1))["deals_nudged"] == 0
    # Then nothing more was sent
    assert len(sent_to()) == 2 and list_notices(stuck["rep-anna"])["unread"] == 2
    # But three days on, still stuck, they are nudged again
    assert nudge_stalled_deals(LATER + timedelta(days=3))["deals_nudged"] == 3
    assert len(sent_to()) == 4


def test_the_scheduled_handler_runs_the_nudge_for_the_events_time(stuck, crm):
    event = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.events",
             "time": "2030-03-31T06:00:00Z", "detail": {}}
    outcome = crm.invoke("deal_robots", "app.nudge_stalled_deals", event)
    assert outcome == {"deals_nudged": 2, "reps_emailed": ["rep-anna", "rep-bela"]}
    assert crm.invoke("deal_robots", "app.nudge_stalled_deals", event)["deals_nudged"] == 0


# --- the API --------------------------------------------------------------------------------------------------

def test_the_stalled_and_notices_routes_by_role(board: Board):
    from crm.services.robots import nudge_stalled_deals

    # Given a deal of Anna's and one of Béla's, both stuck (entered Proposal 30 days before the run)
    anna = board.new_deal(REP_A, "API Anna", stage_id="proposal")
    board.new_deal(REP_B, "API Bela", stage_id="proposal")
    assert nudge_stalled_deals(datetime.now(UTC) + timedelta(days=30))["deals_nudged"] == 2

    # Then the stalled list is empty today for everyone (nothing is over its limit yet)
    assert board.call("GET", f"/api/stalled/{SALES}", MANAGER).json()["deals"] == []
    # And a rep may not ask for another rep's list; an unknown pipeline is 404
    assert board.call("GET", f"/api/stalled/{SALES}", REP_A, owner=REP_B).status_code == 403
    assert board.call("GET", "/api/stalled/nope", MANAGER).status_code == 404

    # The notices: Anna sees only her own, unread
    notices = board.call("GET", "/api/notices", REP_A).json()
    assert notices["unread"] == 1
    [notice] = notices["notices"]
    assert (notice["type"], notice["data"]["deal_id"], notice["unread"]) == ("stalled_deal", anna["deal_id"], True)
    # Béla cannot read Anna's notice: to him it does not exist
    assert board.call("POST", f"/api/notices/{notice['notice_id']}/read", REP_B).status_code == 404
    assert board.call("POST", "/api/notices/..%2F/read", REP_A).status_code == 404
    # Anna marks it read, twice: the count drops once
    for _ in range(2):
        read = board.call("POST", f"/api/notices/{notice['notice_id']}/read", REP_A)
        assert read.status_code == 200, read.text
        assert (read.json()["notice"]["unread"], read.json()["unread"]) == (False, 0)
    assert board.call("GET", "/api/notices", REP_B).json()["unread"] == 1


def test_the_stalled_route_lists_a_stuck_deal_for_its_rep_and_the_manager_only(board: Board):
    from crm.clock import to_iso
    from crm.data.people import get_user
    from crm.models.board import DealCreate
    from crm.services.board import create_deal

    # Given Anna's deal that entered Proposal 20 days ago (limit 10)
    past = datetime.now(UTC) - timedelta(days=20)
    deal = create_deal(DealCreate(title="Old proposal", stage_id="proposal"), get_user(REP_A), past)
    assert deal["stage_entered_at"] == to_iso(past)
    # Then Anna and the manager see it, Béla does not
    for user, expected in ((REP_A, ["Old proposal"]), (MANAGER, ["Old proposal"]), (REP_B, [])):
        response = board.call("GET", f"/api/stalled/{SALES}", user)
        assert response.status_code == 200, response.text
        assert [row["title"] for row in response.json()["deals"]] == expected
    [row] = board.call("GET", f"/api/stalled/{SALES}", MANAGER, owner=REP_A).json()["deals"]
    assert (row["deal_id"], row["days_in_stage"], row["max_days_in_stage"]) == (deal["deal_id"], 20, 10)
