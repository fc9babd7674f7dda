"""What a web form or API client may send as a lead, and how bad input is reported.

The submission's fields, their types and validation are declared in crm.models.lead_fields; the rules here are the
ones about the whole lead (a way to reach the person, the consent's wording) and the shape forms post in.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model, model_validator

from crm.models.lead_fields import LEAD_FIELDS, LEAD_SOURCES, UTM_FIELDS, Utm
from crm.reasons import field_error, invalid, refusals

__all__ = ["LEAD_SOURCES", "UTM_FIELDS", "FieldError", "LeadSubmission", "Utm", "field_errors"]


class _SubmissionRules(BaseModel):
    """The whole-lead rules of a submission; its fields come from the declaration."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

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

    @model_validator(mode="after")
    def _reachable(self) -> Any:
        if not getattr(self, "email", None) and not getattr(self, "phone", None):
            raise invalid("email_or_phone")
        if getattr(self, "marketing_consent", False) and not getattr(self, "consent_text", None):
            raise invalid("consent_text_required", about="consent_text")
        return self


LeadSubmission = create_model(
    "LeadSubmission", __base__=_SubmissionRules, __module__=__name__,
    __doc__="A lead as posted by a form: a name and one way to reach the person; everything else optional.",
    **{lead_field.name: (lead_field.kind, lead_field.default) for lead_field in LEAD_FIELDS},
)


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
