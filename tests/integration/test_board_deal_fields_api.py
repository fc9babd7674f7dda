"""A deal's fields changed through PATCH /api/deals/{deal_id} (the side panel), and the board's filters beyond owner
(q, type, stalled, overdue, closing) on both board routes, called as the site calls them (see test_board_api)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.test_board_api import MANAGER, REP_A, REP_B, SALES, board  # noqa: F401 - the fixture

NOW = datetime(2030, 3, 10, 12, 0, tzinfo=UTC)  # a Sunday in the first quarter


@pytest.fixture
def clock(monkeypatch):
    """Business time, set by the test: what the routes write with (crm.clock) and the board reads with."""
    moments = [NOW]
    monkeypatch.setattr("crm.clock.utcnow", lambda: moments[0])
    monkeypatch.setattr("crm.services.board.utcnow", lambda: moments[0])
    return moments


def patch(board, deal_id, user, **fields):
    return board.call("PATCH", f"/api/deals/{deal_id}", user, fields)


def column_of(board, user, stage_id, **query):
    response = board.call("GET", f"/api/board/{SALES}", user, **query)
    assert response.status_code == 200, response.text
    return next(column for column in response.json()["columns"] if column["stage_id"] == stage_id)


# --- PATCH /api/deals/{deal_id} --------------------------------------------------------------------------------

def test_a_deal_change_answers_the_card_with_its_weighted_amount_and_lands_on_the_timeline(board, clock):
    # Given rep A's deal in Proposal (60 %) at 1200 EUR
    deal = board.new_deal(REP_A, "Weber rollout", stage_id="proposal", account_name="Weber GmbH", amount="1200",
                          currency="EUR")
    assert (deal["probability"], deal["weighted_amount"], deal["expected_close_date"], deal["deal_type"]) == (
        60, "720.00", None, None)
    # When rep A sets its close date and type and raises the amount
    response = patch(board, deal["deal_id"], REP_A, version=1, amount="2000.50", currency="EUR",
                     expected_close_date="2030-04-30", deal_type="upsell")
    # Then the card says so, weighted by the stage, at the next version
    assert response.status_code == 200, response.text
    card = response.json()
    assert {name: card[name] for name in ("amount", "currency", "expected_close_date", "deal_type", "probability",
                                          "weighted_amount", "version", "stage_id", "last_activity_at")} == {
        "amount": "2000.50", "currency": "EUR", "expected_close_date": "2030-04-30", "deal_type": "upsell",
        "probability": 60, "weighted_amount": "1200.30", "version": 2, "stage_id": "proposal",
        "last_activity_at": deal["last_activity_at"]}
    # And the change is on the deal's timeline, field by field
    read = board.call("GET", f"/api/deals/{deal['deal_id']}", REP_A).json()
    assert read["timeline"][0]["type"] == "deal_updated"
    assert read["timeline"][0]["data"] == {"by": REP_A, "changes": {
        "amount": {"from": "1200.00", "to": "2000.50"}, "expected_close_date": {"from": None, "to": "2030-04-30"},
        "deal_type": {"from": None, "to": "upsell"}}}
    # When the close date is cleared with null (and the rest left out)
    cleared = patch(board, deal["deal_id"], REP_A, version=2, expected_close_date=None).json()
    # Then only that changed
    assert (cleared["expected_close_date"], cleared["deal_type"], cleared["amount"], cleared["version"]) == (
        None, "upsell", "2000.50", 3)
    # And a change that changes nothing writes nothing
    same = patch(board, deal["deal_id"], REP_A, version=3, deal_type="upsell").json()
    assert same["version"] == 3


def test_new_money_changes_the_columns_totals_at_once(board, clock):
    # Given two of rep A's deals in Proposal, 1200 EUR and 300 EUR, and the board read (its heads kept)
    first = board.new_deal(REP_A, "First", stage_id="proposal", amount="1200", currency="EUR")
    board.new_deal(REP_A, "Second", stage_id="proposal", amount="300", currency="EUR")
    for user in (REP_A, MANAGER):
        assert column_of(board, user, "proposal")["amounts"] == {"EUR": "1500.00"}
    # When the first becomes 2000 USD
    assert patch(board, first["deal_id"], REP_A, version=1, amount="2000", currency="USD").status_code == 200
    # Then both the rep's and everyone's column show the new totals, the count unchanged
    for user in (REP_A, MANAGER):
        proposal = column_of(board, user, "proposal")
        assert (proposal["count"], proposal["amounts"]) == (2, {"EUR": "300.00", "USD": "2000.00"})
        card = next(card for card in proposal["cards"] if card["deal_id"] == first["deal_id"])
        assert (card["amount"], card["currency"], card["weighted_amount"]) == ("2000.00", "USD", "1200.00")
    # When its money is cleared
    assert patch(board, first["deal_id"], REP_A, version=2, amount=None, currency=None).status_code == 200
    # Then it counts without money
    proposal = column_of(board, MANAGER, "proposal")
    assert (proposal["count"], proposal["amounts"]) == (2, {"EUR": "300.00"})


def test_a_new_title_is_what_search_and_the_account_find(board, clock):
    # Given rep A's deal of Weber GmbH
    deal = board.new_deal(REP_A, "Fleet rollout", account_name="Weber GmbH")
    account_id = board.call("GET", f"/api/deals/{deal['deal_id']}", REP_A).json()["account_id"]

    def found(query: str, user: str) -> list[str]:
        return [result["id"] for result in board.call("GET", "/api/search", user, q=query).json()["results"]["deal"]]

    assert found("fleet", REP_A) == found("fleet", MANAGER) == [deal["deal_id"]]
    # When the manager renames it
    assert patch(board, deal["deal_id"], MANAGER, version=1, title="Harbour cranes").status_code == 200
    # Then its owner and everyone find it by the new title, no longer by the old, and still by its company
    for user in (REP_A, MANAGER):
        assert found("harbour", user) == [deal["deal_id"]]
        assert found("fleet", user) == []
        assert found("weber", user) == [deal["deal_id"]]
    # And its account lists it by the new title
    members = board.call("GET", f"/api/accounts/{account_id}/deals", MANAGER).json()["members"]
    assert [(member["deal_id"], member["title"]) for member in members] == [(deal["deal_id"], "Harbour cranes")]


def test_a_change_on_a_stale_version_answers_409_with_the_fresh_card(board, clock):
    # Given rep A's deal, which the manager moved meanwhile
    deal = board.new_deal(REP_A, amount="100", currency="EUR")
    moved = board.call("POST", f"/api/deals/{deal['deal_id']}/move", MANAGER, {"stage_id": "negotiation",
                                                                               "version": 1})
    assert moved.status_code == 200
    # When rep A saves the side panel they opened before
    response = patch(board, deal["deal_id"], REP_A, version=1, title="Too late")
    # Then nothing changes and the answer carries the card as it is now, weighted by its new stage
    assert response.status_code == 409
    fresh = response.json()["deal"]
    assert (fresh["title"], fresh["stage_id"], fresh["version"], fresh["probability"], fresh["weighted_amount"]) == (
        "Fleet renewal", "negotiation", 2, 75, "75.00")
    assert board.call("GET", f"/api/deals/{deal['deal_id']}", REP_A).json()["title"] == "Fleet renewal"


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": "No version"}, "version"),
    ({"version": 1, "title": None}, "title"),
    ({"version": 1, "title": ""}, "title"),
    ({"version": 1, "amount": "10"}, "amount"),
    ({"version": 1, "amount": "10.005", "currency": "EUR"}, "amount"),
    ({"version": 1, "currency": "JPY"}, "amount"),  # 1200.50 EUR has cents JPY does not
    ({"version": 1, "currency": None}, "amount"),  # the amount would lose its currency
    ({"version": 1, "currency": "XYZ"}, "currency"),
    ({"version": 1, "deal_type": "big"}, "deal_type"),
    ({"version": 1, "expected_close_date": "next week"}, "expected_close_date"),
    ({"version": 1, "stage_id": "proposal"}, "stage_id"),  # moves are POST .../move
])
def test_a_bad_change_is_refused_naming_the_field(board, clock, fields, field):
    deal = board.new_deal(REP_A, amount="1200.50", currency="EUR")
    response = board.call("PATCH", f"/api/deals/{deal['deal_id']}", REP_A, fields)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert board.call("GET", f"/api/deals/{deal['deal_id']}", REP_A).json()["version"] == 1


def test_only_the_owner_a_manager_or_an_admin_changes_a_deal(board, clock):
    deal = board.new_deal(REP_A)
    assert patch(board, deal["deal_id"], REP_B, version=1, title="Mine now").status_code == 404
    assert patch(board, "01NOSUCHDEAL", MANAGER, version=1, title="x").status_code == 404
    assert patch(board, deal["deal_id"], MANAGER, version=1, deal_type="renewal").json()["deal_type"] == "renewal"


# --- filters ---------------------------------------------------------------------------------------------------

@pytest.fixture
def deals(board, clock):
    """Deals in Identified (14 days allowed; entering it makes a call task due a day later), by what the filters
    see in them, at NOW (Sunday 2030-03-10)."""
    made = {
        "weber": board.new_deal(REP_A, "Weber rollout", stage_id="identified", account_name="Weber GmbH",
                                amount="1000", currency="EUR", deal_type="upsell", expected_close_date="2030-03-31"),
        "promise": board.new_deal(REP_A, "Old promise", stage_id="identified", amount="300", currency="EUR",
                                  deal_type="renewal", expected_close_date="2030-03-01"),
        "spring": board.new_deal(REP_A, "Spring order", stage_id="identified", amount="50", currency="USD",
                                 deal_type="new_business", expected_close_date="2030-04-15"),
        "theirs": board.new_deal(REP_B, "Weber extension", stage_id="identified", account_name="Weber GmbH",
                                 amount="700", currency="EUR", deal_type="upsell"),
    }
    clock[0] = NOW - timedelta(days=20)  # in Identified for 20 days, its call overdue for 19
    made["quiet"] = board.new_deal(REP_A, "Quiet pilot", stage_id="identified")
    clock[0] = NOW - timedelta(days=2)  # its call overdue for a day, well within the stage's 14 days
    made["late"] = board.new_deal(REP_A, "Late call", stage_id="identified")
    clock[0] = NOW
    return {name: deal["deal_id"] for name, deal in made.items()}


FILTERED = [  # (query, the deals of the fixture it keeps, their totals)
    ({"q": "weber"}, {"weber", "theirs"}, {"EUR": "1700.00"}),
    ({"q": "WEBER gm"}, {"weber", "theirs"}, {"EUR": "1700.00"}),  # the account's name, any case
    ({"q": "promise"}, {"promise"}, {"EUR": "300.00"}),
    ({"type": "upsell"}, {"weber", "theirs"}, {"EUR": "1700.00"}),
    ({"type": "new_business"}, {"spring"}, {"USD": "50.00"}),
    ({"stalled": "true"}, {"quiet"}, {}),
    ({"overdue": "true"}, {"quiet", "late"}, {}),
    ({"closing": "overdue"}, {"promise"}, {"EUR": "300.00"}),
    ({"closing": "this_month"}, {"weber", "promise"}, {"EUR": "1300.00"}),
    ({"closing": "next_month"}, {"spring"}, {"USD": "50.00"}),
    ({"closing": "this_quarter"}, {"weber", "promise"}, {"EUR": "1300.00"}),
    ({"closing": "none"}, {"theirs", "quiet", "late"}, {"EUR": "700.00"}),
    ({"q": "weber", "type": "upsell", "owner": REP_A}, {"weber"}, {"EUR": "1000.00"}),
    ({"stalled": "false"}, {"weber", "promise", "spring", "theirs", "quiet", "late"},
     {"EUR": "2000.00", "USD": "50.00"}),
]


@pytest.mark.parametrize(("query", "expected", "amounts"), FILTERED,
                         ids=["&".join(f"{key}={value}" for key, value in query.items()) for query, *_ in FILTERED])
def test_each_filter_on_the_board_and_the_column_counts_its_matches(board, deals, query, expected, amounts):
    names = {deal_id: name for name, deal_id in deals.items()}
    # When the manager opens the board, and the column, filtered
    on_board = column_of(board, MANAGER, "identified", **query)
    response = board.call("GET", f"/api/board/{SALES}/columns/identified", MANAGER, **query)
    assert response.status_code == 200, response.text
    # Then both hold the matching cards only, newest activity first, and count and total those
    for column in (on_board, response.json()):
        assert {names[card["deal_id"]] for card in column["cards"]} == expected
        assert (column["count"], column["amounts"], column["next_cursor"]) == (len(expected), amounts, None)
        activity = [card["last_activity_at"] for card in column["cards"]]
        assert activity == sorted(activity, reverse=True)


def test_a_filter_keeps_a_reps_board_to_their_own_deals_and_other_columns_empty(board, deals):
    identified = column_of(board, REP_A, "identified", q="weber")
    assert [card["deal_id"] for card in identified["cards"]] == [deals["weber"]]
    unsorted = column_of(board, REP_A, "unsorted", q="weber")
    assert (unsorted["cards"], unsorted["count"], unsorted["amounts"]) == ([], 0, {})


def test_a_filtered_column_pages_with_cursors(board, deals):
    path = f"/api/board/{SALES}/columns/identified"
    # When the column filtered to this month is read one card at a time
    first = board.call("GET", path, MANAGER, closing="this_month", limit="1").json()
    rest = board.call("GET", path, MANAGER, closing="this_month", limit="1", cursor=first["next_cursor"]).json()
    # Then the pages hold each match once, and the last says there is no more
    assert {card["deal_id"] for card in first["cards"] + rest["cards"]} == {deals["weber"], deals["promise"]}
    assert first["count"] == rest["count"] == 2 and first["next_cursor"] and rest["next_cursor"] is None
    # And a cursor of another column is refused
    refused = board.call("GET", f"/api/board/{SALES}/columns/proposal", MANAGER, closing="this_month",
                         cursor=first["next_cursor"])
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize(("query", "field"), [({"type": "big"}, "type"), ({"closing": "soon"}, "closing"),
                                              ({"stalled": "yes"}, "stalled"), ({"overdue": "maybe"}, "overdue")])
def test_a_filter_it_cannot_mean_is_refused_naming_it(board, clock, query, field):
    for path in (f"/api/board/{SALES}", f"/api/board/{SALES}/columns/identified"):
        response = board.call("GET", path, MANAGER, **query)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field, response.text
