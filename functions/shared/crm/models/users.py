"""What an admin sends to add or change a user of the CRM (a rep, a manager or an admin)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from crm.domain.contact_points import normalize_email, normalize_phone
from crm.reasons import invalid

USER_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")  # also the Cognito username; stable, so it can key records
LANGUAGES = ("en", "de", "hu", "el", "fa")


def known_timezone(value: str) -> str:
    """An IANA time zone name ("Europe/Berlin"): the CRM computes due dates and send windows in it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise invalid("time_zone_unknown") from error
    return value


class UserInput(BaseModel):
    """A user as an admin writes it; the id is the path's. Deactivating (active false) keeps their records."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    email: str
    role: Literal["rep", "manager", "admin"]
    phone: str | None = None
    extension: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9*#]{1,16}$")] | None = None
    sip_user: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128,
                                               pattern=r"^[^\s@]+(@[^\s@]+)?$")] | None = None
    language: Literal["en", "de", "hu", "el", "fa"] = "en"
    timezone: str = "UTC"
    active: bool = True

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalize_email(value)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        if not value.strip().startswith("+"):
            raise invalid("phone_country_code")
        return normalize_phone(value, "ZZ")

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return known_timezone(value)
