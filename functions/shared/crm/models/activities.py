"""An activity a rep logs on a lead: a call or an email counts as the first contact (L4)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

CONTACT_TYPES = frozenset({"call", "email"})


class CallLog(BaseModel):
    """What a user logs on a lead (POST /api/leads/{id}/activities): who did it is the signed-in user, so no body
    may name someone else."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: Literal["call", "email", "meeting", "note"]
    direction: Literal["outbound", "inbound"] = "outbound"
    outcome: Literal["answered", "no_answer", "voicemail", "sent", "replied"] | None = None
    note: Annotated[str, StringConstraints(max_length=4000)] | None = None
    at: AwareDatetime | None = None

    @property
    def is_contact(self) -> bool:
        return self.type in CONTACT_TYPES

    def happened_at(self, now: datetime) -> datetime:
        return min(self.at, now) if self.at else now


class ActivityInput(CallLog):
    """An activity as the follow-up rules record it, with who did it (the signed-in user, or the CRM's automation)."""

    by: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class RecordActivity(CallLog):
    """A call or email logged on a contact, account or deal: only the timeline records it (the follow-up rules that
    count attempts and stop the first-contact clock are a lead's)."""

    type: Literal["call", "email"]
