"""Why the CRM refused something: a stable code, its parameters, and the English text built from them.

API clients read the English `message`; the browser app shows the `code` in the user's language
(static_site/js/i18n/reasons.js holds every code below in every language the site speaks, and a test checks it).
Pydantic's own refusals ("missing", "string_too_long") travel the same way, with pydantic's type as the code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError
    from pydantic_core import PydanticCustomError

Param = str | int

REASONS: dict[str, str] = {
    # a field's value
    "email_invalid": "is not a valid email address",
    "phone_unreadable": "is not a phone number",
    "phone_invalid": "is not a valid phone number",
    "phone_country_code": "needs its country code, e.g. +49 30 901820",
    "time_zone_unknown": "is not a known time zone",
    "country_unknown": "{code} is not an ISO 3166 country code",
    "currency_unknown": "is not a supported ISO 4217 currency ({currencies})",
    "currency_places": "{currency} amounts have at most {places} decimal places",
    "amount_needs_currency": "an amount needs a currency",
    "company_size_minimum": "must be at least 1",
    "company_size_unknown": "must be a head count or one of {bands}",
    "one_line": "must be one line",
    "one_of": "must be one of {choices}",
    "whole_number": "must be a whole number",
    "page_limit": "must be between 1 and {maximum}",
    "cursor_unknown": "is not a cursor this API gave; start again without one",
    "user_id_format": "must be 2-64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit",
    "id_format": "must be 1-64 lower-case letters, digits, - or _, starting with a letter or digit",
    "template_id_format": "must be lowercase letters, digits, - or _ (up to 63)",
    "user_inactive": "{user_id} is not an active user",
    "idempotency_key_required": "header is required, so a retried request never sends twice",
    # a request as a whole
    "email_or_phone": "give an email address or a phone number",
    "consent_text_required": "the wording shown with the consent box is required with consent",
    "meeting_end_one": "give either ends_at or duration_minutes",
    "meeting_end_order": "ends_at must be after starts_at, within a day",
    "filter_unknown": "is not a filter of {kind} (they are: {filters})",
    "filters_misfit": "filters {filters} do not apply to {kind}",
    "owner_or_round_robin": "choose an owner or round-robin assignment, not both",
    # pipelines and deals
    "stage_closed_no_limit": "a {kind} stage has no max_days_in_stage: its deals are closed",
    "stage_ids_repeated": "stage ids must be unique; repeated: {stage_ids}",
    "first_stage_unsorted": "the first stage must be the unsorted stage, id '{stage_id}', not archived",
    "one_unsorted_stage": "there is exactly one unsorted stage",
    "pipeline_needs_stage": "a pipeline needs a {kind} stage that is not archived",
    "lost_reasons_repeated": "lost reasons must be unique",
    "stages_removed": "stages cannot be removed, archive them instead (missing: {stage_ids})",
    "stage_off_board": "'{stage_id}' is not a stage on this pipeline's board",
    "stage_not_in_pipeline": "'{stage_id}' is not a stage of pipeline '{pipeline_id}'",
    "lost_reason_needed": "a lost deal needs one of: {reasons}",
    "lost_reason_unexpected": "only a deal moved to a lost stage has a lost reason",
    # settings: automation, qualification, templates
    "business_hours_format": "business hours '{spec}': expected like 'Mon-Fri 09:00-17:00'",
    "business_hours_order": "business hours '{spec}': opening must be before closing",
    "status_rule_channel": "a rule sends an email, an SMS or both",
    "thresholds_order": "thresholds must satisfy 0 <= warm <= hot <= 100",
    "email_step_template": "an email step needs a template",
    "call_step_no_template": "a call step has no template",
    "steps_order": "steps must be in order of delay_days",
    "template_syntax": "is not a valid template: {error} (line {line})",
    "template_placeholder": "unknown placeholder {placeholder}; use one of {placeholders}",
    "template_language_unknown": "unknown language '{language}'; use {languages}",
    "template_needs_fallback": "needs an '{language}' version: other languages fall back to it",
    "template_unknown": "there is no email template '{template_id}'",
    # email consent
    "email_kind": "only a lead, a contact or a deal's contact can be emailed",
    "no_email_address": "no email address",
    "address_suppressed": "address suppressed ({why})",
    "unsubscribed": "unsubscribed",
    "no_consent": "no consent",
    "person_erased": "the person asked to be erased",
    "email_unsendable": "this email cannot be sent to this recipient (a line break in the name, or an address the "
                        "email service refuses)",
    # CSV import
    "file_too_large": "the file is larger than {megabytes} MB; split it into parts",
    "file_empty": "the file is empty",
    "file_unreadable": "the file is not a readable CSV table: {error}",
    "file_too_many_rows": "the file has more than {rows} rows; split it into parts",
    "row_too_long": "row {row} is longer than {size} bytes; is it a CSV table?",
    "file_too_many_columns": "the file has more than {columns} columns; is it a CSV table?",
    "header_too_long": "the header row is longer than {size} bytes; is it a CSV table?",
    "file_no_rows": "the file has a header row but no data rows",
    "mapping_not_column": "is not a column of the file",
    "mapping_not_field": "{field} is not a field of {kind}",
    "mapping_twice": "{field} is already filled by another column",
    "mapping_missing": "map a column to {fields}",
    "contacts_need_owner": "is for leads only: contacts need an owner",
    "leads_only": "is for leads only",
    "import_started": "the import has started; its mapping can no longer change",
    "import_unmapped": "map the file's columns before importing",
    "import_busy": "another request is importing this file's rows right now; try again in a moment",
    # conflicts
    "deal_changed": "Someone else changed this deal meanwhile; here it is as it is now.",
    "last_admin": "The CRM needs at least one active admin: make someone else an admin first.",
    "request_in_progress": "A request with this Idempotency-Key is still in progress; retry shortly to get its "
                           "result.",
    "lead_converted": "lead {lead_id} was already converted at {at} into contact {contact_id}",
    "lead_erased": "lead {lead_id} was erased at {at}; there is nobody to convert",
    "lead_junk": "lead {lead_id} is marked as junk; take it out of junk to convert it",
    "lead_erased_already": "lead {lead_id} has been erased",
    "no_deletion_request": "lead {lead_id} has no pending deletion request",
    "lead_kept_changing": "the lead kept changing while we wrote; try again",
    "record_has_no_phone": "this record has no phone number to call",
    "your_phone_missing": "set your own phone number in settings: the call rings it first",
    "telephony_not_configured": "no telephony provider is configured; dial the number yourself",
    "provider_refused": "the telephony provider refused the call: {detail}",
}

# Pydantic refusals whose limit decides a plural form in other languages ("1 character", "2 characters").
_COUNTED = {"min_length", "max_length", "decimal_places", "max_digits", "whole_digits"}


class Reason(str):
    """The English text, carrying its code and parameters: wherever a reason travels as text it still reads well."""

    code: str
    params: dict[str, Param]

    def __new__(cls, code: str, /, **params: Param) -> Reason:
        return cls.worded(code, REASONS[code].format(**params), params)

    @classmethod
    def worded(cls, code: str, text: str, params: dict[str, Param]) -> Reason:
        """A reason already in words, e.g. pydantic's own ("String should have at most 200 characters")."""
        reason = str.__new__(cls, text)
        reason.code, reason.params = code, params
        return reason


