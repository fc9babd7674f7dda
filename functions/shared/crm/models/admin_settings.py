"""What an admin may PUT as settings (profile, sequences, status rules), and how a refusal names the field."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from crm.domain.company_size import BANDS
from crm.domain.qualification import IdealCustomerProfile
from crm.domain.status_rules import StatusRule
from crm.reasons import field_error, invalid, refusals

READ_ONLY_FIELDS = frozenset({"id", "updated_by", "updated_at"})
SEQUENCE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

Band = Literal[tuple(label for *_range, label in BANDS)]  # type: ignore[valid-type]
Keyword = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


def _known_country(code: str) -> str:
    import phonenumbers

    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise invalid("country_unknown", code=code)
    return code


CountryCode = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$"),
                        AfterValidator(_known_country)]


class ProfileInput(BaseModel):
    """The ideal customer profile (L5). Empty countries or industries mean any, and then they give no points."""

    model_config = ConfigDict(extra="forbid")

    company_size_bands: list[Band] = Field(max_length=len(BANDS))
    roles: list[Keyword] = Field(max_length=100)
    countries: list[CountryCode] = Field(default_factory=list, max_length=300)
    industries: list[Keyword] = Field(default_factory=list, max_length=100)

    def to_profile(self) -> IdealCustomerProfile:
        return IdealCustomerProfile(company_size_bands=frozenset(self.company_size_bands),
                                    roles=tuple(dict.fromkeys(self.roles)), countries=frozenset(self.countries),
                                    industries=frozenset(self.industries))


class StatusRulesInput(BaseModel):
    """The whole list of status-change rules (L11), replaced at once."""

    model_config = ConfigDict(extra="forbid")

    rules: list[StatusRule] = Field(max_length=50)


def editable(body: dict[str, Any]) -> dict[str, Any]:
    """The body without what a GET adds (id, updated_by, updated_at), so a read setting can be PUT back as it is."""
    return {key: value for key, value in body.items() if key not in READ_ONLY_FIELDS}


def setting_errors(error: ValidationError) -> list[dict[str, Any]]:
    """Each error with its full path, e.g. `steps.1: an email step needs a template`: settings nest deeply."""
    return [field_error(field, reason) for field, reason in refusals(error)]
