"""Deal robots (D5): which deals are stuck too long in their stage, and the daily nudge to their reps.

Stuck deals are found through the stage clocks (crm.data.board): one Query per open stage with a limit, never
a Scan. The daily nudge tells each rep once, by one email listing their stuck deals and one in-app notice per
deal, both asking them to move the deal on or lower its priority.

Idempotent per day: a deal is claimed for a nudge by a conditional write of `nudged_on` on its clock (only if
it was never nudged in this stage or RENUDGE_AFTER_DAYS ago, crm.domain.robots), in the transaction that
writes its notice. A rerun the same day claims nothing, so it sends nothing. The email goes after the claims:
if sending fails, the notices stand and the deals come up again after the re-nudge interval (at most once,
never twice).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from crm.clock import to_iso, utcnow
from crm.data import config
from crm.data.accounts import DealItem
from crm.data.board import StageClockItem, stalled_clocks
from crm.data.notices import NoticeItem
from crm.data.people import UserItem, get_user
from crm.data.transactions import condition_failed, write_transaction
from crm.domain.pipelines import Pipeline, Stage
from crm.domain.robots import (
    SUGGESTED_ACTION,
    days_in_stage,
    due_for_nudge,
    last_nudge_allowing_another,
    stalled_before,
)
from crm.links import record_url, site_url
from crm.observability import logger
from crm.services.actors import ensure_owner
from crm.services.board import get_pipeline

STALLED_NOTICE = "stalled_deal"
STALLED_EMAIL = "stalled_deals_for_rep"


@dataclass(frozen=True)
class Stalled:
    """A stuck deal: its clock (where and since when) and the stage's limit it is over."""

    pipeline_id: str
    stage: Stage
    clock: StageClockItem


def _stalled(pipeline_id: str, pipeline: Pipeline, now: datetime, owner_id: str | None = None) -> list[Stalled]:
    """Every deal over its stage's limit: one Query per board stage that has a limit."""
    return [Stalled(pipeline_id, stage, clock)
            for stage in pipeline.board_stages if stage.is_open and stage.max_days_in_stage
            for clock in stalled_clocks(pipeline_id, stage.id, stalled_before(now, stage.max_days_in_stage),
                                        owner_id)]


def _deals(found: list[Stalled]) -> dict[str, DealItem]:
    """The stuck deals themselves (title, account, money): one BatchGet."""
    keys = [DealItem.key(item.clock.deal_id) for item in found]
    return {deal.deal_id: deal for deal in DealItem.batch_get(keys)} if keys else {}


def _row(item: Stalled, deal: DealItem, owner_name: str | None, now: datetime) -> dict[str, Any]:
    return {"deal_id": deal.deal_id, "title": deal.title, "account_name": deal.account_name,
            "amount": deal.amount, "currency": deal.currency, "owner_id": item.clock.owner_id,
            "owner_name": owner_name, "pipeline_id": item.pipeline_id, "stage_id": item.stage.id,
            "stage_name": item.stage.name, "stage_entered_at": item.clock.stage_entered_at,
            "days_in_stage": days_in_stage(item.clock.stage_entered_at, now),
            "max_days_in_stage": item.stage.max_days_in_stage, "suggested_action": SUGGESTED_ACTION}


def stalled_deals(pipeline_id: str, viewer: UserItem, owner: str | None = None,
                  now: datetime | None = None) -> dict[str, Any]:
    """The pipeline's stuck deals, longest over their limit first: a rep's own (asking for another rep's is a
    403, as on the board); a manager's or admin's everyone's, or one `owner`'s."""
    if owner is not None:
        ensure_owner(viewer, owner)
    owner_id = viewer.user_id if viewer.role == "rep" else owner
    at = now or utcnow()
    found = _stalled(pipeline_id, get_pipeline(pipeline_id), at, owner_id)
    deals = _deals(found)
    names = {user.user_id: user.name for user in UserItem.batch_get(
        [(f"USER#{owner_id}", "USER") for owner_id in sorted({item.clock.owner_id for item in found})])}
    rows = [_row(item, deals[item.clock.deal_id], names.get(item.clock.owner_id), at)
            for item in found if item.clock.deal_id in deals]
    rows.sort(key=lambda row: (row["max_days_in_stage"] - row["days_in_stage"], row["stage_entered_at"]))
    return {"pipeline_id": pipeline_id, "deals": rows}


# --- the daily nudge -------------------------------------------------------------------------------------------

def nudge_stalled_deals(now: datetime) -> dict[str, Any]:
    """Tell every rep about their stuck deals that are due for a nudge; returns what was done."""
    today = now.date()
    due = [item for pipeline_id, pipeline in config.pipelines().items()
           for item in _stalled(pipeline_id, pipeline, now) if due_for_nudge(item.clock.nudged_on, today)]
    deals = _deals(due)
    by_owner: dict[str, list[Stalled]] = defaultdict(list)
    for item in due:
        if item.clock.deal_id in deals:
            by_owner[item.clock.owner_id].append(item)
    emailed, nudged = [], 0
    for owner_id, items in sorted(by_owner.items()):
        owner = get_user(owner_id)
        if owner is None or not owner.active:
            logger.warning("stalled deals of an inactive user: nobody to nudge", extra={"owner_id": owner_id})
            continue
        rows = [_row(item, deals[item.clock.deal_id], owner.name, now) for item in items
                if _claim(item, deals[item.clock.deal_id], now)]
        if not rows:
            continue
        nudged += len(rows)
        try:
            _email(owner, rows)
            emailed.append(owner_id)
        except Exception:
            logger.exception("the stalled-deals email failed; the rep has the in-app notices",
                             extra={"owner_id": owner_id, "deals": len(rows)})
    return {"deals_nudged": nudged, "reps_emailed": emailed}


def _claim(item: Stalled, deal: DealItem, now: datetime) -> bool:
    """Mark the deal nudged today and leave its notice, in one transaction, unless a run already did (or the
    deal moved on or changed hands meanwhile): True if this run nudges it."""
    clock, at = item.clock, to_iso(now)
    notice = NoticeItem.build(
        user_id=clock.owner_id, name=f"stalled-{clock.deal_id}", notice_type=STALLED_NOTICE, at=at,
        data={"deal_id": clock.deal_id, "title": deal.title, "account_name": deal.account_name,
              "pipeline_id": item.pipeline_id, "stage_id": item.stage.id,
              "stage_name": item.stage.name, "days_in_stage": days_in_stage(clock.stage_entered_at, now),
              "max_days_in_stage": item.stage.max_days_in_stage, "suggested_action": SUGGESTED_ACTION})
    unclaimed = StageClockItem.nudged_on.does_not_exist() | (
        StageClockItem.nudged_on <= last_nudge_allowing_another(now.date()))

    def write(transaction: TransactWrite) -> None:
        transaction.update(clock, actions=[StageClockItem.nudged_on.set(now.date().isoformat())],
                           condition=StageClockItem.PK.exists() & (StageClockItem.owner_id == clock.owner_id)
                           & unclaimed)
        transaction.save(notice)

    try:
        write_transaction(write)
    except TransactWriteError as error:
        if not condition_failed(error):
            raise
        return False
    return True


def _email(owner: UserItem, rows: list[dict[str, Any]]) -> None:
    from crm.services.notify import email_user

    deals = [{**row, "url": record_url("deal", row["deal_id"])} for row in rows]
    email_user(owner, STALLED_EMAIL, {"rep": {"name": owner.name}, "deals": deals, "count": len(deals),
                                      "stalled_url": site_url("stalled.html")})
