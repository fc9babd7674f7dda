"""The kanban board (D1-D4): pipelines, their columns of deal cards, and the writes that move deals along.

Every read is by key: a board opens with one read of its column items, which hold each column's header and its
first cards (crm.data.board_columns); a further page is one Query with a Limit on an index. So a board opens as
fast with 10,000 deals as with ten. Every write that changes a deal's card writes the deal (on its version), its
column items (counters, heads dropped), its stage clock, its line on its account and its timeline event in one
transaction; entering a stage also writes the tasks of the stage's entry actions (D5) in it.

A filtered board (text, type, stalled, overdue, expected close: crm.domain.deal_cards.BoardFilter) reads each
column's index partition instead, up to FILTERED_READ_LIMIT cards, and counts and pages the matches itself.

Roles (D3): a rep sees and changes only their own deals (another rep's deal is "not found"), a manager sees
every deal, filters by owner and reassigns, an admin also edits the pipelines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from crm.cache import ttl_cached
from crm.clock import from_iso, to_iso, utcnow
from crm.data import config, search
from crm.data.accounts import AccountMemberItem, CompanyAccount, DealItem
from crm.data.board import Placement, StageClock, counter_changes, update_clock, update_counters
from crm.data.board_columns import (
    CARD_FIELDS,
    Column,
    ColumnPage,
    ColumnTotals,
    DealCard,
    column_cards,
    column_page,
    column_totals,
    first_page,
    page_of_cards,
    read_columns,
    totals_of,
)
from crm.data.leads import TimelineEventItem, timeline
from crm.data.people import UserItem, get_user, user_names
from crm.data.readers import read_each
from crm.data.tasks import TaskItem
from crm.data.transactions import condition_failed, write_transaction
from crm.domain.deal_cards import BoardFilter, weighted_amount
from crm.domain.pipelines import SLUG, Pipeline, PipelineRuleError, Stage
from crm.domain.robots import entry_tasks
from crm.errors import ConflictError, ForbiddenError, NotFoundError
from crm.models.board import EDITABLE, DealCreate, DealUpdate
from crm.observability import count
from crm.reasons import Reason
from crm.services.actors import ensure_owner, visible_item

MAX_PAGE = 100
TIMELINE_LIMIT = 50
_ATTEMPTS = 3  # a reassignment re-reads a deal changed meanwhile (it carries no version from the client)
_PLACEMENT = frozenset(field.name for field in fields(Placement))

# every refusal by the board's rules (a move, a create, a pipeline change, a cursor) is a 422 naming the field
InvalidMoveError = PipelineRuleError


class PipelineNotFoundError(NotFoundError):
    """404: no such pipeline, or no such stage in it."""


class DealNotFoundError(NotFoundError):
    """404: no such deal, or a rep asking for another rep's deal (which they may not know exists)."""


class StaleDealError(ConflictError):
    """409: the deal changed since the client read it; `card` is the deal as it is now."""

    def __init__(self, card: dict[str, Any]) -> None:
        super().__init__(Reason("deal_changed"), {"deal": card})
        self.card = card


# --- pipelines -------------------------------------------------------------------------------------------------

def list_pipelines() -> list[dict]:
    return [_pipeline_view(pipeline_id, pipeline) for pipeline_id, pipeline in config.pipelines().items()]


@ttl_cached(seconds=30)
def _pipeline(pipeline_id: str) -> Pipeline | None:
    """Read on every board load: kept 30 s per process; a save here forgets it at once."""
    return config.pipeline(pipeline_id)


def get_pipeline(pipeline_id: str) -> Pipeline:
    found = _pipeline(pipeline_id)
    if found is None:
        raise PipelineNotFoundError(f"no pipeline {pipeline_id!r}")
    return found


def save_pipeline(pipeline_id: str, pipeline: Pipeline, actor: UserItem, now: datetime) -> dict:
    """Admins only. Stages may be added, renamed, reordered and archived (their deals leave the board), never
    removed: deals and counters name them."""
    if actor.role != "admin":
        raise ForbiddenError(f"{actor.user_id} is a {actor.role}; only an admin edits pipelines")
    if not re.fullmatch(SLUG, pipeline_id):
        raise InvalidMoveError("pipeline_id", "must be lowercase letters, digits, - or _")
    previous = config.pipeline(pipeline_id)
    if previous is not None:
        pipeline.ensure_replaces(previous)
    config.save_pipeline(pipeline_id, pipeline, actor.user_id, to_iso(now))
    _pipeline.forget()
    return _pipeline_view(pipeline_id, pipeline)


