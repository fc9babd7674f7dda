"""How a call's state follows its provider's events, which arrive duplicated, retried and out of order (T1).

A call only moves forward: ringing, then answered, then ended. An event that arrives after a later one (a
"ringing" after the "completed") still fills in what only it knows (the time it rang) but never takes the call back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Literal

ENDED_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
_RANK = {"initiated": 0, "ringing": 1, "answered": 2, **dict.fromkeys(ENDED_STATUSES, 3)}
_EVENT_STATUS = {"ringing": "ringing", "answered": "answered", "ended": "completed"}

Outcome = Literal["answered", "unanswered"]


def call_id(provider: str, provider_call_id: str) -> str:
    """Our id of a provider's call: the same for every event of it, so no lookup item is needed to find it."""
    return hashlib.sha256(f"{provider}:{provider_call_id}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class CallProgress:
    """What is known of a call so far; times are UTC ISO 8601."""

    status: str = "initiated"
    ringing_at: str | None = None
    answered_at: str | None = None
    ended_at: str | None = None
    duration_seconds: int | None = None
    hangup_cause: str | None = None

    def after(self, event: str, at: str, status: str | None = None, duration_seconds: int | None = None,
              hangup_cause: str | None = None) -> CallProgress:
        """The call once this event is taken in, whatever came before it."""
        status = status if status in _RANK else _EVENT_STATUS.get(event, self.status)
        progress = self
        if event == "ringing" or status in {"initiated", "ringing"}:
            progress = replace(progress, ringing_at=_earliest(progress.ringing_at, at))
        if event == "answered" or status == "answered":
            progress = replace(progress, answered_at=_earliest(progress.answered_at, at))
        if event == "ended" or status in ENDED_STATUSES:
            progress = replace(progress, ended_at=progress.ended_at or at,
                               duration_seconds=duration_seconds if duration_seconds is not None
                               else progress.duration_seconds,
                               hangup_cause=hangup_cause or progress.hangup_cause)
            if status == "completed" and progress.answered_at is None and not duration_seconds:
                status = "no-answer"  # a PBX's "ended" of a call nobody took
        if _RANK[status] > _RANK[progress.status]:
            progress = replace(progress, status=status)
        return progress

    @property
    def outcome(self) -> Outcome | None:
        """Known once the call was answered, or ended without being answered."""
        if self.answered_at is not None or (self.status == "completed" and self.duration_seconds):
            return "answered"
        if self.status in ENDED_STATUSES:
            return "unanswered"
        return None


def _earliest(known: str | None, at: str) -> str:
    return at if known is None or at < known else known
