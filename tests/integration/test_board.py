"""The board's services against DynamoDB Local (D1-D4): columns by role, paging, counters kept on write,
optimistic moves, lost reasons, reassignment, pipelines an admin edits, and converted deals landing in Unsorted."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.integration.board_fixtures import seed_deals
from tests.integration.conftest import api_event, lead_id_of

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def heads_kept_at_once(monkeypatch):
    """Every board read here keeps the heads it reads (no wait for the index to settle): each test's writes then
    also prove they drop the heads of the columns they change (crm.data.board_columns)."""
    from crm.data import board_columns

    monkeypatch.setattr(board_columns, "HEAD_SETTLE_SECONDS", 0.0)


@pytest.fixture
def team(crm):
    """The seeded users by id, plus an admin (the shared seed has none)."""
    from crm.data.people import UserItem, get_user

    UserItem.build(user_id="adm-ada", name="Ada Admin", email="ada@example.com", role="admin").save()
    return {user_id: get_user(user_id) for user_id in ("mgr-maria", "rep-anna", "rep-bela", "rep-chris", "adm-ada")}


def create(team, title, by="rep-anna", at=NOW, **fields):
    from crm.models.board import DealCreate
    from crm.services.board import create_deal

    return create_deal(DealCreate.model_validate({"title": title, **fields}), team[by], at)


def every_card(team, stage_id, viewer="mgr-maria", owner=None, limit=25, pipeline_id="sales"):
    """A column read page by page to its end, as the board's "load more" does."""
    from crm.services.board import column

    cards, cursor, pages = [], None, 0
    while True:
        page = column(pipeline_id, stage_id, team[viewer], owner=owner, cursor=cursor, limit=limit, now=NOW)
        cards += page["cards"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return cards, pages


def assert_counters_match_the_cards(team, owners=("rep-anna", "rep-bela", "rep-chris")):
    """Every column header (all deals, and each owner's) says what its cards add up to."""
    from crm.services.board import column, get_pipeline

    for stage in get_pipeline("sales").stages:
        for owner in (None, *owners):
            cards, _ = every_card(team, stage.id, owner=owner)
            header = column("sales", stage.id, team["mgr-maria"], owner=owner, limit=1)
            amounts = Counter()
            for card in cards:
                if card["amount"] is not None:
                    amounts[card["currency"]] += Decimal(card["amount"])
            assert (header["count"], {currency: Decimal(total) for currency, total in header["amounts"].items()}) \
                == (len(cards), dict(amounts)), (stage.id, owner)


def test_a_rep_sees_only_their_deals_a_manager_all_and_filters_by_owner(team):
    from crm.errors import ForbiddenError
    from crm.services.board import board

    # Given Anna has two unsorted deals and one in proposal, and Béla one unsorted deal
    anna_first = create(team, "Weber rollout", amount="1200", currency="EUR", account_name="Weber GmbH")
    anna_second = create(team, "Müller pilot", at=NOW + timedelta(hours=1))
    create(team, "Schulz renewal", stage_id="proposal", amount="300", currency="EUR")
    bela = create(team, "Kovács expansion", by="rep-bela", amount="500", currency="USD")

    # When Anna opens the board three days later
    seen = board("sales", team["rep-anna"], now=NOW + timedelta(days=3))
    # Then every board stage is a column, in the pipeline's order, and she sees only her own cards
    assert [column["stage_id"] for column in seen["columns"]] == [stage["id"] for stage in seen["pipeline"]["stages"]]
    assert seen["pipeline"]["id"] == "sales" and seen["columns"][0]["stage_id"] == "unsorted"
    unsorted = seen["columns"][0]
    assert [card["deal_id"] for card in unsorted["cards"]] == [anna_second["deal_id"], anna_first["deal_id"]]
    assert (unsorted["count"], unsorted["amounts"], unsorted["next_cursor"]) == (2, {"EUR": "1200.00"}, None)
    card = unsorted["cards"][1]
    assert card == {"deal_id": anna_first["deal_id"], "title": "Weber rollout", "account_name": "Weber GmbH",
                    "amount": "1200.00", "currency": "EUR", "owner_id": "rep-anna", "owner_name": "Anna Schmidt",
                    "stage_id": "unsorted", "stage_entered_at": "2030-03-01T09:00:00Z", "days_in_stage": 3,
                    "last_activity_at": "2030-03-01T09:00:00Z", "next_task_due_at": None, "version": 1,
                    "expected_close_date": None, "deal_type": None, "probability": None, "weighted_amount": None}
    proposal = next(column for column in seen["columns"] if column["stage_id"] == "proposal")
    assert (proposal["count"], proposal["amounts"]) == (1, {"EUR": "300.00"})

    # When the manager opens it, Then she sees everyone's cards and totals per currency
    everyone = board("sales", team["mgr-maria"], now=NOW)["columns"][0]
    assert {card["deal_id"] for card in everyone["cards"]} == {anna_first["deal_id"], anna_second["deal_id"],
                                                                bela["deal_id"]}
    assert (everyone["count"], everyone["amounts"]) == (3, {"EUR": "1200.00", "USD": "500.00"})
    assert {card["owner_name"] for card in everyone["cards"]} == {"Anna Schmidt", "Béla Kovács"}
    # And ?owner narrows it to one rep
    belas = board("sales", team["mgr-maria"], owner="rep-bela", now=NOW)["columns"][0]
    assert ([card["deal_id"] for card in belas["cards"]], belas["count"]) == ([bela["deal_id"]], 1)

    # But a rep may not look at a colleague's board; naming themselves is fine
    with pytest.raises(ForbiddenError):
        board("sales", team["rep-anna"], owner="rep-bela")
    assert board("sales", team["rep-anna"], owner="rep-anna")["columns"][0]["count"] == 2


def test_paging_returns_every_card_once_latest_activity_first(team):
    from crm.services.board import InvalidMoveError, column

    # Given 61 deals in one column, spread over three reps
    seed_deals(61, ["rep-anna", "rep-bela", "rep-chris"], stages=["negotiation"])
    # When the manager loads the column 7 cards at a time
    cards, pages = every_card(team, "negotiation", limit=7)
    # Then every deal comes exactly once, newest activity first, and the last page says there is no more
    assert len(cards) == 61 and len({card["deal_id"] for card in cards}) == 61 and pages == 9
    activity = [card["last_activity_at"] for card in cards]
    assert activity == sorted(activity, reverse=True)
    # And a rep's pages hold exactly their own deals, in the same order
    annas, _ = every_card(team, "negotiation", viewer="rep-anna", limit=5)
    assert [card["deal_id"] for card in annas] == [card["deal_id"] for card in cards if card["owner_id"] == "rep-anna"]
    assert len(annas) == 21
    # And a column whose size is a multiple of the page ends without an empty page
    first = column("sales", "negotiation", team["rep-anna"], limit=21)
    assert (len(first["cards"]), first["next_cursor"]) == (21, None)

    # A cursor only works for the column it came from
    cursor = column("sales", "negotiation", team["mgr-maria"], limit=5)["next_cursor"]
    for wrong in ({"stage_id": "proposal", "viewer": "mgr-maria"}, {"stage_id": "negotiation", "viewer": "rep-anna"}):
        with pytest.raises(InvalidMoveError) as refused:
            column("sales", wrong["stage_id"], team[wrong["viewer"]], cursor=cursor)
        assert refused.value.field == "cursor"
    with pytest.raises(InvalidMoveError):
        column("sales", "negotiation", team["mgr-maria"], cursor="not-a-cursor!")


def test_counts_and_amounts_stay_right_after_create_move_and_reassign(team):
    from crm.services.board import move_deal, reassign_deal

    # Given deals in two currencies and one without an amount, and a seeded board
    seed_deals(20, ["rep-anna", "rep-bela", "rep-chris"])
    euro = create(team, "Euro deal", amount="1000.50", currency="EUR")
    dollar = create(team, "Dollar deal", by="rep-bela", amount="250", currency="USD", stage_id="proposal")
    blank = create(team, "No money yet", by="mgr-maria", owner_id="rep-chris")
    assert_counters_match_the_cards(team)

    # When deals move, also into and out of the same column, and are reassigned
    moved = move_deal(euro["deal_id"], "proposal", 1, team["rep-anna"], NOW)
    move_deal(dollar["deal_id"], "negotiation", 1, team["rep-bela"], NOW)
    move_deal(blank["deal_id"], "proposal", 1, team["rep-chris"], NOW)
    reassign_deal(euro["deal_id"], "rep-bela", team["mgr-maria"], NOW)
    move_deal(euro["deal_id"], "unsorted", moved["version"] + 1, team["rep-bela"], NOW)
    reassign_deal(blank["deal_id"], "rep-anna", team["mgr-maria"], NOW)
    # Then every header still says what its cards add up to
    assert_counters_match_the_cards(team)


def test_a_stale_move_gets_the_fresh_card_and_changes_nothing(team):
    from crm.data.accounts import DealItem
    from crm.data.leads import timeline
    from crm.services.board import StaleDealError, column, move_deal

    # Given Anna's board shows her deal at version 1, and then her manager moved it to proposal
    deal = create(team, "Weber rollout", amount="1200", currency="EUR")
    assert move_deal(deal["deal_id"], "proposal", 1, team["mgr-maria"], NOW)["version"] == 2
    before = [column("sales", stage, team["mgr-maria"])["count"] for stage in ("unsorted", "proposal", "procurement")]
    # When Anna drops her stale card on procurement
    with pytest.raises(StaleDealError) as stale:
        move_deal(deal["deal_id"], "procurement", 1, team["rep-anna"], NOW)
    # Then she gets the card as it is now, and nothing changed
    assert (stale.value.card["stage_id"], stale.value.card["version"]) == ("proposal", 2)
    stored = DealItem.get(*DealItem.key(deal["deal_id"]))
    assert (stored.stage_id, stored.version) == ("proposal", 2)
    assert [column("sales", stage, team["mgr-maria"])["count"]
            for stage in ("unsorted", "proposal", "procurement")] == before
    assert [event.event_type for event in timeline(stored.PK)] == ["stage_changed", "deal_created"]


def test_a_move_that_loses_the_race_after_reading_is_stale_too(team, monkeypatch):
    import crm.services.board as service
    from crm.data.accounts import DealItem

    # Given Anna's move read the deal at version 1, and the manager's move commits before Anna's writes
    deal = create(team, "Weber rollout")
    read_pipeline = service.get_pipeline

    def manager_moves_first(pipeline_id):
        monkeypatch.setattr(service, "get_pipeline", read_pipeline)
        service.move_deal(deal["deal_id"], "negotiation", 1, team["mgr-maria"], NOW)
        return read_pipeline(pipeline_id)

    monkeypatch.setattr(service, "get_pipeline", manager_moves_first)
    # When Anna's transaction runs, Then the version condition refuses it and she gets the manager's card
    with pytest.raises(service.StaleDealError) as stale:
        service.move_deal(deal["deal_id"], "proposal", 1, team["rep-anna"], NOW)
    assert (stale.value.card["stage_id"], stale.value.card["version"]) == ("negotiation", 2)
    assert DealItem.get(*DealItem.key(deal["deal_id"])).stage_id == "negotiation"
    assert_counters_match_the_cards(team)


def test_a_lost_move_needs_one_of_the_listed_lost_reasons(team):
    from crm.services.board import InvalidMoveError, get_deal, move_deal

    deal = create(team, "Weber rollout")
    for reason in (None, "The moon was wrong"):
        with pytest.raises(InvalidMoveError) as refused:
            move_deal(deal["deal_id"], "closed-lost", 1, team["rep-anna"], NOW, lost_reason=reason)
        assert refused.value.field == "lost_reason" and "Chose a competitor" in refused.value.reason
    with pytest.raises(InvalidMoveError) as refused:
        move_deal(deal["deal_id"], "proposal", 1, team["rep-anna"], NOW, lost_reason="Price")
    assert refused.value.field == "lost_reason"
    with pytest.raises(InvalidMoveError) as refused:
        move_deal(deal["deal_id"], "no-such-stage", 1, team["rep-anna"], NOW)
    assert refused.value.field == "stage_id"
    assert get_deal(deal["deal_id"], team["rep-anna"])["version"] == 1  # nothing was written

    lost = move_deal(deal["deal_id"], "closed-lost", 1, team["rep-anna"], NOW, lost_reason="Chose a competitor")
    shown = get_deal(deal["deal_id"], team["rep-anna"])
    assert (lost["stage_id"], shown["lost_reason"], shown["timeline"][0]["data"]["lost_reason"]) == (
        "closed-lost", "Chose a competitor", "Chose a competitor")
    # and winning it back clears the reason
    move_deal(deal["deal_id"], "negotiation", 2, team["rep-anna"], NOW)
    assert get_deal(deal["deal_id"], team["rep-anna"])["lost_reason"] is None


def test_a_move_lands_on_the_deals_timeline_and_tops_its_new_column(team):
    from crm.services.board import board, get_deal, move_deal

    # Given two deals in proposal and one unsorted deal created a day earlier
    older = create(team, "Older", at=NOW - timedelta(days=1))
    create(team, "Proposal one", stage_id="proposal")
    create(team, "Proposal two", stage_id="proposal", at=NOW + timedelta(hours=1))
    # When the older deal moves to proposal two days later
    later = NOW + timedelta(days=2)
    moved = move_deal(older["deal_id"], "proposal", 1, team["rep-anna"], later)
    # Then it heads the proposal column, entered its stage now, and the move is on its timeline, newest first
    assert (moved["stage_id"], moved["stage_entered_at"], moved["days_in_stage"], moved["version"]) == (
        "proposal", "2030-03-03T09:00:00Z", 0, 2)
    proposal = next(column for column in board("sales", team["rep-anna"], now=later)["columns"]
                    if column["stage_id"] == "proposal")
    assert [card["title"] for card in proposal["cards"]] == ["Older", "Proposal two", "Proposal one"]
    shown = get_deal(older["deal_id"], team["rep-anna"], now=later)
    assert [(event["type"], event["data"].get("to")) for event in shown["timeline"]] == [
        ("stage_changed", "proposal"), ("deal_created", None)]
    moved_event = shown["timeline"][0]["data"]
    assert {key: value for key, value in moved_event.items() if key != "tasks"} == {
        "from": "unsorted", "to": "proposal", "by": "rep-anna"}
    # And the proposal stage's entry actions made their tasks, named on the same event
    assert [(task["title"], task["due_at"], task["owner_id"]) for task in moved_event["tasks"]] == [
        ("Send the proposal", "2030-03-04T09:00:00Z", "rep-anna"),
        ("Follow up on the proposal", "2030-03-08T09:00:00Z", "rep-anna")]
    assert shown["timeline"][0]["at"] == "2030-03-03T09:00:00Z"
    # And moving it to where it already is changes nothing
    assert move_deal(older["deal_id"], "proposal", 2, team["rep-anna"], later)["version"] == 2


def test_reps_work_only_on_their_own_deals_managers_reassign(team):
    from crm.data.leads import timeline
    from crm.errors import ForbiddenError
    from crm.services.board import DealNotFoundError, InvalidMoveError, get_deal, move_deal, reassign_deal

    deal = create(team, "Weber rollout")
    # A colleague's deal does not exist for a rep
    with pytest.raises(DealNotFoundError):
        get_deal(deal["deal_id"], team["rep-bela"])
    with pytest.raises(DealNotFoundError):
        move_deal(deal["deal_id"], "proposal", 1, team["rep-bela"], NOW)
    with pytest.raises(DealNotFoundError):
        get_deal("no-such-deal", team["mgr-maria"])
    # Reps neither reassign nor create deals for others
    with pytest.raises(ForbiddenError):
        reassign_deal(deal["deal_id"], "rep-bela", team["rep-anna"], NOW)
    with pytest.raises(ForbiddenError):
        create(team, "For Béla", owner_id="rep-bela")
    # A manager gives it only to an active user
    with pytest.raises(InvalidMoveError) as refused:
        reassign_deal(deal["deal_id"], "rep-gone", team["mgr-maria"], NOW)
    assert refused.value.field == "owner_id"

    # When the manager gives it to Béla
    card = reassign_deal(deal["deal_id"], "rep-bela", team["mgr-maria"], NOW)
    # Then it is Béla's (and no longer Anna's to see), and the timeline says who gave it to whom
    assert (card["owner_id"], card["owner_name"], card["version"]) == ("rep-bela", "Béla Kovács", 2)
    assert get_deal(deal["deal_id"], team["rep-bela"])["owner_id"] == "rep-bela"
    with pytest.raises(DealNotFoundError):
        get_deal(deal["deal_id"], team["rep-anna"])
    from crm.data.accounts import deal_pk

    assert timeline(deal_pk(deal["deal_id"]))[0].data == {"from": "rep-anna", "to": "rep-bela", "by": "mgr-maria"}


def test_a_quick_created_deal_lands_in_unsorted_with_its_money_exact(team):
    from crm.services.board import InvalidMoveError, get_deal

    card = create(team, "  Weber rollout ", amount=1200.5, currency="eur", account_name="Weber GmbH")
    assert (card["title"], card["stage_id"], card["amount"], card["currency"], card["owner_id"], card["version"]) == (
        "Weber rollout", "unsorted", "1200.50", "EUR", "rep-anna", 1)
    assert get_deal(card["deal_id"], team["rep-anna"])["timeline"][0]["type"] == "deal_created"
    # A manager may create it for a rep, straight into a stage
    for_chris = create(team, "For Chris", by="mgr-maria", owner_id="rep-chris", stage_id="proposal")
    assert (for_chris["owner_id"], for_chris["owner_name"], for_chris["stage_id"]) == (
        "rep-chris", "Chris Doe", "proposal")
    with pytest.raises(InvalidMoveError) as refused:
        create(team, "Nowhere", pipeline_id="renewals")
    assert refused.value.field == "pipeline_id"


def test_an_admin_renames_reorders_and_archives_stages_but_never_removes_one(team):
    from crm.domain.pipelines import Pipeline
    from crm.errors import ForbiddenError
    from crm.services.board import (
        InvalidMoveError,
        PipelineNotFoundError,
        board,
        get_deal,
        get_pipeline,
        list_pipelines,
        save_pipeline,
    )

    # Given the built-in pipeline (nothing saved) and a deal in procurement
    in_procurement = create(team, "Nearly there", stage_id="procurement")
    document = get_pipeline("sales").model_dump(mode="json")
    stages = {stage["id"]: stage for stage in document["stages"]}
    # When the admin renames proposal, puts negotiation before proposal and archives procurement
    stages["proposal"]["name"] = "Offer sent"
    stages["procurement"]["archived"] = True
    order = ["unsorted", "identified", "in-discussion", "decision-makers-identified", "negotiation", "proposal",
             "procurement", "closed-won", "closed-lost"]
    changed = Pipeline.model_validate({**document, "stages": [stages[stage_id] for stage_id in order]})
    saved = save_pipeline("sales", changed, team["adm-ada"], NOW)
    # Then the board shows the new order and name, without the archived column, and the deal keeps its stage
    assert saved["id"] == "sales" and [pipeline["id"] for pipeline in list_pipelines()] == ["sales"]
    shown = board("sales", team["mgr-maria"])
    assert [column["stage_id"] for column in shown["columns"]] == [stage for stage in order if stage != "procurement"]
    assert next(stage for stage in shown["pipeline"]["stages"] if stage["id"] == "proposal")["name"] == "Offer sent"
    assert get_deal(in_procurement["deal_id"], team["rep-anna"])["stage_id"] == "procurement"

    # But removing a stage is refused (archive it instead), and only an admin saves
    without = Pipeline.model_validate({**document, "stages": [stages[stage_id] for stage_id in order
                                                              if stage_id != "identified"]})
    with pytest.raises(InvalidMoveError) as refused:
        save_pipeline("sales", without, team["adm-ada"], NOW)
    assert refused.value.field == "stages" and "identified" in refused.value.reason
    with pytest.raises(ForbiddenError):
        save_pipeline("sales", changed, team["mgr-maria"], NOW)

    # A new pipeline gets its own board
    with pytest.raises(PipelineNotFoundError):
        get_pipeline("renewals")
    save_pipeline("renewals", changed, team["adm-ada"], NOW)
    renewal = create(team, "Renewal 2031", pipeline_id="renewals")
    assert board("renewals", team["rep-anna"])["columns"][0]["cards"][0]["deal_id"] == renewal["deal_id"]
    assert board("sales", team["rep-anna"])["columns"][0]["count"] == 0
    assert [pipeline["id"] for pipeline in list_pipelines()] == ["sales", "renewals"]


def test_a_converted_leads_deal_lands_in_unsorted_with_its_counters(crm, team):
    from crm.models.conversion import ConversionRequest
    from crm.services.board import board, get_deal
    from crm.services.conversion import convert_lead

    # Given Anna's lead from Weber GmbH (routed to her: DE), and her board read (its heads kept)
    assert board("sales", team["rep-anna"])["columns"][0]["cards"] == []
    jonas = {"name": "Jonas Weber", "email": "jonas@example.de", "company": "Weber GmbH", "country": "DE"}
    crm.invoke("lead_intake", "app.handler", api_event(json.dumps(jonas)))
    lead_id = lead_id_of(jonas)
    # When she converts it with a deal
    deal_id = convert_lead(lead_id, ConversionRequest.model_validate({"deal": {"amount": "12000", "currency": "EUR"}}),
                           team["rep-anna"], NOW).deal_id
    # Then the deal is the only card of her Unsorted column, and the column counts it
    unsorted = board("sales", team["rep-anna"])["columns"][0]
    assert (unsorted["stage_id"], unsorted["count"], unsorted["amounts"]) == ("unsorted", 1, {"EUR": "12000.00"})
    (card,) = unsorted["cards"]
    assert (card["deal_id"], card["title"], card["account_name"], card["owner_name"], card["version"]) == (
        deal_id, "Weber GmbH deal", "Weber GmbH", "Anna Schmidt", 1)
    shown = get_deal(deal_id, team["rep-anna"])
    assert (shown["lead_id"], shown["timeline"][0]["type"]) == (lead_id, "deal_created")
    assert board("sales", team["mgr-maria"])["columns"][0]["count"] == 1
