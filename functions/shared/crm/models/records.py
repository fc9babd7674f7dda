"""What a record page sends (D6): a note, a meeting, a task, an email from a template (a logged call:
crm.models.activities.CallLog)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from crm.reasons import invalid

Line = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]
MAX_MEETING = timedelta(days=1)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NoteCreate(_Input):
    text: Text


class MeetingCreate(_Input):
    """A meeting with the record's person: when it starts and either when it ends or how long it takes."""

    title: Line
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None
    duration_minutes: Annotated[int, Field(gt=0, le=24 * 60)] | None = None
    location: Line | None = None
    notes: Text | None = None

    @model_validator(mode="after")
    def _one_end(self) -> MeetingCreate:
        if (self.ends_at is None) == (self.duration_minutes is None):
            raise invalid("meeting_end_one")
        if self.ends_at is not None and not self.starts_at < self.ends_at <= self.starts_at + MAX_MEETING:
            raise invalid("meeting_end_order")
        return self

    @property
    def end(self) -> datetime:
        return self.ends_at or self.starts_at + timedelta(minutes=self.duration_minutes or 0)


class TaskCreate(_Input):
    title: Line
    due_at: AwareDatetime
    notes: Text | None = None


class EmailRequest(_Input):
    template_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
