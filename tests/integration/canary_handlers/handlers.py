"""Tiny Lambda handlers for the local stack canary; loaded by the dispatcher, never imported by tests."""

from __future__ import annotations

import queue
from datetime import UTC, datetime, timedelta
from typing import Any

_tokens: queue.Queue[str] = queue.Queue()


class CanaryError(Exception):
    """Raised on purpose: the state machine's Catch must route on this class name."""


def plan(event: dict[str, Any], context: Any) -> dict[str, Any]:
    wake_at = (datetime.now(UTC) + timedelta(seconds=2)).replace(microsecond=0)  # 1-2 s ahead
    return {"doubled": event["value"] * 2, "wake_at": wake_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "function_name": context.function_name, "remaining_ms": context.get_remaining_time_in_millis()}


def park_token(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _tokens.put(event["token"])
    return {}


def take_token(timeout: float) -> str:
    """Called by the test (through the dispatcher's loader) to resume the waiting execution."""
    return _tokens.get(timeout=timeout)


def fail(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise CanaryError(f"failed on purpose for {event['value']}")
