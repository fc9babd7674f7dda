"""Fires the template's Schedule/ScheduleV2 events locally: moto stores schedules but never runs them."""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from local.template import ACCOUNT_ID, REGION, FunctionSpec, ScheduleSpec

_log = logging.getLogger(__name__)

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {name: index for index, name in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
# AWS numbers days of the week 1-7 from Sunday.
_WEEKDAYS = {name: index for index, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], start=1)}
_SEARCH_DAYS = 366 * 8


class ScheduleExpressionError(ValueError):
    """A schedule expression the local scheduler does not understand (it refuses rather than guesses)."""


def _parse_field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int] | None:
    """Values allowed by one cron field; None for * or ? (any)."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.upper().split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            first, last = low, high
        elif "-" in base:
            start, end = base.split("-", 1)
            first, last = _value(start, names), _value(end, names)
        else:
            first = _value(base, names)
            last = high if step_text else first
        if not (low <= first <= high and low <= last <= high) or step < 1:
            raise ScheduleExpressionError(f"cron field {text!r} is outside {low}-{high}")
        values.update(range(first, last + 1, step))
    return frozenset(values)


def _value(token: str, names: dict[str, int] | None) -> int:
    if names and token in names:
        return names[token]
    if not token.isdigit():
        raise ScheduleExpressionError(f"unsupported cron value {token!r} (L, W and # are not supported locally)")
    return int(token)


@dataclass(frozen=True)
class Cron:
    """AWS's six-field cron: minutes hours day-of-month month day-of-week year, in UTC."""

    minutes: frozenset[int] | None
    hours: frozenset[int] | None
    days_of_month: frozenset[int] | None
    months: frozenset[int] | None
    days_of_week: frozenset[int] | None
    years: frozenset[int] | None

    @classmethod
    def parse(cls, fields: str) -> Cron:
        parts = fields.split()
        if len(parts) != 6:
            raise ScheduleExpressionError(f"cron needs 6 fields, got {len(parts)}: {fields!r}")
        minute, hour, day, month, weekday, year = parts
        return cls(_parse_field(minute, 0, 59), _parse_field(hour, 0, 23), _parse_field(day, 1, 31),
                   _parse_field(month, 1, 12, _MONTHS), _parse_field(weekday, 1, 7, _WEEKDAYS),
                   _parse_field(year, 1970, 2199))

    def _day_matches(self, day: date) -> bool:
        aws_weekday = day.isoweekday() % 7 + 1
        return all(allowed is None or value in allowed for allowed, value in (
            (self.years, day.year), (self.months, day.month), (self.days_of_month, day.day),
            (self.days_of_week, aws_weekday)))

    def next_after(self, moment: datetime) -> datetime:
        start = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        hours = sorted(self.hours or range(24))
        minutes = sorted(self.minutes or range(60))
        for offset in range(_SEARCH_DAYS):
            day = start.date() + timedelta(days=offset)
            if not self._day_matches(day):
                continue
            for hour in hours:
                for minute in minutes:
                    candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)
                    if candidate >= start:
                        return candidate
        raise ScheduleExpressionError(f"{self} never fires in the next {_SEARCH_DAYS} days")


@dataclass(frozen=True)
class Rate:
    interval: timedelta

    def next_after(self, moment: datetime) -> datetime:
        return moment + self.interval


def parse_schedule(expression: str) -> Rate | Cron:
    text = expression.strip()
    if rate := _RATE.match(text):
        count, unit = int(rate.group(1)), rate.group(2).rstrip("s")
        if count < 1:
            raise ScheduleExpressionError(f"{expression!r}: the rate must be at least 1")
        return Rate(timedelta(seconds=count * _UNIT_SECONDS[unit]))
    if cron := _CRON.match(text):
        return Cron.parse(cron.group(1))
    raise ScheduleExpressionError(f"unsupported schedule expression {expression!r}")


def scheduled_event(function: FunctionSpec, schedule: ScheduleSpec, at: datetime) -> Any:
    """The event EventBridge sends for a schedule, or the schedule's own Input if it has one."""
    if schedule.input is not None:
        return json.loads(schedule.input)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{function.logical_id}-{schedule.name}"],
        "detail": {},
    }


Invoker = Callable[[FunctionSpec, Any], Any]


def fire_schedule(functions: list[FunctionSpec], invoke: Invoker, function_logical_id: str,
                  schedule_name: str | None, at: datetime) -> Any:
    """Fires one schedule of a function as if EventBridge ran it at `at`, in the caller's thread; returns what the
    handler returned. KeyError when the function has no such schedule."""
    for function in functions:
        for schedule in function.schedules:
            if function.logical_id == function_logical_id and schedule_name in (None, schedule.name):
                return invoke(function, scheduled_event(function, schedule, at))
    raise KeyError(f"no schedule {schedule_name or '*'} on {function_logical_id}")


class Scheduler:
    """A daemon thread firing every schedule of `functions` on time; a failing handler is only logged."""

    def __init__(self, functions: list[FunctionSpec], invoke: Invoker,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._functions = functions
        self._entries = [(function, schedule, parse_schedule(schedule.expression))
                         for function in functions for schedule in function.schedules]
        self._invoke = invoke
        self._clock = clock
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local-scheduler", daemon=True)

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def fire(self, function_logical_id: str, schedule_name: str | None = None) -> Any:
        """Fires one schedule now, in the caller's thread, and returns the handler's result."""
        return fire_schedule(self._functions, self._invoke, function_logical_id, schedule_name, self._clock())

    def _run(self) -> None:
        now = self._clock()
        due = [when.next_after(now) for _, _, when in self._entries]
        while due and not self._stopping.is_set():
            wait = (min(due) - self._clock()).total_seconds()
            if wait > 0 and self._stopping.wait(min(wait, 60)):
                return
            now = self._clock()
            for index, (function, schedule, when) in enumerate(self._entries):
                if due[index] <= now:
                    due[index] = when.next_after(now)
                    self._fire_logged(function, schedule, now)

    def _fire_logged(self, function: FunctionSpec, schedule: ScheduleSpec, now: datetime) -> None:
        try:
            self._invoke(function, scheduled_event(function, schedule, now))
            _log.info("schedule %s.%s fired", function.logical_id, schedule.name)
        except Exception:
            _log.exception("schedule %s.%s failed", function.logical_id, schedule.name)