def invalid(code: str, /, about: str | None = None, **params: Param) -> PydanticCustomError:
    """A validator's refusal, reported by pydantic with `code` as its type; `about` names the field a model-wide
    rule is about."""
    from pydantic_core import PydanticCustomError  # here: a Reason alone (consent rules, conflicts) needs no pydantic

    return PydanticCustomError(code, REASONS[code], {**params, **({"about": about} if about else {})})


def explained(message: str) -> dict[str, Any]:
    """A refusal as the API answers it: the English message, and the code and parameters when known."""
    if isinstance(message, Reason):
        return {"message": str(message), "code": message.code, "params": message.params}
    return {"message": message}


def field_error(field: str, message: str) -> dict[str, Any]:
    return {"field": field, **explained(message)}


def field_error_body(errors: list[dict[str, Any]]) -> dict[str, Any]:
    """The body of every refusal that names fields: one shape for the site and every API client."""
    return {"message": "The request has invalid fields.", "errors": errors}


def refusals(error: ValidationError, *, skip: tuple[str, ...] = (), whole: str = "body") -> list[tuple[str, str]]:
    """Pydantic's refusals as (field, reason): each by its path (leaving out `skip` parts), a model-wide rule by the
    field it names or `whole`; the reason carries pydantic's type as its code (not a bare ValueError's)."""
    found = []
    for item in error.errors(include_url=False):
        context = {name: value if isinstance(value, int) and not isinstance(value, bool) else str(value)
                   for name, value in item.get("ctx", {}).items() if name != "error"}
        named = context.pop("about", None)
        path = ".".join(str(part) for part in (*item["loc"], *([named] if named else [])) if part not in skip)
        counted = [value for name, value in context.items() if name in _COUNTED]
        if counted:
            context["count"] = counted[0]
        text = item["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        found.append((path or whole, text if item["type"] == "value_error" else Reason.worded(item["type"], text,
                                                                                               context)))
    return found
