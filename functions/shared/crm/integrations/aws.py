"""One boto3 client per service and process; endpoints come from the environment (AWS or the local stack).

The clients come from one session: each botocore session loads and parses the endpoint and service models
again, which is most of what a client costs a cold start. pynamodb and powertools' idempotency get the same
DynamoDB client (`crm.data.table`, `crm.idempotency`), so its timeouts and retries are the ones below.

Timeouts and retries are sized to the function's own timeout (FUNCTION_TIMEOUT_SECONDS, set by template.yaml beside
each Timeout): botocore's defaults (3 s to connect, 10 s to read, 3 attempts) let one call to a hung service outlast
a 10 s function, which then times out instead of answering 503 with Retry-After.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

FUNCTION_TIMEOUT_ENV = "FUNCTION_TIMEOUT_SECONDS"
DEFAULT_FUNCTION_TIMEOUT = 10.0  # template.yaml's Globals Timeout, for code run outside a declared function
ANSWER_MARGIN = 1.0  # seconds kept, after two calls gave up, to log and answer
MAX_CONNECT, MAX_READ = 3.0, 10.0  # botocore's own defaults: no call needs more, however long the function may run

_creating = threading.Lock()  # a botocore session is not safe to create clients from in two threads at once


@dataclass(frozen=True)
class CallLimits:
    """How long one AWS call may take: `attempts` tries of at most `connect` + `read` seconds each, with standard
    mode's backoff between them."""

    attempts: int
    connect: float
    read: float

    @property
    def longest(self) -> float:
        """The most one call can take: every attempt timing out, and the longest backoff before each retry (standard
        mode waits up to 1 s, then 2 s, ...)."""
        return self.attempts * (self.connect + self.read) + 2 ** (self.attempts - 1) - 1


def call_limits(function_timeout: float) -> CallLimits:
    """Limits under which two calls that hang one after the other (a write, then the idempotency record's clean-up)
    both give up with time left to answer: each within half of what the function has, less ANSWER_MARGIN. Long
    functions (jobs, schedules) get a third attempt and botocore's default timeouts; a 10 s one 2 x (0.44 + 1.31) s."""
    budget = (function_timeout - ANSWER_MARGIN) / 2
    attempts = 3 if budget >= 20 else 2
    per_attempt = (budget - (2 ** (attempts - 1) - 1)) / attempts
    connect = min(MAX_CONNECT, per_attempt / 4)
    return CallLimits(attempts, round(connect, 2), round(min(MAX_READ, per_attempt - connect), 2))


def function_timeout() -> float:
    return float(os.environ.get(FUNCTION_TIMEOUT_ENV) or DEFAULT_FUNCTION_TIMEOUT)


@cache
def _session() -> Any:
    import boto3

    return boto3.session.Session()


@cache
def client(service: str) -> Any:
    from botocore.config import Config

    limits = call_limits(function_timeout())
    # S3's presigned links in SigV4: the only signature newer regions accept
    signing = {"signature_version": "s3v4"} if service == "s3" else {}
    with _creating:
        return _session().client(service, config=Config(
            retries={"mode": "standard", "total_max_attempts": limits.attempts}, connect_timeout=limits.connect,
            read_timeout=limits.read, **signing))
