"""The provider-neutral call event every provider's webhook is read into, and the errors reading one can raise."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Provider = Literal["twilio", "telnyx", "pbx"]
CallStage = Literal["ringing", "answered", "ended", "recording"]
Direction = Literal["inbound", "outbound"]
CallStatus = Literal["initiated", "ringing", "answered", "completed", "busy", "no-answer", "failed", "canceled"]
ENDED_STATUSES: frozenset[str] = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


class SignatureError(Exception):
    """The request is not provably the provider's: `missing` (answer 401) or bad, stale, not configured (403)."""

    def __init__(self, reason: str, missing: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.missing = reason, missing


class BadEventError(ValueError):
    """A signed request the CRM can never use (the provider must not retry it): the field at fault and why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


class RepHint(BaseModel):
    """How the provider names the rep's end of the call; the CRM matches it to a user's settings."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["phone", "extension", "sip", "email"]
    value: Annotated[str, Field(min_length=1, max_length=254)]


class CallEvent(BaseModel):
    """One thing that happened to one call, whichever provider told it; deliveries repeat, so `key` dedupes them."""

    model_config = ConfigDict(frozen=True)

    provider: Provider
    call_id: Annotated[str, Field(min_length=1, max_length=128)]
    event: CallStage
    direction: Direction
    customer: str
    line: str | None = None
    rep: RepHint | None = None
    occurred_at: AwareDatetime
    status: CallStatus | None = None
    duration_seconds: Annotated[int, Field(ge=0)] | None = None
    hangup_cause: str | None = None
    recording_url: str | None = None
    recording_id: str | None = None

    @property
    def key(self) -> str:
        """The idempotency key: a call has one of each stage, but may have several recordings."""
        base = f"{self.provider}:{self.call_id}:{self.event}"
        return f"{base}:{self.recording_id}" if self.event == "recording" else base


def stage_of(status: str) -> CallStage:
    """The stage a normalized status belongs to."""
    if status in ENDED_STATUSES:
        return "ended"
    return "answered" if status == "answered" else "ringing"


def utc(moment: datetime) -> datetime:
    """Aware and in UTC, whatever offset the provider wrote."""
    from datetime import UTC

    return moment.astimezone(UTC)