def _pipeline_view(pipeline_id: str, pipeline: Pipeline) -> dict:
    return {"id": pipeline_id, **pipeline.model_dump(mode="json")}


# --- the board -------------------------------------------------------------------------------------------------

def board(pipeline_id: str, viewer: UserItem, owner: str | None = None, limit: int = 25,
          now: datetime | None = None, filters: BoardFilter | None = None) -> dict:
    """The pipeline and the first page of each of its columns: one read of the column items, whose heads hold the
    first cards; the columns without one are read from their index concurrently. Filtered, each column is read
    from its index (concurrently) and holds the matches only."""
    owner_id = _column_owner(viewer, owner)
    _check_limit(limit)
    pipeline = get_pipeline(pipeline_id)
    stages = pipeline.board_stages
    at = now or utcnow()
    if filters is not None and filters.active:
        shown = read_each(lambda stage: _filtered(Column(pipeline_id, stage.id, owner_id), stage, filters, None,
                                                  limit, at), stages)
    else:
        states = read_columns(pipeline_id, [stage.id for stage in stages], owner_id)
        shown = read_each(lambda stage: (first_page(Column(pipeline_id, stage.id, owner_id), states[stage.id],
                                                    limit), states[stage.id].totals), stages)
    names = _owner_names(card for page, _ in shown for card in page.cards)
    return {"pipeline": _pipeline_view(pipeline_id, pipeline),
            "columns": [_column_view(stage, page, totals, names, at)
                        for stage, (page, totals) in zip(stages, shown, strict=True)]}


def column(pipeline_id: str, stage_id: str, viewer: UserItem, owner: str | None = None, cursor: str | None = None,
           limit: int = 25, now: datetime | None = None, filters: BoardFilter | None = None) -> dict:
    """One page of one column (the board's "load more"): the cards after `cursor`, and the column's totals (of the
    matches, when filtered)."""
    owner_id = _column_owner(viewer, owner)
    _check_limit(limit)
    stage = get_pipeline(pipeline_id).stage(stage_id)
    if stage is None:
        raise PipelineNotFoundError(f"no stage {stage_id!r} in pipeline {pipeline_id!r}")
    at = now or utcnow()
    if filters is not None and filters.active:
        page, totals = _filtered(Column(pipeline_id, stage_id, owner_id), stage, filters, cursor, limit, at)
    else:
        page = column_page(Column(pipeline_id, stage_id, owner_id), cursor, limit)
        totals = column_totals(pipeline_id, stage_id, owner_id)
    return _column_view(stage, page, totals, _owner_names(page.cards), at)


def _filtered(column: Column, stage: Stage, filters: BoardFilter, cursor: str | None, limit: int,
              now: datetime) -> tuple[ColumnPage, ColumnTotals]:
    """A page of the column's cards that pass `filters`, and the header of those cards."""
    matches = [card for card in column_cards(column) if filters.keeps(card, stage.max_days_in_stage, now)]
    return page_of_cards(column, matches, cursor, limit), totals_of(matches)


def _column_owner(viewer: UserItem, owner: str | None) -> str | None:
    """Whose deals a column shows: a rep always their own; a manager or admin everyone's, or `owner`'s."""
    if owner is not None:
        ensure_owner(viewer, owner)
    return viewer.user_id if viewer.role == "rep" else owner


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidMoveError("limit", f"must be between 1 and {MAX_PAGE}")


def _column_view(stage: Stage, page: ColumnPage, totals: ColumnTotals, names: dict[str, str], now: datetime) -> dict:
    return {"stage_id": stage.id, "count": totals.count, "amounts": totals.amounts,
            "cards": [_card(card, names.get(card.owner_id), now, stage) for card in page.cards],
            "next_cursor": page.next_cursor}


def _owner_names(cards: Iterable[DealCard]) -> dict[str, str]:
    return user_names(card.owner_id for card in cards)


def _card_of(deal: DealItem, now: datetime) -> dict:
    card = DealCard.of(deal)
    stage = get_pipeline(deal.pipeline_id).stage(deal.stage_id)
    return _card(card, _owner_names([card]).get(deal.owner_id), now, stage)


