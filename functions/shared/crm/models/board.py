"""What the board sends (D2, D3): a quick-created deal, a change of its fields, a move to another stage, a new
owner."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator, model_validator

from crm.domain.deal_cards import DealType
from crm.domain.pipelines import DEFAULT_PIPELINE_ID, UNSORTED_STAGE_ID, Name, Slug
from crm.errors import InvalidError
from crm.models.conversion import CURRENCY_MINOR_UNITS, DealInput, Title
from crm.reasons import Reason, invalid

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
    expected_close_date: date | None = None
    deal_type: DealType | None = None

    _nulls = model_validator(mode="before")(_without_nulls)

    @field_validator("amount")
    @classmethod
    def _needs_currency(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        if value is not None and info.data.get("currency", "refused") is None:
            raise invalid("amount_needs_currency")
        return value


# what a DealUpdate may change, as the deal keeps it
EDITABLE = ("title", "amount", "currency", "expected_close_date", "deal_type")


class DealUpdate(DealInput):
    """A deal's fields changed (its side panel), on the version the client saw. A key left out stays as it is, a
    key given as null clears the field (not the title: a deal has one). An amount comes with its currency, as in
    quick-create; a currency alone re-reads the deal's amount in it."""

    version: int = Field(ge=1)
    title: Title = Field(None)  # left out: unchanged; null is refused
    currency: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{3}$")] \
        | None = None
    amount: Annotated[Decimal, Field(gt=0, max_digits=15)] | None = None
    expected_close_date: date | None = None
    deal_type: DealType | None = None

    @model_validator(mode="after")
    def _amount_has_currency(self) -> DealUpdate:
        if self.amount is not None and self.currency is None:
            raise invalid("amount_needs_currency", about="amount")
        return self

    def changes(self, current: dict[str, str | None]) -> dict[str, str | None]:
        """What this update changes of a deal whose EDITABLE fields are `current` (as the deal keeps them, money as
        exact text), as the deal keeps them; InvalidError if the deal's money would make no sense afterwards."""
        given = {name: getattr(self, name) for name in EDITABLE if name in self.model_fields_set}
        after = {**current, **{name: None if value is None else str(value) for name, value in given.items()}}
        if "currency" in given and "amount" not in given and after["amount"] is not None:
            after["amount"] = _in_currency(after["amount"], after["currency"])
        return {name: value for name, value in after.items() if value != current[name]}


def _in_currency(amount: str, currency: str | None) -> str:
    """A kept amount in another currency (or none): exact to its minor unit, or refused naming the amount."""
    if currency is None:
        raise InvalidError("amount", Reason("amount_needs_currency"))
    places = CURRENCY_MINOR_UNITS[currency]
    exponent = Decimal(amount).normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise InvalidError("amount", Reason("currency_places", currency=currency, places=places))
    return str(Decimal(amount).quantize(Decimal(1).scaleb(-places)))


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
