"""What a deal's card tells beyond its own fields, and which cards a board filter keeps (issue 12, the board).

Pure: the card's facts come in (crm.data.board_columns.DealCard has them), business time `now` comes from the
caller (crm.clock), and "today" is its date in UTC, the one calendar the board's dates share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal, Protocol, get_args

from crm.clock import from_iso
from crm.domain.search import bounded_query
from crm.errors import InvalidError
from crm.models.conversion import CURRENCY_MINOR_UNITS
from crm.reasons import Reason

DealType = Literal["new_business", "upsell", "renewal"]
DEAL_TYPES: tuple[str, ...] = get_args(DealType)
Closing = Literal["overdue", "this_month", "next_month", "this_quarter", "none"]
CLOSINGS: tuple[str, ...] = get_args(Closing)
_YES_NO = {"true": True, "false": False}


def weighted_amount(amount: str | None, currency: str | None, probability: int | None) -> str | None:
    """amount x probability / 100, rounded half up to the currency's minor unit, as exact decimal text (1234.57 EUR
    at 75 % is "925.93"); None without an amount, a currency or a probability."""
    if amount is None or currency is None or probability is None:
        return None
    unit = Decimal(1).scaleb(-CURRENCY_MINOR_UNITS[currency])
    return str((Decimal(amount) * probability / 100).quantize(unit, rounding=ROUND_HALF_UP))


class CardFacts(Protocol):
    """What a filter reads of a card."""

    title: str
    account_name: str | None
    deal_type: str | None
    expected_close_date: str | None
    stage_entered_at: str
    next_task_due_at: str | None


def _month_start(day: date, months_later: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months_later
    return date(index // 12, index % 12 + 1, 1)


def closing_window(closing: str, today: date) -> tuple[date | None, date | None]:
    """The expected close dates `closing` keeps, as [start, end) (None: open-ended); "none" is no date at all and
    has no window."""
    this_month = _month_start(today)
    if closing == "overdue":
        return None, today
    if closing == "this_month":
        return this_month, _month_start(today, 1)
    if closing == "next_month":
        return _month_start(today, 1), _month_start(today, 2)
    quarter = _month_start(today, -((today.month - 1) % 3))
    return quarter, _month_start(quarter, 3)


@dataclass(frozen=True)
class BoardFilter:
    """The board's filters beyond owner, all of them together (AND): text in the title or account, the deal type,
    stalled (longer in its stage than the stage allows), an overdue next task, and when the deal is expected to
    close."""

    q: str | None = None
    deal_type: str | None = None
    stalled: bool = False
    overdue: bool = False
    closing: str | None = None

    @classmethod
    def of_query(cls, q: str | None = None, deal_type: str | None = None, stalled: str | None = None,
                 overdue: str | None = None, closing: str | None = None) -> BoardFilter:
        """The filter of the query string (each parameter by its name: `type` for the deal type); a value it cannot
        mean is refused naming the parameter."""
        if deal_type is not None and deal_type not in DEAL_TYPES:
            raise InvalidError("type", Reason("one_of", choices=", ".join(DEAL_TYPES)))
        if closing is not None and closing not in CLOSINGS:
            raise InvalidError("closing", Reason("one_of", choices=", ".join(CLOSINGS)))
        flags = {}
        for name, text in (("stalled", stalled), ("overdue", overdue)):
            if text is not None and text.lower() not in _YES_NO:
                raise InvalidError(name, Reason("one_of", choices="true, false"))
            flags[name] = _YES_NO.get((text or "false").lower(), False)
        return cls(q=bounded_query("q", q).casefold() if q else None, deal_type=deal_type, closing=closing, **flags)

    @property
    def active(self) -> bool:
        return bool(self.q or self.deal_type or self.stalled or self.overdue or self.closing)

    def keeps(self, card: CardFacts, max_days_in_stage: int | None, now: datetime) -> bool:
        """Whether the card passes every filter; `max_days_in_stage` is its stage's limit (None: it never stalls)."""
        if self.q and self.q not in card.title.casefold() and self.q not in (card.account_name or "").casefold():
            return False
        if self.deal_type and card.deal_type != self.deal_type:
            return False
        if self.stalled and (max_days_in_stage is None
                             or from_iso(card.stage_entered_at) >= now - timedelta(days=max_days_in_stage)):
            return False
        if self.overdue and (card.next_task_due_at is None or from_iso(card.next_task_due_at) >= now):
            return False
        return self.closing is None or _closing_keeps(self.closing, card.expected_close_date,
                                                            now.astimezone(UTC).date())


def _closing_keeps(closing: str, expected_close_date: str | None, today: date) -> bool:
    if closing == "none" or expected_close_date is None:
        return (closing == "none") == (expected_close_date is None)
    start, end = closing_window(closing, today)
    day = date.fromisoformat(expected_close_date)
    return (start is None or start <= day) and (end is None or day < end)
