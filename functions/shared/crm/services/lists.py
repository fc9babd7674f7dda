"""Lists of leads, contacts, accounts and deals with filters (D3, L5, L8), read a page at a time (their CSV export
is a job that pages through them: crm/services/jobs_worker.py).

Every read is a Query on an index, never a Scan. A person's leads, contacts and accounts sit in GSI1 partitions
`OWNER#<id>#LEADS|CONTACTS|ACCOUNTS` (by creation); a deal sits in its stage column (GSI2) and its owner's stage
column (GSI1), by last activity. A list is the merge of a few such partitions, newest first: one per user for
"everyone's" leads (a small team has few users), one per stage for deals. The cursor remembers where each
partition stopped, so a page reads at most `limit` + 1 items of each partition; filters that are not keys
(cycle, status, source) are FilterExpressions on those Queries.

A text (`q`) turns the list around: the search index (crm.data.search) finds the records in the viewer's search
scope whose name, company, email or phone begins with it, one BatchGet reads them, and those the list's partitions
hold and its other filters keep are listed, newest first (at most MAX_MATCHES: a text is typed to find a few).

Roles (D3): a rep lists only their own records, and naming another owner is a 403; managers and admins list
everyone's, or one owner's.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from pynamodb.expressions.condition import Condition

from crm.data.accounts import (
    AccountItem,
    ContactItem,
    DealItem,
    account_names,
    owner_collection_pk,
    owner_column_pk,
    stage_column_pk,
)
from crm.data.leads import LeadItem, owner_leads_pk
from crm.data.people import UserItem, active_team, user_names
from crm.data.readers import read_each
from crm.data.search import matching
from crm.data.table import CrmItem
from crm.domain.pipelines import Pipeline
from crm.domain.search import Query
from crm.errors import InvalidError
from crm.models.lead_fields import LEAD_SOURCES, OTHER_SOURCE, fields_where, names, stored_value
from crm.models.lists import SINGULAR, ListFilters
from crm.reasons import Reason
from crm.services.actors import ensure_owner

MAX_PAGE = 100
MAX_MATCHES = 500  # records a text finds for a list at most, in term order

_EXPORTED = fields_where(export=True)  # the lead's declared fields a list shows, between its id and its process
# the columns of each list, in the order a table and a CSV file show them
COLUMNS: dict[str, tuple[str, ...]] = {
    "leads": ("id", *names(_EXPORTED), "owner_id", "owner_name", "cycle", "status", "temperature", "score",
              "created_at", "last_touch_at", "converted_at", "account_id", "contact_id"),
    "contacts": ("id", "name", "account_id", "account_name", "email", "phone", "role", "owner_id", "owner_name",
                 "created_at"),
    "accounts": ("id", "name", "industry", "company_size", "country", "owner_id", "owner_name", "created_at"),
    "deals": ("id", "title", "account_id", "account_name", "amount", "currency", "pipeline_id", "stage_id",
              "stage_name", "stage_kind", "owner_id", "owner_name", "created_at", "last_activity_at"),
}


@dataclass(frozen=True)
class Partition:
    """One index partition a list reads: `index` is "GSI1" (owner) or "GSI2" (state)."""

    model: type[CrmItem]
    index: str
    key: str

    def sort_key(self, item: CrmItem) -> str:
        return getattr(item, f"{self.index}SK")

    def position(self, item: CrmItem) -> dict[str, str]:
        """Where a Query resumes after `item`: its table and index keys."""
        names = ("PK", "SK", f"{self.index}PK", f"{self.index}SK")
        return {name: getattr(item, name) for name in names}

    def read(self, after: dict[str, str] | None, condition: Condition | None, count: int) -> list[CrmItem]:
        """Up to `count` items, newest first, after `after` (None: from the start)."""
        index = self.model.owner_index if self.index == "GSI1" else self.model.state_index
        start = {name: {"S": value} for name, value in after.items()} if after else None
        return list(index.query(self.key, filter_condition=condition, scan_index_forward=False, limit=count,
                                last_evaluated_key=start))


@dataclass(frozen=True)
class Selection:
    """What a list reads: its partitions, the non-key filter, and what rows need (the pipeline of deals); with a
    text, the search scope it is looked up in (an owner, or everyone's: None) and the non-key filter as a test."""

    kind: str
    partitions: tuple[Partition, ...]
    condition: Condition | None
    pipeline: Pipeline | None = None
    text: Query | None = None
    search_owner: str | None = None
    fits: Callable[[Any], bool] | None = None


# --- who and what --------------------------------------------------------------------------------------------

def owners_in_view(viewer: UserItem, owner: str | None) -> list[str] | None:
    """Whose records a list shows: a rep always their own (another owner: 403); a manager or admin one owner's, or
    everyone's (None)."""
    if owner is not None:
        ensure_owner(viewer, owner)
        return [owner]
    return [viewer.user_id] if viewer.role == "rep" else None


def _everyone() -> list[str]:
    return sorted(user.user_id for user in active_team())


_MODELS: dict[str, type[CrmItem]] = {"leads": LeadItem, "contacts": ContactItem, "accounts": AccountItem,
                                     "deals": DealItem}


def select(kind: str, filters: ListFilters, viewer: UserItem) -> Selection:
    owners = owners_in_view(viewer, filters.owner)
    if kind == "deals":
        selection = _deal_selection(filters, owners)
    else:
        partition_of = {
            "leads": owner_leads_pk,
            "contacts": lambda owner: owner_collection_pk(owner, "CONTACTS"),
            "accounts": lambda owner: owner_collection_pk(owner, "ACCOUNTS"),
        }[kind]
        partitions = tuple(Partition(_MODELS[kind], "GSI1", partition_of(owner)) for owner in owners or _everyone())
        selection = Selection(kind, partitions, _lead_condition(filters) if kind == "leads" else None)
    if filters.q is None:
        return selection
    return replace(selection, text=Query.of(filters.q), search_owner=owners[0] if owners else None,
                   fits=(lambda lead: _lead_fits(filters, lead)) if kind == "leads" else None)


def _lead_condition(filters: ListFilters) -> Condition:
    """Erased leads are tombstones, not people to work: never listed."""
    condition = LeadItem.erased_at.does_not_exist()
    if filters.cycle:
        condition &= LeadItem.cycle == filters.cycle
    if filters.status:
        condition &= LeadItem.status == filters.status
    if filters.source == OTHER_SOURCE:  # "other" is also every label the CRM does not name
        condition &= ~LeadItem.first_touch.source.is_in(*(source for source in LEAD_SOURCES if source != OTHER_SOURCE))
    elif filters.source:
        condition &= LeadItem.first_touch.source == filters.source
    return condition


def _lead_fits(filters: ListFilters, lead: LeadItem) -> bool:
    """_lead_condition as a test of a lead in hand (one a text found): the two keep the same leads."""
    if lead.erased_at is not None or filters.cycle not in (None, lead.cycle) \
            or filters.status not in (None, lead.status):
        return False
    source = lead.first_touch.source if lead.first_touch else None
    if filters.source == OTHER_SOURCE:
        return source not in {named for named in LEAD_SOURCES if named != OTHER_SOURCE}
    return filters.source in (None, source)


def _deal_selection(filters: ListFilters, owners: list[str] | None) -> Selection:
    """One partition per stage the filters keep: the owner's stage column, or the whole stage column."""
    from crm.services.board import get_pipeline

    pipeline = get_pipeline(filters.pipeline_id)
    if filters.stage is not None and pipeline.stage(filters.stage) is None:
        raise InvalidError("stage", Reason("stage_not_in_pipeline", stage_id=filters.stage,
                                                   pipeline_id=filters.pipeline_id))
    states = {"open": {"unsorted", "open"}, "won": {"won"}, "lost": {"lost"}}
    stages = [stage.id for stage in pipeline.stages
              if (filters.stage is None or stage.id == filters.stage)
              and (filters.state is None or stage.kind in states[filters.state])]
    if owners is None:
        partitions = [Partition(DealItem, "GSI2", stage_column_pk(filters.pipeline_id, stage)) for stage in stages]
    else:
        partitions = [Partition(DealItem, "GSI1", owner_column_pk(owner, filters.pipeline_id, stage))
                      for owner in owners for stage in stages]
    return Selection("deals", tuple(partitions), None, pipeline)


# --- pages ---------------------------------------------------------------------------------------------------

def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidError("limit", Reason("page_limit", maximum=MAX_PAGE))


def page(selection: Selection, cursor: str | None, limit: int) -> tuple[list[CrmItem], str | None]:
    """The next `limit` items of the merged partitions, newest first, and the cursor after them (None: no more).

    Each open partition is read for `limit` + 1 items after where it stopped; the merge takes the newest `limit`.
    A partition whose items were all taken and that had no more is left out of the next cursor.
    """
    _check_limit(limit)
    if selection.text is not None:
        return _text_page(selection, selection.text, cursor, limit)
    by_key = {partition.key: partition for partition in selection.partitions}
    positions = _decode_cursor(cursor, set(by_key)) if cursor else dict.fromkeys(by_key)
    if not positions:
        return [], None
    open_partitions = [by_key[key] for key in positions]
    reads = read_each(lambda part: part.read(positions[part.key], selection.condition, limit + 1), open_partitions)
    streams = [[(part.sort_key(item), index, item) for item in items]
               for index, (part, items) in enumerate(zip(open_partitions, reads, strict=True))]
    taken = list(heapq.merge(*streams, key=lambda entry: entry[0], reverse=True))[:limit]
    consumed = [0] * len(open_partitions)
    for _, index, item in taken:
        consumed[index] += 1
        positions[open_partitions[index].key] = open_partitions[index].position(item)
    still_open = {part.key: positions[part.key] for index, part in enumerate(open_partitions)
                  if consumed[index] < len(reads[index])}
    return [item for *_, item in taken], _encode_cursor(still_open) if still_open else None


def _found(selection: Selection, text: Query) -> list[tuple[tuple[str, str], CrmItem]]:
    """The records `text` finds that the list holds (one of its partitions, its non-key filter), newest first, each
    with its place in the list (sort key, PK). Search items only point at records: the records read decide."""
    singular = SINGULAR[selection.kind]
    ids: dict[str, None] = {}  # in term order, once each
    for item in matching(text, selection.search_owner, page_size=MAX_PAGE):
        if item.record_kind == singular:
            ids[item.record_id] = None
            if len(ids) >= MAX_MATCHES:
                break
    if not ids or not selection.partitions:
        return []
    model = _MODELS[selection.kind]
    index = selection.partitions[0].index  # a list reads one index
    keys = {part.key for part in selection.partitions}
    found = [((getattr(record, f"{index}SK") or "", record.PK), record)
             for record in model.batch_get([model.key(record_id) for record_id in ids])
             if getattr(record, f"{index}PK") in keys and (selection.fits is None or selection.fits(record))]
    return sorted(found, key=lambda entry: entry[0], reverse=True)


def _text_page(selection: Selection, text: Query, cursor: str | None, limit: int) -> tuple[list[CrmItem], str | None]:
    """The next `limit` records a text finds; the cursor is the last one's place, so a page never repeats or skips a
    record that stayed where it was."""
    after = _decode_after(cursor) if cursor else None
    rest = [(place, record) for place, record in _found(selection, text) if after is None or place < after]
    taken = rest[:limit]
    next_cursor = _encode_cursor({"after": list(taken[-1][0])}) if len(rest) > limit else None
    return [record for _, record in taken], next_cursor


def _encode_cursor(positions: dict[str, Any]) -> str:
    text = json.dumps(positions, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str) -> Any:
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def _decode_after(cursor: str) -> tuple[str, str]:
    """A text list's cursor: the place of the last record shown."""
    decoded = _decode(cursor)
    after = decoded.get("after") if isinstance(decoded, dict) else None
    if not (isinstance(after, list) and len(after) == 2 and all(isinstance(part, str) for part in after)):
        raise InvalidError("cursor", Reason("cursor_unknown"))
    return after[0], after[1]


def _decode_cursor(cursor: str, partitions: set[str]) -> dict[str, dict[str, str] | None]:
    """Where each partition stopped; refused unless every partition named is one this very list reads, so a cursor
    never opens a partition the viewer may not see."""
    positions = _decode(cursor)
    if not isinstance(positions, dict) or not set(positions) <= partitions or not all(
            position is None or (isinstance(position, dict) and all(isinstance(v, str) for v in position.values()))
            for position in positions.values()):
        raise InvalidError("cursor", Reason("cursor_unknown"))
    return positions


def records(selection: Selection) -> Iterator[CrmItem]:
    """Every item the selection holds, newest first, read a page at a time."""
    cursor: str | None = None
    while True:
        items, cursor = page(selection, cursor, MAX_PAGE)
        yield from items
        if cursor is None:
            return


# --- rows ----------------------------------------------------------------------------------------------------

def rows(selection: Selection, items: list[CrmItem]) -> list[dict[str, Any]]:
    """What a list shows of each item, with owner (and, for contacts, account) names read in one BatchGet each."""
    owners = user_names({item.owner_id for item in items})
    accounts = account_names({item.account_id for item in items}) if selection.kind == "contacts" else {}
    shape: Callable[[Any], dict[str, Any]] = {
        "leads": _lead_row, "contacts": lambda contact: _contact_row(contact, accounts), "accounts": _account_row,
        "deals": lambda deal: _deal_row(deal, selection.pipeline)}[selection.kind]
    return [{**shape(item), "owner_id": item.owner_id, "owner_name": owners.get(item.owner_id)} for item in items]



def _lead_row(lead: LeadItem) -> dict[str, Any]:
    return {"id": lead.lead_id, **{field.name: stored_value(lead, field) for field in _EXPORTED},
            "cycle": lead.cycle, "status": lead.status,
            "temperature": lead.temperature, "score": None if lead.score is None else int(lead.score),
            "created_at": lead.created_at, "last_touch_at": lead.last_touch_at, "converted_at": lead.converted_at,
            "account_id": lead.account_id, "contact_id": lead.contact_id}


def _contact_row(contact: ContactItem, accounts: dict[str, str]) -> dict[str, Any]:
    return {"id": contact.contact_id, "name": contact.name, "account_id": contact.account_id,
            "account_name": accounts.get(contact.account_id), "email": contact.email, "phone": contact.phone,
            "role": contact.role, "created_at": contact.created_at}


def _account_row(account: AccountItem) -> dict[str, Any]:
    return {"id": account.account_id, "name": account.name, "industry": account.industry,
            "company_size": account.company_size, "country": account.country, "created_at": account.created_at}


def _deal_row(deal: DealItem, pipeline: Pipeline | None) -> dict[str, Any]:
    stage = pipeline.stage(deal.stage_id) if pipeline else None
    return {"id": deal.deal_id, "title": deal.title, "account_id": deal.account_id,
            "account_name": deal.account_name, "amount": deal.amount, "currency": deal.currency,
            "pipeline_id": deal.pipeline_id, "stage_id": deal.stage_id, "stage_name": stage.name if stage else None,
            "stage_kind": stage.kind if stage else None, "created_at": deal.created_at,
            "last_activity_at": deal.last_activity_at}


# --- use cases -----------------------------------------------------------------------------------------------

def list_records(kind: str, filters: ListFilters, viewer: UserItem, cursor: str | None = None,
                 limit: int = 50) -> dict[str, Any]:
    """A page of a list: {"items": rows, "next_cursor"}; pass `next_cursor` back for the next page."""
    selection = select(kind, filters, viewer)
    items, next_cursor = page(selection, cursor, limit)
    return {"kind": kind, "filters": filters.given(), "items": rows(selection, items), "next_cursor": next_cursor}