def _card(card: DealCard, owner_name: str | None, now: datetime, stage: Stage | None) -> dict:
    """The card as the API shows it: its fields, its owner's name, its days in its `stage` and, by the stage's
    probability, its weighted amount."""
    probability = stage.probability if stage is not None else None
    return {**{name: getattr(card, name) for name in CARD_FIELDS}, "owner_name": owner_name,
            "days_in_stage": max(0, (now - from_iso(card.stage_entered_at)).days), "probability": probability,
            "weighted_amount": weighted_amount(card.amount, card.currency, probability)}


# --- entering a stage (D5) -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StageEntry:
    """What a deal entering a stage writes besides itself, in the deal's transaction: its stage clock (open stages
    only) and the tasks of the stage's entry actions, owned by the deal's owner. The tasks go on the deal's
    timeline in the event of the entry itself (`timeline_data`): one happening, one event."""

    clock: StageClock | None
    tasks: tuple[TaskItem, ...]

    @property
    def timeline_data(self) -> dict[str, Any]:
        """What the deal_created or stage_changed event says about the tasks it made (nothing when none)."""
        if not self.tasks:
            return {}
        return {"tasks": [{"task_id": task.task_id, "title": task.title, "due_at": task.due_at,
                           "owner_id": task.owner_id} for task in self.tasks]}

    def next_task_due_at(self, current: str | None) -> str | None:
        """The deal's next task due time once these tasks exist."""
        return min((due for due in (current, *(task.due_at for task in self.tasks)) if due), default=None)

    def write(self, transaction: TransactWrite, clock_before: StageClock | None = None) -> None:
        update_clock(transaction, clock_before, self.clock)
        for task in self.tasks:
            # the id is made from the deal, the stage and the entry time: a retried write cannot add it twice
            transaction.save(task, condition=TaskItem.PK.does_not_exist())


def stage_entry(pipeline: Pipeline, clock: StageClock) -> StageEntry:
    """What the deal entering `clock.stage_id` at `clock.stage_entered_at` writes besides itself."""
    stage = pipeline.stage(clock.stage_id)
    if stage is None:
        return StageEntry(None, ())
    at, owner = clock.stage_entered_at, clock.owner_id
    tasks = tuple(TaskItem(*TaskItem.key(planned.task_id), task_id=planned.task_id, title=planned.title,
                           owner_id=owner, due_at=planned.due_at, related_type="deal", related_id=clock.deal_id,
                           created_at=at, **TaskItem.open_keys(owner, planned.due_at))
                  for planned in entry_tasks(stage, clock.deal_id, at))
    return StageEntry(clock if stage.is_open else None, tasks)


def _clock_of(pipeline: Pipeline, deal: DealItem) -> StageClock | None:
    """The deal's clock as it stands: deals in a won or lost stage have none."""
    stage = pipeline.stage(deal.stage_id)
    return StageClock.of(deal) if stage is not None and stage.is_open else None


# --- deals -----------------------------------------------------------------------------------------------------

def create_deal(request: DealCreate, actor: UserItem, now: datetime) -> dict:
    """Quick-create: a rep's own deal, or a manager's for any active user; Unsorted unless a stage is named.

    A deal named with a company belongs to that company's account, made with the deal (owned by the deal's owner)
    if the company is new; a company created by someone else at that moment is found on the next attempt.
    """
    owner = _new_owner(actor, request.owner_id or actor.user_id)
    pipeline = config.pipeline(request.pipeline_id)
    if pipeline is None:
        raise InvalidMoveError("pipeline_id", f"there is no pipeline {request.pipeline_id!r}")
    pipeline.ensure_can_enter(request.stage_id, request.lost_reason)
    at = to_iso(now)
    for attempt in range(_ATTEMPTS):
        account = CompanyAccount.named(request.account_name, owner_id=owner.user_id, created_at=at) \
            if request.account_name else None
        deal = DealItem.build(title=request.title, owner_id=owner.user_id, pipeline_id=request.pipeline_id,
                              stage_id=request.stage_id, created_at=at, account_name=request.account_name,
                              account_id=account.account_id if account else None,
                              amount=None if request.amount is None else str(request.amount),
                              currency=request.currency, lost_reason=request.lost_reason,
                              expected_close_date=_date_text(request.expected_close_date),
                              deal_type=request.deal_type)
        try:
            write_transaction(new_deal_writes(deal, account, pipeline, actor.user_id))
            break
        except TransactWriteError as error:
            if attempt == _ATTEMPTS - 1 or not condition_failed(error):
                raise
    count("DealCreated")
    return _card(DealCard.of(deal), owner.name, now, pipeline.stage(deal.stage_id))


