"""Deals on the board, written fast: for tests and benchmarks that need a full board (10,000 deals in seconds)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crm.data.accounts import DealItem

BASE_TIME = datetime(2030, 1, 1, tzinfo=UTC)
_CHUNK = 500  # deals per writer thread; each writes BatchWriteItem requests of 25


def seed_deals(n: int, owners: Sequence[str], pipeline_id: str = "sales", *, stages: Sequence[str] | None = None,
               currency: str = "EUR", start: datetime = BASE_TIME) -> list[DealItem]:
    """`n` deals spread evenly over `owners` and `stages` (default: the pipeline's board stages) and their column
    counters; each deal a minute of activity after the previous one, amounts 1000.00, 1001.00 ... in `currency`.

    Deals go in by BatchWriteItem from a few threads, the counters by one ADD per counter item, so the result is
    what as many `create_deal` calls would leave (counters included) at a fraction of the cost.
    """
    from crm.clock import to_iso
    from crm.data.accounts import DealItem
    from crm.data.board import CounterChange, Placement, add_to_counters, counter_pk, counter_sort_key
    from crm.services.board import get_pipeline

    stage_ids = list(stages or (stage.id for stage in get_pipeline(pipeline_id).board_stages))
    deals = []
    for number in range(n):
        # owners turn fastest, so every column holds every owner's deals
        owner, stage_id = owners[number % len(owners)], stage_ids[number // len(owners) % len(stage_ids)]
        at = to_iso(start + timedelta(minutes=number))
        deal = DealItem.build(title=f"Deal {number}", owner_id=owner, pipeline_id=pipeline_id, stage_id=stage_id,
                              created_at=at, account_name=f"Account {number}", amount=f"{1000 + number}.00",
                              currency=currency)
        deal.version = 1  # as a first save would set it (a batch write does not)
        deals.append(deal)

    def write(chunk: list[DealItem]) -> None:
        with DealItem.batch_write() as batch:
            for deal in chunk:
                batch.save(deal)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, [deals[index:index + _CHUNK] for index in range(0, len(deals), _CHUNK)]))

    counters: dict[tuple[str, str], CounterChange] = defaultdict(CounterChange)
    for deal in deals:
        for owner in (None, deal.owner_id):
            counters[counter_pk(pipeline_id), counter_sort_key(deal.stage_id, owner)].add(1, Placement.of(deal))
    add_to_counters(counters)
    return deals
