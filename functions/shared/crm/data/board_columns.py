"""Reading a board column: its header and first cards from its one item, the rest a page at a time from its index.

A column's item (crm.data.board.BoardCountItem, everyone's or one owner's) holds its counter and, once someone has
read the column, its head: the column's first HEAD_CARDS + 1 cards, compressed. Opening a board is then one
BatchGetItem of its column items, however many deals the table holds, until a deal in a column changes:

- every write that changes a card (its column, owner, money, activity or version) updates the items of the
  columns the deal leaves and enters in its own transaction (crm.data.board.update_counters): `writes` counts up,
  `written_at` is stamped and the head is dropped;
- a reader finding no head reads the column's first cards from the index and puts them back as the head, on
  condition that `writes` is still what it read: a write meanwhile wins, and the next reader refills;
- the indexes are eventually consistent on AWS, so a head is only kept once the column's last write is
  HEAD_SETTLE_SECONDS old, and a head older than HEAD_MAX_AGE_SECONDS is read again: an index lagging longer than
  usual can never leave a stale head behind for long.

`written_at` and `head_read_at` are wall-clock epoch seconds (time.time()): they are about the index catching up,
not about business time, which tests and the local stack move around.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import zlib
from dataclasses import astuple, dataclass, fields
from decimal import Decimal
from itertools import islice
from typing import Any

from botocore.exceptions import ClientError

from crm.data.accounts import DealItem, owner_column_pk, stage_column_pk
from crm.data.board import AMOUNT_PREFIX, counter_pk, counter_sort_key
from crm.data.table import CrmItem
from crm.domain.pipelines import PipelineRuleError
from crm.models.conversion import CURRENCY_MINOR_UNITS
from crm.reasons import Reason

HEAD_CARDS = 25  # the board's first page; the head keeps one card more, to know whether there is a next page
HEAD_SETTLE_SECONDS = 2.0
HEAD_MAX_AGE_SECONDS = 300.0
# a filtered column is its partition read whole, up to this many of its most recently active deals: enough for a
# small team's board; a column holding more is filtered among these only
FILTERED_READ_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class DealCard:
    """What a card shows of a deal, as its column's head keeps it (the owner's name and days in stage are added
    when it is shown)."""

    deal_id: str
    title: str
    account_name: str | None
    amount: str | None
    currency: str | None
    owner_id: str
    stage_id: str
    stage_entered_at: str
    last_activity_at: str
    next_task_due_at: str | None
    version: int
    expected_close_date: str | None
    deal_type: str | None

    @classmethod
    def of(cls, deal: DealItem) -> DealCard:
        return cls(**{name: getattr(deal, name) for name in CARD_FIELDS})


CARD_FIELDS = tuple(field.name for field in fields(DealCard))


@dataclass(frozen=True)
class Column:
    """One column of a board: a stage's deals, everyone's (`owner_id` None) or one owner's."""

    pipeline_id: str
    stage_id: str
    owner_id: str | None = None

    @property
    def key(self) -> dict[str, dict[str, str]]:
        """The column item's key."""
        return {"PK": {"S": counter_pk(self.pipeline_id)}, "SK": {"S": counter_sort_key(self.stage_id, self.owner_id)}}

    @property
    def index_keys(self) -> tuple[str, str]:
        return ("GSI2PK", "GSI2SK") if self.owner_id is None else ("GSI1PK", "GSI1SK")

    @property
    def partition(self) -> str:
        if self.owner_id is None:
            return stage_column_pk(self.pipeline_id, self.stage_id)
        return owner_column_pk(self.owner_id, self.pipeline_id, self.stage_id)


@dataclass(frozen=True)
class ColumnTotals:
    count: int
    amounts: dict[str, str]  # currency -> exact decimal text, e.g. {"EUR": "1200.00"}


@dataclass(frozen=True)
class ColumnState:
    """A column item as read: the header, and the head when it is there and still good."""

    totals: ColumnTotals
    head: tuple[DealCard, ...] | None
    writes: int | None  # None: no deal has been written to the column since heads exist
    written_at: float


@dataclass(frozen=True)
class ColumnPage:
    cards: list[DealCard]
    next_cursor: str | None


