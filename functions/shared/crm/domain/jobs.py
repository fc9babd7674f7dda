"""Jobs: work that outlives a request (mass email, CSV exports), done by the jobs worker off an SQS queue.

Pure rules: what a job may be and where it stands, how a mass email's recipients split into chunks (one queue
message each, small enough to send within one worker invocation), and when each email of a chunk may go out so
that all the workers together stay under the SES send rate the CRM may use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

MASS_EMAIL = "mass_email"
EXPORT = "export"
JOB_KINDS = (MASS_EMAIL, EXPORT)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
FINISHED = frozenset({DONE, FAILED})

# One queue message's worth of mass email: at the slowest rate the template allows (MassEmailRate >= 1/s) and the
# worker's maximum concurrency, a chunk takes RECIPIENTS_PER_CHUNK x concurrency / rate seconds, well inside the
# worker's timeout (tests/infra checks the template keeps it so).
RECIPIENTS_PER_CHUNK = 10

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = RECIPIENTS_PER_CHUNK) -> list[Sequence[T]]:
    """`items` in consecutive slices of `size` (the last may be shorter); none for no items."""
    if size < 1:
        raise ValueError("a chunk holds at least one item")
    return [items[start:start + size] for start in range(0, len(items), size)]


def chunk_count(total: int, size: int = RECIPIENTS_PER_CHUNK) -> int:
    return -(-total // size)


def send_interval(rate_per_second: float, concurrency: int) -> float:
    """Seconds between two emails of one worker: `concurrency` workers sending at once share the rate."""
    if rate_per_second <= 0 or concurrency < 1:
        raise ValueError("the send rate and the concurrency must be positive")
    return concurrency / rate_per_second


def send_offsets(count: int, rate_per_second: float, concurrency: int) -> list[float]:
    """When each of a chunk's `count` emails may go out, in seconds after the chunk starts: evenly spread, the first
    at once, so no second ever holds more than the worker's share of the rate."""
    interval = send_interval(rate_per_second, concurrency)
    return [index * interval for index in range(count)]


# An export is uploaded in parts of at least S3's multipart minimum (all but the last); an invocation goes on to
# the next part only while it has time for two more like the last one and a margin, else it hands over to a new
# message, so no part is ever cut off by the Lambda timeout.
EXPORT_PART_BYTES = 5 * 1024 * 1024
HANDOVER_MARGIN_MS = 5_000


def room_for_another_part(remaining_ms: int, last_part_ms: float) -> bool:
    return remaining_ms > 2 * last_part_ms + HANDOVER_MARGIN_MS
