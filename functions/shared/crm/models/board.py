"""What the board sends (D2, D3): a quick-created deal, a move to another stage, a new owner."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator

from crm.domain.pipelines import DEFAULT_PIPELINE_ID, UNSORTED_STAGE_ID, Name, Slug
from crm.models.conversion import DealInput, Title
from crm.reasons import invalid

UserId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


def _without_nulls(data: Any) -> Any:
    """A JSON null means "not given": the default applies (a form sends every field, empty ones as null)."""
    return {key: value for key, value in data.items() if value is not None} if isinstance(data, dict) else data


class DealCreate(DealInput):
    """The quick-create popup: a title, optionally money (the conversion's rules), and where and whose it is.

    It lands in the pipeline's Unsorted stage unless a stage is named; a rep's deal is their own, a manager
    may give it to a rep.
    """

    title: Title
    currency: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{3}$")] \
        | None = None
    amount: Annotated[Decimal, Field(gt=0, max_digits=15)] | None = None
    account_name: Title | None = None
    pipeline_id: Slug = DEFAULT_PIPELINE_ID
    stage_id: Slug = UNSORTED_STAGE_ID
    owner_id: UserId | None = None
    lost_reason: Name | None = None  # only when created straight into a lost stage

    _nulls = model_validator(mode="before")(_without_nulls)

    @field_validator("amount")
    @classmethod
    def _needs_currency(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        if value is not None and info.data.get("currency", "refused") is None:
            raise invalid("amount_needs_currency")
        return value


class MoveRequest(BaseModel):
    """A card dropped on another column, with the version the client saw (the optimistic lock)."""

    model_config = ConfigDict(extra="forbid")

    stage_id: Slug
    version: int = Field(ge=1)
    lost_reason: Name | None = None

    _nulls = model_validator(mode="before")(_without_nulls)


class OwnerChange(BaseModel):
    """A manager gives the deal to another user."""

    model_config = ConfigDict(extra="forbid")

    owner_id: UserId
