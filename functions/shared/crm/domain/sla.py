"""Speed to lead (L4): when first contact is due, optionally counting only business hours."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crm.reasons import invalid

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OFFICE_WEEK = "Mon-Fri 09:00-17:00"
"""The working week assumed where none is configured (an SLA that counts every minute still has a working day)."""
_SPEC = re.compile(r"^(?P<first>[a-z]{3})(?:-(?P<last>[a-z]{3}))?\s+(?P<open>\d{2}:\d{2})-(?P<close>\d{2}:\d{2})$")


@dataclass(frozen=True)
class BusinessHours:
    """Open weekdays (0 = Monday) and one daily window, in a time zone."""

    weekdays: frozenset[int]
    opens: time
    closes: time
    zone: ZoneInfo

    @classmethod
    def parse(cls, spec: str, zone_name: str) -> BusinessHours:
        """Read 'Mon-Fri 09:00-17:00' (or 'Sat 10:00-14:00')."""
        match = _SPEC.match(spec.strip().lower())
        if not match or match["first"] not in _DAYS or (match["last"] and match["last"] not in _DAYS):
            raise invalid("business_hours_format", spec=spec)
        first = _DAYS.index(match["first"])
        last = _DAYS.index(match["last"]) if match["last"] else first
        days = frozenset(range(first, last + 1)) if first <= last else frozenset([*range(first, 7), *range(last + 1)])
        opens, closes = time.fromisoformat(match["open"]), time.fromisoformat(match["close"])
        if opens >= closes:
            raise invalid("business_hours_order", spec=spec)
        return cls(days, opens, closes, ZoneInfo(zone_name))

    def _window(self, day: datetime) -> tuple[datetime, datetime]:
        return (datetime.combine(day.date(), self.opens, self.zone),
                datetime.combine(day.date(), self.closes, self.zone))

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The moment `duration` of open time has passed after `start`."""
        remaining = duration
        cursor = start.astimezone(self.zone)
        for _ in range(366 * 2):
            opens, closes = self._window(cursor)
            if cursor.weekday() in self.weekdays and cursor < closes:
                cursor = max(cursor, opens)
                available = closes - cursor
                if remaining <= available:
                    return (cursor + remaining).astimezone(UTC)
                remaining -= available
            cursor = datetime.combine(cursor.date() + timedelta(days=1), time(0), self.zone)
        raise ValueError("business hours never open")

    def next_day_closes(self, start: datetime) -> datetime:
        """When the first business day that opens after `start` closes: a whole working day to act in."""
        local = start.astimezone(self.zone)
        for offset in range(8):
            opens, closes = self._window(datetime.combine(local.date() + timedelta(days=offset), time(0), self.zone))
            if opens.weekday() in self.weekdays and opens > local:
                return closes.astimezone(UTC)
        raise ValueError("business hours never open")


def first_contact_due(received_at: datetime, minutes: int, hours: BusinessHours | None) -> datetime:
    """The deadline for the first call or email; 20 minutes after a lead arrives by default."""
    duration = timedelta(minutes=minutes)
    return hours.add(received_at, duration) if hours else received_at + duration


def seconds_between(earlier: datetime, later: datetime) -> int:
    return max(0, int((later - earlier).total_seconds()))
