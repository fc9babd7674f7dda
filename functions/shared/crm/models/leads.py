"""What a web form or API client may send as a lead, and how bad input is reported."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from crm.domain.company_size import CompanySize
from crm.domain.contact_points import normalize_email, normalize_phone
from crm.reasons import field_error, invalid, refusals

Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Long = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]

LEAD_SOURCES = ("web_page", "event", "newsletter", "ebook", "phone_call", "referral", "import", "other")
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


class Utm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    utm_source: Short | None = None
    utm_medium: Short | None = None
    utm_campaign: Short | None = None
    utm_term: Short | None = None
    utm_content: Short | None = None


class LeadSubmission(BaseModel):
    """A lead as posted by a form: a name and one way to reach the person; everything else optional."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    email: str | None = None
    phone: str | None = None
    company: Short | None = None
    role: Short | None = None
    industry: Short | None = None
    company_size: CompanySize | None = None
    country: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$")] \
        | None = None
    language: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True,
                                               pattern=r"^[A-Za-z]{2}(-[A-Za-z0-9]{2,8})?$")] | None = None
    timezone: Short | None = None
    budget: Short | None = None
    authority: Short | None = None
    need: Long | None = None
    timing: Short | None = None
    message: Long | None = None
    best_time_to_contact: Short | None = None
    referred_by: Short | None = None
    recent_company_change: Short | None = None
    source: Annotated[str, Field(pattern="^(" + "|".join(LEAD_SOURCES) + ")$")] = "web_page"
    form_id: Slug | None = None
    page_url: Annotated[str, StringConstraints(max_length=2000)] | None = None
    referrer: Annotated[str, StringConstraints(max_length=2000)] | None = None
    utm: Utm = Field(default_factory=Utm)
    marketing_consent: bool = False
    consent_text: Long | None = None

    @model_validator(mode="before")
    @classmethod
    def _gather_utm_and_blanks(cls, data: Any) -> Any:
        """Forms send utm_* flat and empty strings for untouched inputs; fold both into the model's shape."""
        if not isinstance(data, dict):
            return data
        cleaned = {key: value for key, value in data.items() if not (isinstance(value, str) and not value.strip())}
        utm = dict(cleaned.get("utm") or {})
        for key in UTM_FIELDS:
            if key in cleaned:
                utm[key] = cleaned.pop(key)
        cleaned["utm"] = utm
        if isinstance(cleaned.get("marketing_consent"), str):
            cleaned["marketing_consent"] = cleaned["marketing_consent"].lower() in {"on", "true", "yes", "1"}
        return cleaned

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return normalize_email(value) if value else None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not value:
            return None
        region = (info.context or {}).get("default_phone_region", "US")
        return normalize_phone(value, region)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        from crm.models.users import known_timezone

        return None if value is None else known_timezone(value)

    @model_validator(mode="after")
    def _reachable(self) -> LeadSubmission:
        if not self.email and not self.phone:
            raise invalid("email_or_phone")
        if self.marketing_consent and not self.consent_text:
            raise invalid("consent_text_required", about="consent_text")
        return self


class FieldError(BaseModel):
    """A refused field: the English message, and the code and parameters the site translates when known."""

    field: str
    message: str
    code: str | None = None
    params: dict[str, str | int] | None = None  # with the code

    @classmethod
    def of(cls, field: str, message: str) -> FieldError:
        return cls(**field_error(field, message))

    def answer(self) -> dict[str, Any]:
        """As the API answers it: the code and parameters only when known."""
        return self.model_dump(exclude_none=True)


def field_errors(error: ValidationError) -> list[FieldError]:
    """Pydantic's errors as (field, reason) pairs a person can read; a rule about the whole lead is about its email
    unless it names its field."""
    return [FieldError.of(field, reason) for field, reason in refusals(error, skip=("utm",), whole="email")]