def read_columns(pipeline_id: str, stage_ids: list[str], owner_id: str | None = None) -> dict[str, ColumnState]:
    """Every column item of a board in one strongly consistent BatchGetItem (a card just moved is never shown where
    it was), read raw to see every currency's total."""
    connection = CrmItem._get_connection()
    client, table = connection.connection.client, connection.table_name
    by_sort_key = {counter_sort_key(stage_id, owner_id): stage_id for stage_id in stage_ids}
    keys = [Column(pipeline_id, stage_id, owner_id).key for stage_id in stage_ids]
    items: dict[str, dict] = {}
    while keys:
        response = client.batch_get_item(RequestItems={table: {"Keys": keys, "ConsistentRead": True}})
        for item in response.get("Responses", {}).get(table, []):
            items[by_sort_key[item["SK"]["S"]]] = item
        keys = response.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
    now = time.time()
    return {stage_id: _state(items.get(stage_id, {}), now) for stage_id in stage_ids}


def columns_totals(pipeline_id: str, stage_ids: list[str], owner_id: str | None = None) -> dict[str, ColumnTotals]:
    """Every column header of a board (one BatchGetItem)."""
    return {stage_id: state.totals for stage_id, state in read_columns(pipeline_id, stage_ids, owner_id).items()}


def column_totals(pipeline_id: str, stage_id: str, owner_id: str | None = None) -> ColumnTotals:
    """A column header (all deals of the stage, or one owner's)."""
    return columns_totals(pipeline_id, [stage_id], owner_id)[stage_id]


def first_page(column: Column, state: ColumnState, limit: int) -> ColumnPage:
    """The column's first `limit` cards: from its head when it has a good one, else from its index (and then kept
    as its head when the column has settled)."""
    if limit > HEAD_CARDS:
        return column_page(column, limit=limit)
    if state.head is not None:
        return _page_of(column, list(state.head), limit)
    cards = _top_cards(column, HEAD_CARDS + 1)
    if time.time() - state.written_at >= HEAD_SETTLE_SECONDS:
        _keep_head(column, cards, state.writes)
    return _page_of(column, cards, limit)


def column_page(column: Column, cursor: str | None = None, limit: int = HEAD_CARDS) -> ColumnPage:
    """Up to `limit` cards of a column, latest activity first, after `cursor`: one Query of `limit` + 1 items.

    The extra item only tells whether there is a next page, so a "load more" never comes back empty.
    """
    start = _decode_cursor(cursor, column) if cursor else None
    return _page_of(column, _top_cards(column, limit + 1, start), limit)


def column_cards(column: Column, limit: int = FILTERED_READ_LIMIT) -> list[DealCard]:
    """The column's cards, latest activity first, up to `limit`: its index partition, read by Query (to be filtered,
    see crm.services.board)."""
    return _top_cards(column, limit)


def totals_of(cards: list[DealCard]) -> ColumnTotals:
    """The header of a column holding only these cards (a filtered one), in the form of the kept counters'."""
    minor: dict[str, int] = {}
    for card in cards:
        if card.amount is not None and card.currency is not None:
            units = int(Decimal(card.amount).scaleb(CURRENCY_MINOR_UNITS[card.currency]))
            minor[card.currency] = minor.get(card.currency, 0) + units
    return ColumnTotals(len(cards), {currency: str(Decimal(total).scaleb(-CURRENCY_MINOR_UNITS[currency]))
                                     for currency, total in sorted(minor.items()) if total})


def page_of_cards(column: Column, cards: list[DealCard], cursor: str | None, limit: int) -> ColumnPage:
    """A page of `cards` (some of the column's, in its order) after `cursor`, with the cursor of the next page: the
    same cursors as the column's unfiltered pages."""
    if cursor:
        sort_key = column.index_keys[1]
        after = _decode_cursor(cursor, column)[sort_key]["S"]
        cards = [card for card in cards if _index_keys(column, card)[sort_key] < after]
    return _page_of(column, cards[:limit + 1], limit)


