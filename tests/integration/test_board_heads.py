"""Opening the board from its column items' heads (crm.data.board_columns) against DynamoDB Local: one read while
nothing changes, every deal write dropping the heads of the columns it touches, and no stale head ever kept."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.integration.board_fixtures import seed_deals
from tests.integration.test_board import NOW, create, every_card, team  # noqa: F401  # team: a fixture


@contextmanager
def dynamodb_calls() -> Iterator[list[tuple[str, dict]]]:
    """The DynamoDB operations made inside the block, with their parameters."""
    from crm.data.table import CrmItem

    calls: list[tuple[str, dict]] = []

    def record(params, model, **_):
        calls.append((model.name, params))

    client = CrmItem._get_connection().connection.client
    client.meta.events.register("provide-client-params.dynamodb.*", record)
    try:
        yield calls
    finally:
        client.meta.events.unregister("provide-client-params.dynamodb.*", record)


def operations(calls) -> Counter:
    return Counter(name for name, _ in calls)


@pytest.fixture
def settled(monkeypatch):
    """Columns count as settled as soon as they are written (DynamoDB Local's indexes never lag)."""
    from crm.data import board_columns

    monkeypatch.setattr(board_columns, "HEAD_SETTLE_SECONDS", 0.0)


def queried_columns(calls) -> set[str]:
    """The partitions (columns) read by Query: the value of each one's key condition."""
    return {params["ExpressionAttributeValues"][re.search(r"= (:\w+)", params["KeyConditionExpression"])[1]]["S"]
            for name, params in calls if name == "Query"}


def test_a_board_opened_again_is_one_read_of_its_column_items(team, settled):
    from crm.data.people import team_names
    from crm.services.board import board

    # Given 270 deals on the board, 30 in each of its 9 columns
    seed_deals(270, ["rep-anna", "rep-bela"])
    team_names()  # the team's names, which every process keeps for TEAM_NAMES_SECONDS

    # When the manager opens it the first time
    with dynamodb_calls() as calls:
        first = board("sales", team["mgr-maria"], limit=10, now=NOW)
    # Then the column items are one BatchGetItem, each column one Query of its head (a page of 25 and one more),
    # each head kept on its column item; the pipeline at most one GetItem, the owners' names from memory; no Scan
    columns = len(first["columns"])
    assert operations(calls) - Counter({"GetItem": 1}) == Counter(
        {"BatchGetItem": 1, "Query": columns, "UpdateItem": columns})
    assert {params["Limit"] for name, params in calls if name == "Query"} == {26}
    assert all(len(column["cards"]) == 10 and column["count"] == 30 and column["next_cursor"]
               for column in first["columns"])
    assert {card["owner_name"] for column in first["columns"] for card in column["cards"]} == {
        "Anna Schmidt", "Béla Kovács"}

    # When she opens it again, Then it is the one BatchGetItem and nothing else, and shows the very same board
    with dynamodb_calls() as calls:
        again = board("sales", team["mgr-maria"], limit=10, now=NOW)
    assert operations(calls) == Counter({"BatchGetItem": 1})
    assert again == first
    # And a rep's board has heads of its own
    with dynamodb_calls() as calls:
        board("sales", team["rep-anna"], now=NOW)
        board("sales", team["rep-anna"], now=NOW)
    assert operations(calls) == Counter({"BatchGetItem": 2, "Query": columns, "UpdateItem": columns})


def test_a_page_from_a_head_goes_on_where_the_index_would(team, settled):
    from crm.services.board import board, column

    # Given 60 of Anna's deals in Unsorted, the column's head kept
    seed_deals(60, ["rep-anna"], stages=["unsorted"])
    from_index = board("sales", team["rep-anna"], limit=10, now=NOW)["columns"][0]
    # When the board is opened from the head, Then its cursor is the one the index gave
    from_head = board("sales", team["rep-anna"], limit=10, now=NOW)["columns"][0]
    assert from_head == from_index
    # And "load more" from it walks the rest of the column, every card once, newest activity first
    cards, cursor = list(from_head["cards"]), from_head["next_cursor"]
    while cursor:
        page = column("sales", "unsorted", team["rep-anna"], cursor=cursor, limit=25, now=NOW)
        cards += page["cards"]
        cursor = page["next_cursor"]
    assert [card["deal_id"] for card in cards] == [card["deal_id"] for card in every_card(
        team, "unsorted", viewer="rep-anna")[0]]
    assert len({card["deal_id"] for card in cards}) == 60
    # And a whole column shorter than a head has no next page
    assert board("sales", team["rep-anna"], limit=25, now=NOW)["columns"][1]["next_cursor"] is None


def test_every_deal_write_drops_the_heads_of_the_columns_it_touches(team, settled):
    from crm.services.board import board, move_deal, reassign_deal

    # Given a board whose heads are kept, for the manager and for Anna and Béla
    seed_deals(36, ["rep-anna", "rep-bela"])
    viewers = {"manager": (team["mgr-maria"], None), "anna": (team["rep-anna"], None),
               "bela": (team["mgr-maria"], "rep-bela")}

    def open_all():
        return {name: board("sales", viewer, owner=owner, now=NOW) for name, (viewer, owner) in viewers.items()}

    open_all()
    deal = create(team, "Weber rollout", amount="1200", currency="EUR")  # a new card heads Anna's Unsorted

    def cards(boards, name, stage_id):
        found = next(column for column in boards[name]["columns"] if column["stage_id"] == stage_id)
        return [card["deal_id"] for card in found["cards"]]

    # When the board is opened after the quick-create, Then only Unsorted is read again, everyone's and Anna's
    with dynamodb_calls() as calls:
        seen = open_all()
    assert queried_columns(calls) == {"BOARD#sales#unsorted", "OWNER#rep-anna#BOARD#sales#unsorted"}
    assert cards(seen, "manager", "unsorted")[0] == cards(seen, "anna", "unsorted")[0] == deal["deal_id"]

    # When Anna moves it, Then Unsorted and Proposal are read again and the card is where it went, only there
    move_deal(deal["deal_id"], "proposal", 1, team["rep-anna"], NOW)
    with dynamodb_calls() as calls:
        seen = open_all()
    assert queried_columns(calls) == {"BOARD#sales#unsorted", "OWNER#rep-anna#BOARD#sales#unsorted",
                                      "BOARD#sales#proposal", "OWNER#rep-anna#BOARD#sales#proposal"}
    assert deal["deal_id"] not in cards(seen, "manager", "unsorted") + cards(seen, "anna", "unsorted")
    assert cards(seen, "manager", "proposal")[0] == cards(seen, "anna", "proposal")[0] == deal["deal_id"]

    # When the manager gives it to Béla, Then the stage's column (the card's owner changed) and both reps' are read
    reassign_deal(deal["deal_id"], "rep-bela", team["mgr-maria"], NOW)
    with dynamodb_calls() as calls:
        seen = open_all()
    assert queried_columns(calls) == {"BOARD#sales#proposal", "OWNER#rep-anna#BOARD#sales#proposal",
                                      "OWNER#rep-bela#BOARD#sales#proposal"}
    manager_card = next(column for column in seen["manager"]["columns"] if column["stage_id"] == "proposal")["cards"][0]
    assert (manager_card["deal_id"], manager_card["owner_name"], manager_card["version"]) == (
        deal["deal_id"], "Béla Kovács", 3)
    assert deal["deal_id"] not in cards(seen, "anna", "proposal")
    assert cards(seen, "bela", "proposal")[0] == deal["deal_id"]
    # And once read again, the heads serve the next opening alone
    with dynamodb_calls() as calls:
        open_all()
    assert operations(calls) == Counter({"BatchGetItem": 3})


def test_a_column_written_moments_ago_is_read_from_its_index_and_not_kept(team):
    from crm.data.board_columns import read_columns
    from crm.data.people import team_names
    from crm.services.board import board

    # Given a deal created just now (the index behind a column may lag a write on AWS)
    create(team, "Weber rollout")
    team_names()
    # When Anna opens her board twice at once
    with dynamodb_calls() as calls:
        for _ in range(2):
            assert len(board("sales", team["rep-anna"], now=NOW)["columns"][0]["cards"]) == 1
    # Then her Unsorted is read from its index both times and never kept; her other, untouched columns keep theirs
    unsorted = "OWNER#rep-anna#BOARD#sales#unsorted"
    assert Counter(column for name, params in calls if name == "Query"
                   for column in queried_columns([(name, params)])) == Counter(
        {unsorted: 2, **{column: 1 for column in queried_columns(calls) - {unsorted}}})
    assert len(queried_columns(calls)) == 9
    kept = {params["Key"]["SK"]["S"] for name, params in calls if name == "UpdateItem"}
    assert len(kept) == 8 and "unsorted#OWNER#rep-anna" not in kept
    state = read_columns("sales", ["unsorted", "proposal"], "rep-anna")
    assert state["unsorted"].head is None and state["proposal"].head == ()


def test_a_head_read_before_a_write_is_never_kept(team, settled):
    from crm.data.board_columns import Column, first_page, read_columns
    from crm.services.board import board

    # Given a reader that read Anna's Unsorted item, and then a deal was created in that column
    before = read_columns("sales", ["unsorted"], "rep-anna")["unsorted"]
    deal = create(team, "Weber rollout")
    # When the reader's page, read after the write, would be kept on the item it read before the write
    first_page(Column("sales", "unsorted", "rep-anna"), before, 25)
    # Then it is not kept, and the next opening reads the column again and shows the deal
    assert read_columns("sales", ["unsorted"], "rep-anna")["unsorted"].head is None
    assert board("sales", team["rep-anna"], now=NOW)["columns"][0]["cards"][0]["deal_id"] == deal["deal_id"]


def test_an_old_head_is_read_again(team, settled, monkeypatch):
    from crm.data import board_columns
    from crm.services.board import board

    # Given Anna's board with heads kept
    create(team, "Weber rollout")
    board("sales", team["rep-anna"], now=NOW)
    # When the heads are older than HEAD_MAX_AGE_SECONDS, Then every column is read from its index again
    monkeypatch.setattr(board_columns, "HEAD_MAX_AGE_SECONDS", 0.0)
    with dynamodb_calls() as calls:
        board("sales", team["rep-anna"], now=NOW)
    assert operations(calls)["Query"] == 9


def test_a_head_kept_by_a_version_with_other_card_fields_is_read_again(team, settled):
    import json
    import zlib

    from crm.data.board_columns import Column
    from crm.data.table import CrmItem
    from crm.services.board import board

    # Given Anna's Unsorted holds a deal, and its head was kept by a version whose cards showed other fields
    deal = create(team, "Weber rollout")
    board("sales", team["rep-anna"], now=NOW)
    older = zlib.compress(json.dumps({"fields": ["deal_id", "title"], "cards": [[deal["deal_id"], "Old"]]}).encode())
    connection = CrmItem._get_connection()
    connection.connection.client.update_item(
        TableName=connection.table_name, Key=Column("sales", "unsorted", "rep-anna").key,
        UpdateExpression="SET head = :head", ExpressionAttributeValues={":head": {"B": older}})
    # When she opens the board, Then that column is read from its index again and shown whole
    with dynamodb_calls() as calls:
        card = board("sales", team["rep-anna"], now=NOW)["columns"][0]["cards"][0]
    assert queried_columns(calls) == {"OWNER#rep-anna#BOARD#sales#unsorted"}
    assert (card["deal_id"], card["title"], card["owner_name"]) == (deal["deal_id"], "Weber rollout", "Anna Schmidt")


def test_more_than_a_head_is_read_from_the_index(team, settled):
    from crm.services.board import board

    # Given 40 deals of Anna's in Unsorted, the heads kept
    seed_deals(40, ["rep-anna"], stages=["unsorted"])
    board("sales", team["rep-anna"], now=NOW)
    # When she asks for 30 cards a column, more than a head holds, Then the columns are read from the index
    with dynamodb_calls() as calls:
        unsorted = board("sales", team["rep-anna"], limit=30, now=NOW)["columns"][0]
    assert {params["Limit"] for name, params in calls if name == "Query"} == {31}
    assert len(unsorted["cards"]) == 30 and unsorted["next_cursor"]
