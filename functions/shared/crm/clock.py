"""One clock for the whole package, so tests and the local stack can control time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """UTC ISO 8601 with a Z, the form Step Functions' TimestampPath accepts."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def compressed_wake_time(now: datetime, due: datetime, speedup: float) -> datetime:
    """When a workflow should wake for `due` if local time runs `speedup` times faster.

    On AWS speedup is 1 and this is `due`; locally it lets a 20-minute SLA elapse in seconds
    without touching the state machine definition.
    """
    if due <= now:
        return now
    return now + timedelta(seconds=(due - now).total_seconds() / speedup)


def compressed_since(origin: datetime, due: datetime, speedup: float) -> datetime:
    """When to wake for `due` on a clock that has run `speedup` times faster since `origin` (a sequence's start).

    Measured from the origin, so a months-long sequence takes its length / speedup locally, however many steps.
    """
    if speedup == 1 or due <= origin:
        return due
    return origin + timedelta(seconds=(due - origin).total_seconds() / speedup)


def ceil_second(moment: datetime) -> datetime:
    """Rounded up to the whole second: ISO timestamps here have seconds, and a wait must not end early."""
    return moment.replace(microsecond=0) + timedelta(seconds=1) if moment.microsecond else moment