def _top_cards(column: Column, count: int, start: dict[str, dict[str, str]] | None = None) -> list[DealCard]:
    index = DealItem.state_index if column.owner_id is None else DealItem.owner_index
    found = index.query(column.partition, scan_index_forward=False, limit=count, last_evaluated_key=start)
    return [DealCard.of(deal) for deal in islice(found, count)]  # type: ignore[arg-type]  # the column holds deals


def _page_of(column: Column, cards: list[DealCard], limit: int) -> ColumnPage:
    """The first `limit` of `cards` (the column's, in order, one more than a page when there is a next page)."""
    if len(cards) <= limit:
        return ColumnPage(cards, None)
    return ColumnPage(cards[:limit], _cursor_after(column, cards[limit - 1]))


# --- the head --------------------------------------------------------------------------------------------------

def _state(item: dict[str, Any], now: float) -> ColumnState:
    written_at = float(item["written_at"]["N"]) if "written_at" in item else 0.0
    head = None
    if "head" in item and now - float(item["head_read_at"]["N"]) < HEAD_MAX_AGE_SECONDS:
        head = _unpack(item["head"]["B"])
    return ColumnState(_totals(item), head, int(item["writes"]["N"]) if "writes" in item else None, written_at)


def _totals(item: dict[str, Any]) -> ColumnTotals:
    amounts = {}
    for name, value in sorted(item.items()):
        if name.startswith(AMOUNT_PREFIX) and int(value["N"]):
            currency = name.removeprefix(AMOUNT_PREFIX)
            amounts[currency] = str(Decimal(value["N"]).scaleb(-CURRENCY_MINOR_UNITS[currency]))
    return ColumnTotals(count=int(item["count"]["N"]) if "count" in item else 0, amounts=amounts)


def _pack(cards: list[DealCard]) -> bytes:
    return zlib.compress(json.dumps({"fields": CARD_FIELDS, "cards": [astuple(card) for card in cards]},
                                    separators=(",", ":")).encode())


def _unpack(packed: bytes) -> tuple[DealCard, ...] | None:
    """The cards of a head; None for a head kept by a version that showed other fields (read again)."""
    head = json.loads(zlib.decompress(packed))
    if tuple(head["fields"]) != CARD_FIELDS:
        return None
    return tuple(DealCard(*card) for card in head["cards"])


def _keep_head(column: Column, cards: list[DealCard], writes: int | None) -> None:
    """Keeps `cards` as the column's head unless a deal of the column was written since it was read."""
    connection = CrmItem._get_connection()
    unchanged = "attribute_not_exists(writes)" if writes is None else "writes = :writes"
    values: dict[str, dict[str, str | bytes]] = {
        ":head": {"B": _pack(cards)}, ":now": {"N": repr(time.time())}, ":kind": {"S": "BoardCount"}}
    if writes is not None:
        values[":writes"] = {"N": str(writes)}
    try:
        connection.connection.client.update_item(
            TableName=connection.table_name, Key=column.key, ConditionExpression=unchanged,
            UpdateExpression="SET head = :head, head_read_at = :now, kind = :kind", ExpressionAttributeValues=values)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise


# --- cursors ---------------------------------------------------------------------------------------------------

def _cursor_after(column: Column, card: DealCard) -> str:
    """Where the next page starts: the key of the index item of `card`, the last card shown."""
    pk, sk = DealItem.key(card.deal_id)
    index_keys = _index_keys(column, card)
    key = {"PK": pk, "SK": sk, **{name: index_keys[name] for name in column.index_keys}}
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def _index_keys(column: Column, card: DealCard) -> dict[str, str]:
    return DealItem.board_keys(pipeline_id=column.pipeline_id, stage_id=column.stage_id, owner_id=card.owner_id,
                               last_activity_at=card.last_activity_at, deal_id=card.deal_id)


def _decode_cursor(cursor: str, column: Column) -> dict[str, dict[str, str]]:
    """The ExclusiveStartKey a cursor stands for; refused unless it was made for this very column."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        key = None
    names = {"PK", "SK", *column.index_keys}
    if not isinstance(key, dict) or set(key) != names or not all(isinstance(value, str) for value in key.values()) \
            or key[column.index_keys[0]] != column.partition:
        raise PipelineRuleError("cursor", Reason("cursor_unknown"))
    return {name: {"S": value} for name, value in key.items()}
