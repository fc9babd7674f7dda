"""Schedule expressions of template.yaml, as the local scheduler reads and fires them."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from local.scheduler import Cron, Rate, ScheduleExpressionError, Scheduler, parse_schedule
from local.template import FunctionSpec, ScheduleSpec

MONDAY_NOON = datetime(2026, 3, 2, 12, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(("expression", "interval"), [
    ("rate(1 minute)", timedelta(minutes=1)),
    ("rate(5 minutes)", timedelta(minutes=5)),
    ("rate(2 hours)", timedelta(hours=2)),
    ("rate(1 day)", timedelta(days=1)),
])
def test_rates(expression: str, interval: timedelta) -> None:
    assert parse_schedule(expression) == Rate(interval)
    assert parse_schedule(expression).next_after(MONDAY_NOON) == MONDAY_NOON + interval


@pytest.mark.parametrize(("expression", "expected"), [
    ("cron(0/15 * * * ? *)", datetime(2026, 3, 2, 12, 15, tzinfo=UTC)),
    ("cron(0 9 ? * MON-FRI *)", datetime(2026, 3, 3, 9, 0, tzinfo=UTC)),
    ("cron(30 8,18 ? * TUE *)", datetime(2026, 3, 3, 8, 30, tzinfo=UTC)),
    ("cron(0 6 ? * 1 *)", datetime(2026, 3, 8, 6, 0, tzinfo=UTC)),  # 1 is Sunday in AWS cron
    ("cron(0 6 ? * SUN *)", datetime(2026, 3, 8, 6, 0, tzinfo=UTC)),
    ("cron(5 0 1 * ? *)", datetime(2026, 4, 1, 0, 5, tzinfo=UTC)),
    ("cron(0 0 29 FEB ? *)", datetime(2028, 2, 29, 0, 0, tzinfo=UTC)),
    ("cron(1 12 * * ? *)", datetime(2026, 3, 2, 12, 1, tzinfo=UTC)),
    ("cron(0 10-12/2 2 MAR ? 2026,2027)", datetime(2027, 3, 2, 10, 0, tzinfo=UTC)),
])
def test_cron_next_fire_time(expression: str, expected: datetime) -> None:
    assert parse_schedule(expression).next_after(MONDAY_NOON) == expected


@pytest.mark.parametrize("expression", [
    "rate(0 minutes)", "rate(5 weeks)", "cron(* * * *)", "cron(0 9 L * ? *)", "cron(60 * * * ? *)",
    "cron(0 9 ? * MON#2 *)", "at(2026-01-01T00:00:00)",
])
def test_unsupported_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ScheduleExpressionError):
        parse_schedule(expression)


def test_cron_that_never_fires_is_refused() -> None:
    with pytest.raises(ScheduleExpressionError):
        Cron.parse("0 0 31 FEB ? *").next_after(MONDAY_NOON)


def _function(*schedules: ScheduleSpec) -> FunctionSpec:
    return FunctionSpec(logical_id="Reconciler", name="Reconciler", arn="arn", code_uri="x", handler="app.h",
                        timeout=3, memory_size=128, environment={}, api_routes=(), schedules=schedules)


def test_fire_sends_a_scheduled_event_and_returns_the_result() -> None:
    calls = []
    scheduler = Scheduler([_function(ScheduleSpec("Every", "rate(5 minutes)"))],
                          lambda spec, event: calls.append((spec.logical_id, event)) or "done")
    assert scheduler.fire("Reconciler") == "done"
    (logical_id, event), = calls
    assert logical_id == "Reconciler"
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.events"
    with pytest.raises(KeyError):
        scheduler.fire("Nobody")


def test_background_thread_keeps_firing_after_a_handler_fails() -> None:
    fired = threading.Semaphore(0)
    clock_start = datetime.now(UTC)
    # A fake clock 10 minutes ahead per read makes a 5-minute rate due on every loop.
    reads = iter(clock_start + timedelta(minutes=10 * step) for step in range(10_000))

    def failing(spec: FunctionSpec, event: dict) -> None:
        fired.release()
        raise RuntimeError("boom")

    scheduler = Scheduler([_function(ScheduleSpec("Every", "rate(5 minutes)"))], failing, clock=lambda: next(reads))
    scheduler.start()
    try:
        assert all(fired.acquire(timeout=5) for _ in range(3))
    finally:
        scheduler.stop()
