"""The board's column items (D2) and stage clocks (D5), kept in the transaction of every deal write.

Column counters are kept on write, never counted by reading deals: one item per stage of a pipeline and one per
stage and owner, PK `BOARD_COUNT#<pipeline>`, SK `<stage>` or `<stage>#OWNER#<owner>`. Each holds `count` and, per
currency, the total amount in minor units (`amount_EUR`: cents). The totals are top-level numbers so a first deal
in a new currency is one atomic ADD (ADD into a map needs the map to exist, and a transaction may touch an item
once); the reader turns them back into the `amounts` map of exact decimals. The same item holds the column's
head, its first cards, which every deal write drops and readers put back (crm.data.board_columns).

Stage clocks (D5) find stalled deals without a Scan: each deal in an open stage has one clock item, PK
`STAGE_CLOCK#<pipeline>#<stage>`, SK `<stage_entered_at>#<deal_id>`, and on GSI1 `OWNER#<owner>#STAGE_CLOCK#
<pipeline>#<stage>` with the same sort key. Sorted by entry time, "stuck longer than N days" is one Query with
SK < now - N days per stage (and owner). The clock is written, moved or deleted in the transaction that changes
the deal's stage or owner; a won or lost deal has none.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from pynamodb.attributes import BinaryAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.expressions.operand import Path, Value
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from crm.data.accounts import DealItem
from crm.data.table import CrmItem
from crm.models.conversion import CURRENCY_MINOR_UNITS

AMOUNT_PREFIX = "amount_"
_MINOR_UNITS = NumberAttribute()  # how an ADD of minor units is serialized


def counter_pk(pipeline_id: str) -> str:
    return f"BOARD_COUNT#{pipeline_id}"


def counter_sort_key(stage_id: str, owner_id: str | None = None) -> str:
    """The stage's counter, or with an owner the counter of that owner's deals in the stage."""
    return stage_id if owner_id is None else f"{stage_id}#OWNER#{owner_id}"


class BoardCountItem(CrmItem, discriminator="BoardCount"):
    """A column item: the column's counter, its `amount_<currency>` totals written and read by name (see the
    module), and its head, kept by readers (crm.data.board_columns)."""

    count = NumberAttribute(default=0)
    writes = NumberAttribute(null=True)  # deal writes to the column since heads exist
    written_at = NumberAttribute(null=True)  # epoch seconds of the last
    head = BinaryAttribute(null=True, legacy_encoding=False)
    head_read_at = NumberAttribute(null=True)


@dataclass(frozen=True)
class Placement:
    """What of a deal the counters count: its column, its owner and its money."""

    pipeline_id: str
    stage_id: str
    owner_id: str
    amount: str | None
    currency: str | None

    @classmethod
    def of(cls, deal: DealItem) -> Placement:
        return cls(deal.pipeline_id, deal.stage_id, deal.owner_id, deal.amount, deal.currency)

    def minor_units(self) -> dict[str, int]:
        if self.amount is None or self.currency is None:
            return {}
        return {self.currency: int(Decimal(self.amount).scaleb(CURRENCY_MINOR_UNITS[self.currency]))}


@dataclass
class CounterChange:
    count: int = 0
    amounts: dict[str, int] = field(default_factory=dict)  # currency -> minor units

    def add(self, sign: int, placement: Placement) -> None:
        self.count += sign
        for currency, minor in placement.minor_units().items():
            total = self.amounts.get(currency, 0) + sign * minor
            if total:
                self.amounts[currency] = total
            else:
                self.amounts.pop(currency, None)


CounterKey = tuple[str, str]


# --- stage clocks (D5) -----------------------------------------------------------------------------------------

def stage_clock_pk(pipeline_id: str, stage_id: str) -> str:
    return f"STAGE_CLOCK#{pipeline_id}#{stage_id}"


def owner_clock_pk(owner_id: str, pipeline_id: str, stage_id: str) -> str:
    return f"OWNER#{owner_id}#STAGE_CLOCK#{pipeline_id}#{stage_id}"


class StageClockItem(CrmItem, discriminator="StageClock"):
    """Since when a deal sits in its open stage; `nudged_on` is the day its rep was last told it is stuck."""

    deal_id = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    pipeline_id = UnicodeAttribute()
    stage_id = UnicodeAttribute()
    stage_entered_at = UnicodeAttribute()
    nudged_on = UnicodeAttribute(null=True)  # YYYY-MM-DD


@dataclass(frozen=True)
class StageClock:
    """Where a deal's clock item is: its key comes from the stage and the entry time, its GSI1 from the owner."""

    pipeline_id: str
    stage_id: str
    owner_id: str
    deal_id: str
    stage_entered_at: str

    @classmethod
    def of(cls, deal: DealItem) -> StageClock:
        return cls(deal.pipeline_id, deal.stage_id, deal.owner_id, deal.deal_id, deal.stage_entered_at)

    @property
    def key(self) -> tuple[str, str]:
        return stage_clock_pk(self.pipeline_id, self.stage_id), f"{self.stage_entered_at}#{self.deal_id}"

    def item(self) -> StageClockItem:
        sort_key = self.key[1]
        return StageClockItem(*self.key, deal_id=self.deal_id, owner_id=self.owner_id,
                              pipeline_id=self.pipeline_id, stage_id=self.stage_id,
                              stage_entered_at=self.stage_entered_at,
                              GSI1PK=owner_clock_pk(self.owner_id, self.pipeline_id, self.stage_id), GSI1SK=sort_key)