def _date_text(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def new_deal_writes(deal: DealItem, account: CompanyAccount | None, pipeline: Pipeline,
                    by: str) -> Callable[[TransactWrite], None]:
    """The deal, its new account if any, its membership of its account, its counters, its creation on its
    timeline and what entering its stage brings, for one transaction."""
    entry = stage_entry(pipeline, StageClock.of(deal))
    deal.next_task_due_at = entry.next_task_due_at(None)
    event = TimelineEventItem.build(deal.PK, "deal_created", deal.created_at, {
        "by": by, "owner_id": deal.owner_id, "stage_id": deal.stage_id, **entry.timeline_data})
    member = AccountMemberItem.of_deal(deal)

    def write(transaction: TransactWrite) -> None:
        if account is not None:
            account.write(transaction)
        transaction.save(deal)
        search.save_all(transaction, search.of_deal(deal))
        if member is not None:
            transaction.save(member)
        update_counters(transaction, counter_changes(None, Placement.of(deal)))
        transaction.save(event)
        entry.write(transaction)

    return write


def get_deal(deal_id: str, viewer: UserItem, now: datetime | None = None) -> dict:
    """The card with the rest of the deal and its latest timeline events, newest first."""
    from crm.services.call_view import with_calls

    deal = _visible_deal(deal_id, viewer)
    events = [{"id": event.SK.removeprefix("EVENT#"), "type": event.event_type, "at": event.at, "data": event.data}
              for event in timeline(deal.PK, TIMELINE_LIMIT)]
    return {**_card_of(deal, now or utcnow()),
            "pipeline_id": deal.pipeline_id, "account_id": deal.account_id, "contact_id": deal.contact_id,
            "lead_id": deal.lead_id, "lost_reason": deal.lost_reason, "created_at": deal.created_at,
            "timeline": with_calls(events)}


def move_deal(deal_id: str, stage_id: str, version: int, viewer: UserItem, now: datetime,
              lost_reason: str | None = None) -> dict:
    """Move the deal as the client saw it (`version`); StaleDealError with the fresh card if it changed since.

    A move to the stage it is in changes nothing. The card goes to the top of its new column (the move is its
    latest activity), the stage change lands on the deal's timeline, and the new stage's entry actions run. A
    retried move carries the old version and is refused, so its tasks are never made twice.
    """
    deal = _visible_deal(deal_id, viewer)
    if deal.version != version:
        raise StaleDealError(_card_of(deal, now))
    pipeline = get_pipeline(deal.pipeline_id)
    pipeline.ensure_can_enter(stage_id, lost_reason)
    if stage_id != deal.stage_id:
        at = to_iso(now)
        entry = stage_entry(pipeline, replace(StageClock.of(deal), stage_id=stage_id, stage_entered_at=at))
        event = TimelineEventItem.build(deal.PK, "stage_changed", at, {
            "from": deal.stage_id, "to": stage_id, "by": viewer.user_id,
            **({"lost_reason": lost_reason} if lost_reason else {}), **entry.timeline_data})
        try:
            _write_change(deal, pipeline, {
                "stage_id": stage_id, "stage_entered_at": at, "last_activity_at": at, "lost_reason": lost_reason,
                "next_task_due_at": entry.next_task_due_at(deal.next_task_due_at)}, event, entry)
        except TransactWriteError as error:
            if not condition_failed(error):
                raise
            raise StaleDealError(_card_of(_visible_deal(deal_id, viewer), now)) from None
        _count_move(pipeline.stage(stage_id))
    return _card_of(deal, now)


def update_deal(deal_id: str, update: DealUpdate, viewer: UserItem, now: datetime) -> dict:
    """Change the deal's fields as the client saw it (`update.version`; StaleDealError with the fresh card if it
    changed since), for whoever may move it. New money changes its columns' totals, a new title what the deal is
    found by and its line on its account, all with the change on its timeline, in one transaction; nothing given
    that differs writes nothing."""
    deal = _visible_deal(deal_id, viewer)
    if deal.version != update.version:
        raise StaleDealError(_card_of(deal, now))
    changes = update.changes({name: getattr(deal, name) for name in EDITABLE})
    if changes:
        pipeline = get_pipeline(deal.pipeline_id)
        event = TimelineEventItem.build(deal.PK, "deal_updated", to_iso(now), {
            "by": viewer.user_id,
            "changes": {name: {"from": getattr(deal, name), "to": value} for name, value in changes.items()}})
        try:
            _write_change(deal, pipeline, changes, event, StageEntry(_clock_of(pipeline, deal), ()))
        except TransactWriteError as error:
            if not condition_failed(error):
                raise
            raise StaleDealError(_card_of(_visible_deal(deal_id, viewer), now)) from None
        count("DealUpdated")
    return _card_of(deal, now)


def _count_move(stage: Stage | None) -> None:
    """DealMoved for every move; DealWon and DealLost for the moves that close a deal."""
    count("DealMoved")
    if stage is not None and stage.kind in ("won", "lost"):
        count(f"Deal{stage.kind.title()}")


def reassign_deal(deal_id: str, owner_id: str, actor: UserItem, now: datetime) -> dict:
    """Managers and admins give a deal to another active user; its counters move from one owner to the other."""
    if actor.role not in ("manager", "admin"):
        raise ForbiddenError(f"{actor.user_id} is a {actor.role}; only managers and admins reassign deals")
    owner = _new_owner(actor, owner_id)
    for attempt in range(_ATTEMPTS):
        deal = _visible_deal(deal_id, actor)
        if deal.owner_id == owner.user_id:
            break
        event = TimelineEventItem.build(deal.PK, "owner_changed", to_iso(now),
                                        {"from": deal.owner_id, "to": owner.user_id, "by": actor.user_id})
        pipeline = get_pipeline(deal.pipeline_id)
        clock = _clock_of(pipeline, deal)
        entry = StageEntry(clock and replace(clock, owner_id=owner.user_id), ())
        try:
            _write_change(deal, pipeline, {"owner_id": owner.user_id}, event, entry)
            count("DealReassigned")
            break
        except TransactWriteError as error:
            if attempt == _ATTEMPTS - 1 or not condition_failed(error):
                raise
    return _card(DealCard.of(deal), owner.name, now, get_pipeline(deal.pipeline_id).stage(deal.stage_id))


def _visible_deal(deal_id: str, viewer: UserItem) -> DealItem:
    return visible_item(DealItem, DealItem.key(deal_id), viewer, DealNotFoundError(f"no deal {deal_id!r}"))


def _new_owner(actor: UserItem, owner_id: str) -> UserItem:
    """Who may own a deal the actor gives away: a rep only keeps their own, anyone else gives to an active user (an
    integration owns nothing: it names the owner)."""
    ensure_owner(actor, owner_id)
    if owner_id == actor.user_id and actor.is_integration:
        raise InvalidMoveError("owner_id", "is required: an integration names the deal's owner")
    if owner_id == actor.user_id:
        return actor
    owner = get_user(owner_id)
    if owner is None or not owner.active:
        raise InvalidMoveError("owner_id", f"{owner_id!r} is not an active user")
    return owner


def _write_change(deal: DealItem, pipeline: Pipeline, changes: dict[str, str | None], event: TimelineEventItem,
                  entry: StageEntry) -> None:
    """Write the changed deal on the version it was read at, its counters, its search items, its line on its
    account, its timeline event and what its (new) stage `entry` brings in one transaction, then apply the changes
    to `deal` (pynamodb has already counted its version up)."""
    clock_before = _clock_of(pipeline, deal)
    before = Placement.of(deal)
    after = replace(before, **{name: value for name, value in changes.items() if name in _PLACEMENT})
    changes = {**changes, **DealItem.board_keys(
        pipeline_id=after.pipeline_id, stage_id=after.stage_id, owner_id=after.owner_id, deal_id=deal.deal_id,
        last_activity_at=changes.get("last_activity_at") or deal.last_activity_at)}
    member = AccountMemberItem.of_deal(deal, **changes)

    def write(transaction: TransactWrite) -> None:
        # a new list each attempt: pynamodb appends the version increment to the one it is given
        transaction.update(deal, actions=[getattr(DealItem, name).set(value) for name, value in changes.items()])
        update_counters(transaction, counter_changes(before, after))
        if member is not None:
            transaction.save(member)  # put whole: a deal from before memberships joins its account now
        search.rewrite(transaction, search.of_deal(deal), search.of_deal(deal, **changes))
        transaction.save(event)
        entry.write(transaction, clock_before)

    write_transaction(write)
    for name, value in changes.items():
        setattr(deal, name, value)
