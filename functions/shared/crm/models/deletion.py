"""What a user sends to flag a lead for deletion, mark it junk, or decide on a flag (L9)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

DECISIONS = ("approve", "reject")


class ReasonInput(BaseModel):
    """A please-delete flag or a junk mark: always with a reason, so the reviewer knows why."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class DecisionInput(BaseModel):
    """The reviewer's optional note on an approval or a rejection."""

    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)] | None = None