def update_clock(transaction: TransactWrite, before: StageClock | None, after: StageClock | None) -> None:
    """Move a deal's clock inside the transaction that writes the deal (None: the deal has no clock there).

    The clock is put whole, even when only the owner changed: a new owner has not been nudged about the deal
    yet, and a deal from before the clocks existed gets one on its next write.
    """
    if before == after:
        return
    if before is not None and (after is None or before.key != after.key):
        transaction.delete(before.item())
    if after is not None:
        transaction.save(after.item())


def stalled_clocks(pipeline_id: str, stage_id: str, entered_before: str, owner_id: str | None = None,
                   limit: int = 200) -> list[StageClockItem]:
    """The clocks of the stage's deals that entered it before `entered_before` (ISO), longest waiting first."""
    if owner_id is None:
        found = StageClockItem.query(stage_clock_pk(pipeline_id, stage_id), entered_before > StageClockItem.SK,
                                     limit=limit)
    else:
        found = StageClockItem.owner_index.query(owner_clock_pk(owner_id, pipeline_id, stage_id),
                                                 entered_before > StageClockItem.GSI1SK, limit=limit)
    return list(islice(found, limit))  # type: ignore[arg-type]  # the partition holds clocks only


def counter_changes(before: Placement | None, after: Placement | None) -> dict[CounterKey, CounterChange]:
    """The change of each column item when a deal goes from `before` to `after` (None: not on the board).

    Every column the deal leaves or enters is named, also when its counter stays (a reassignment within a stage
    leaves the stage's count alone but changes the card): the write drops the column's head (see
    crm.data.board_columns). Netted per item: a transaction may name an item only once.
    """
    changes: dict[CounterKey, CounterChange] = defaultdict(CounterChange)
    for sign, placement in ((-1, before), (1, after)):
        if placement is None:
            continue
        pk = counter_pk(placement.pipeline_id)
        for owner in (None, placement.owner_id):
            changes[pk, counter_sort_key(placement.stage_id, owner)].add(sign, placement)
    return dict(changes)


def _counter_actions(change: CounterChange) -> list[Action]:
    """The change added to the counter; the column's head dropped and the write counted and stamped (the wall
    clock: see crm.data.board_columns)."""
    return [BoardCountItem.kind.set(BoardCountItem), BoardCountItem.count.add(change.count),
            *(Path(AMOUNT_PREFIX + currency).add(Value(minor, _MINOR_UNITS))
              for currency, minor in change.amounts.items()),
            BoardCountItem.writes.add(1), BoardCountItem.written_at.set(time.time()), BoardCountItem.head.remove()]


def update_counters(transaction: TransactWrite, changes: dict[CounterKey, CounterChange]) -> None:
    """Apply the changes to the column items inside the transaction that writes the deal."""
    for key, change in changes.items():
        transaction.update(BoardCountItem(*key), actions=_counter_actions(change))


def add_to_counters(changes: dict[CounterKey, CounterChange]) -> None:
    """Apply the changes one column item at a time: for loading many deals at once, when no deal write goes with
    them."""
    for key, change in changes.items():
        BoardCountItem(*key).update(actions=_counter_actions(change))
