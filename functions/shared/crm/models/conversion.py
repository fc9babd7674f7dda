"""What a rep sends to convert a lead (L10): everything optional, since the lead already says who and which company."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from crm.reasons import invalid

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

# ISO 4217 codes of common currencies with their minor units (digits after the decimal point)
CURRENCY_MINOR_UNITS = {
    "AED": 2, "AUD": 2, "BGN": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CNY": 2, "CZK": 2, "DKK": 2,
    "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2, "ILS": 2, "INR": 2, "JPY": 0, "KRW": 0, "KWD": 3, "MXN": 2,
    "NOK": 2, "NZD": 2, "PLN": 2, "RON": 2, "SAR": 2, "SEK": 2, "SGD": 2, "TRY": 2, "UAH": 2, "USD": 2,
    "ZAR": 2,
}


class DealInput(BaseModel):
    """The deal to open with the conversion; its title defaults to "<account> deal"."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    currency: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{3}$")]
    amount: Annotated[Decimal, Field(gt=0, max_digits=15)]  # after currency: its places depend on it

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str | None) -> str | None:
        if value is not None and value not in CURRENCY_MINOR_UNITS:  # None: a deal's change clearing it
            raise invalid("currency_unknown", currencies=", ".join(CURRENCY_MINOR_UNITS))
        return value

    @field_validator("amount")
    @classmethod
    def _exact_in_currency(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        """Exact to the currency's minor unit: 10.5 EUR is kept as 10.50, 10.005 EUR is refused."""
        currency = info.data.get("currency")
        if currency is None:  # already refused
            return value
        places = CURRENCY_MINOR_UNITS[currency]
        exponent = value.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            raise invalid("currency_places", currency=currency, places=places)
        return value.quantize(Decimal(1).scaleb(-places))


class TaskInput(BaseModel):
    """A first task for the lead's owner, on the new deal (or the contact when there is no deal)."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    due_at: AwareDatetime


class ConversionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_name: Title | None = None  # default: the lead's company, else the lead's name
    deal: DealInput | None = None
    task: TaskInput | None = None
