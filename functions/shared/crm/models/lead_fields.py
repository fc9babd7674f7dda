"""Every field of a lead, declared once: what a form or an API client may send (its type and validation), where the
lead keeps it, and what it is: personal (erased when a deletion request is approved, L9), shown on the lead's
record page, in the rep's notification, on the public form, exported to CSV, importable from CSV, noted on every
touch.

Each list the CRM keeps of a lead's fields is derived from LEAD_FIELDS: the submission model (crm.models.leads),
the stored item's attributes (crm.data.leads), what intake stores and notes on a touch, the lead as the API shows it
(every field), the record page's facts (static_site/js/lead_fields.js, written from here), the rep's email, the
form, the export columns, the import mapping and what erasure clears. A new field is one entry here.

The stored lead also keeps what the CRM did with the person (score, owner, status ...): LEAD_RECORD_ATTRIBUTES says
what erasure does with each of those. A test checks that every attribute of the stored lead is declared in one of
the two, so nothing is added to the lead without deciding whether erasure must clear it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationInfo

from crm.domain.company_size import CompanySize

_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
"""Control characters (CR, LF, VT, FF, tab, NUL, C1 such as NEL) and the Unicode line and paragraph separators."""
_LINE_ENDS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]+")  # \t and the line ends: handled apart


def one_line(value: object) -> object:
    """A single-line field keeps no line break nor control character: each run of them becomes one space.

    A name with a line break in it would make every email to the lead raise (it is in the To header), and one in a
    company would split a CSV row or a subject; so they are cleaned here, where every entry point (form, API, CSV
    import) validates a lead, rather than refused: the person meant a space."""
    return _BREAKS.sub(" ", value).strip() if isinstance(value, str) else value


def multi_line(value: object) -> object:
    """Free text keeps its lines (as \\n, whatever line ends were sent) and loses every other control character."""
    if not isinstance(value, str):
        return value
    return _CONTROLS.sub(" ", _LINE_ENDS.sub("\n", value).replace("\t", " "))


Short = Annotated[str, BeforeValidator(one_line), StringConstraints(strip_whitespace=True, max_length=200)]
Long = Annotated[str, BeforeValidator(multi_line), StringConstraints(strip_whitespace=True, max_length=4000)]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Url = Annotated[str, BeforeValidator(one_line), StringConstraints(max_length=2000)]

LEAD_SOURCES = ("web_page", "event", "newsletter", "ebook", "phone_call", "referral", "import", "other")
"""The sources the CRM names (list filters, labels). A lead may come with any other label a marketer puts in a form's
hidden field: it is kept as given and counts as "other" wherever one of these is needed."""
OTHER_SOURCE = "other"
DEFAULT_SOURCE = "web_page"
SOURCE_MAX_CHARS = 64
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


class Utm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    utm_source: Short | None = None
    utm_medium: Short | None = None
    utm_campaign: Short | None = None
    utm_term: Short | None = None
    utm_content: Short | None = None


def _source(value: str) -> str:
    """Never a reason to refuse a lead: an empty label is the default, a long one is cut to fit."""
    return value.strip()[:SOURCE_MAX_CHARS].strip() or DEFAULT_SOURCE


def _email(value: str) -> str:
    from crm.domain.contact_points import normalize_email  # phonenumbers with it: loaded by the first validation

    return normalize_email(value)


def _phone(value: str, info: ValidationInfo) -> str:
    """E.164, national numbers read in the region the caller's context names (the deployment's default)."""
    from crm.domain.contact_points import normalize_phone

    return normalize_phone(value, (info.context or {}).get("default_phone_region", "US"))


def _timezone(value: str) -> str:
    from crm.models.users import known_timezone

    return known_timezone(value)


@dataclass(frozen=True)
class FormInput:
    """How the public form asks for a field (crm/templates/lead_form.html.j2 draws each section's inputs in order).

    section: about, reach, message, project (the optional qualification questions), consent, or hidden (filled by
    the page itself); widget: text, email, tel, textarea, select or checkbox.
    """

    section: str
    label: str = ""
    widget: str = "text"
    help: str | None = None
    autocomplete: str | None = None
    hint_id: str | None = None  # a hint shared with other inputs (the reach section's "email or phone")
    required: bool = False
    rows: int = 5
    attrs: Mapping[str, str | int] = field(default_factory=lambda: MappingProxyType({}))


def _attrs(**values: str | int) -> Mapping[str, str | int]:
    return MappingProxyType(values)


@dataclass(frozen=True)
class LeadField:
    """One field of a lead.

    kind: the pydantic type a submission's value must satisfy; default: its value when not sent (... = required).
    stored: where the lead keeps it: its own attribute of the same name (""), or "<map>.<key>" inside one of the
    lead's maps (first_touch, consent, qualification). personal: it describes the person, so an approved deletion
    request erases it; what is not personal stays on the tombstone so that reports still add up. record: among the
    facts at the top of the lead's page in the board (the API's lead view has every field). notification: where
    the rep's new-lead email shows it: "heading" (subject and greeting), "details" or "answers" (the qualification
    answers). export: a column of the leads CSV. importable: a CSV column may fill it. touch: noted on the
    timeline's touch event of every visit, as the person sent it.
    """

    name: str
    kind: Any
    default: Any = None
    stored: str = ""
    personal: bool = True
    record: bool = False
    notification: str | None = None
    form: FormInput | None = None
    export: bool = False
    importable: bool = False
    touch: bool = False

    @property
    def path(self) -> str:
        return self.stored or self.name

    @property
    def container(self) -> str | None:
        """The lead's map that holds this field, or None for a field that is an attribute of its own."""
        return self.stored.partition(".")[0] if self.stored else None

    @property
    def key(self) -> str:
        """The field's name inside its map (its own attribute's name when it has no map)."""
        return self.path.rpartition(".")[2]


LEAD_FIELDS: tuple[LeadField, ...] = (
    LeadField("name", Annotated[str, BeforeValidator(one_line),
                                StringConstraints(strip_whitespace=True, min_length=1, max_length=200)], ...,
              notification="heading", export=True, importable=True, touch=True,
              form=FormInput("about", "Name", autocomplete="name", required=True, attrs=_attrs(maxlength=200))),
    LeadField("company", Short | None, record=True, notification="details", export=True, importable=True, touch=True,
              form=FormInput("about", "Company", autocomplete="organization", attrs=_attrs(maxlength=200))),
    LeadField("role", Short | None, record=True, notification="details", importable=True,
              form=FormInput("about", "Role or position", autocomplete="organization-title",
                             attrs=_attrs(maxlength=200))),
    LeadField("industry", Short | None, importable=True),
    LeadField("company_size", CompanySize | None, personal=False, notification="details", importable=True,
              form=FormInput("about", "Company size", widget="select")),
    LeadField("country",
              Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$")] | None,
              personal=False, notification="details", importable=True,
              form=FormInput("about", "Country", help="Two-letter code, for example DE, HU, GR or US.",
                             autocomplete="country",
                             attrs=_attrs(**{"class": "short", "maxlength": 2, "pattern": "[A-Za-z]{2}",
                                             "autocapitalize": "characters", "spellcheck": "false"}))),
    LeadField("email", Annotated[str, AfterValidator(_email)] | None, record=True, notification="details",
              export=True, importable=True, touch=True,
              form=FormInput("reach", "Email", widget="email", autocomplete="email", hint_id="reach-hint",
                             attrs=_attrs(maxlength=254, spellcheck="false"))),
    LeadField("phone", Annotated[str, AfterValidator(_phone)] | None, record=True, notification="details",
              export=True, importable=True, touch=True,
              form=FormInput("reach", "Phone", widget="tel", autocomplete="tel", hint_id="reach-hint",
                             attrs=_attrs(maxlength=40))),
    LeadField("best_time_to_contact", Short | None, notification="details",
              form=FormInput("reach", "Best time to contact you",
                             help="For example: weekday mornings, or after 3 pm your time.",
                             attrs=_attrs(maxlength=200))),
    LeadField("source", Annotated[str, AfterValidator(_source)], DEFAULT_SOURCE,
              stored="first_touch.source", personal=False, notification="details", export=True, importable=True,
              touch=True, form=FormInput("hidden")),
    LeadField("form_id", Slug | None, stored="first_touch.form_id", personal=False, touch=True,
              form=FormInput("hidden")),
    LeadField("page_url", Url | None, stored="first_touch.page_url", touch=True, form=FormInput("hidden")),
    LeadField("referrer", Url | None, stored="first_touch.referrer", touch=True, form=FormInput("hidden")),
    LeadField("utm", Utm, Field(default_factory=Utm), stored="first_touch.utm", notification="details", touch=True,
              form=FormInput("hidden")),
    LeadField("message", Long | None, notification="details", importable=True, touch=True,
              form=FormInput("message", "How can we help?", widget="textarea",
                             help="What do you need, or what would you like to ask us?")),
    LeadField("language",
              Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True,
                                               pattern=r"^[A-Za-z]{2}(-[A-Za-z0-9]{2,8})?$")] | None,
              importable=True, form=FormInput("hidden")),  # the form page's language: the lead's emails follow it
    LeadField("timezone", Annotated[Short, AfterValidator(_timezone)] | None, importable=True),
    LeadField("referred_by", Short | None, importable=True),
    LeadField("recent_company_change", Short | None),
    LeadField("budget", Short | None, stored="qualification.budget", notification="answers",
              form=FormInput("project", "Budget", help="Roughly what you plan to spend, for example under 5,000 EUR "
                                                       "a year.", attrs=_attrs(maxlength=200))),
    LeadField("authority", Short | None, stored="qualification.authority", notification="answers",
              form=FormInput("project", "Your part in the decision",
                             help="For example: I decide, I recommend, or I am gathering information.",
                             attrs=_attrs(maxlength=200))),
    LeadField("need", Long | None, stored="qualification.need", notification="answers",
              form=FormInput("project", "The problem to solve", widget="textarea", rows=3,
                             help="What should be different once this is solved?")),
    LeadField("timing", Short | None, stored="qualification.timing", notification="answers",
              form=FormInput("project", "Timing", help="When would you like a solution in place?",
                             attrs=_attrs(maxlength=200))),
    LeadField("marketing_consent", bool, False, stored="consent.given", personal=False,
              form=FormInput("consent", "Marketing email", widget="checkbox")),
    LeadField("consent_text", Long | None, stored="consent.wording", form=FormInput("hidden")),
)
FIELDS_BY_NAME: Mapping[str, LeadField] = MappingProxyType({lead_field.name: lead_field for lead_field in LEAD_FIELDS})

# What the CRM records about handling the lead, by attribute (or "<map>.<key>"), and what erasure does with it:
# kept on the tombstone (process facts, no person in them), removed, or scrubbed (its free text may quote the
# person: crm.services.deletion rewrites it without their words).
KEPT, REMOVED, SCRUBBED = "kept", "removed", "scrubbed"
LEAD_RECORD_ATTRIBUTES: Mapping[str, str] = MappingProxyType({
    "lead_id": KEPT, "first_touch.at": KEPT, "consent.at": KEPT, "touch_count": KEPT, "last_touch_at": KEPT,
    "score": KEPT, "temperature": KEPT, "cycle": KEPT, "score_parts": SCRUBBED, "status": KEPT, "owner_id": KEPT,
    "assignment_reason": KEPT, "created_at": KEPT, "first_contact_due_at": KEPT, "first_contact_at": KEPT,
    "seconds_to_first_contact": KEPT, "escalations": KEPT, "attempts_without_response": KEPT, "answered_calls": KEPT,
    "replies": KEPT, "previous_owner_ids": KEPT, "call_task_id": KEPT, "lifecycle_execution": KEPT, "nurture": KEPT,
    "lifecycle_resume": KEPT, "lifecycle_resumes": KEPT,
    "opens": KEPT, "clicks": KEPT, "promoted_at": KEPT, "unsubscribe_token": REMOVED, "unsubscribed_at": KEPT,
    "consent_pending": REMOVED,
    "email_suppressed": KEPT, "sms_opt_out": KEPT, "junk": SCRUBBED, "deletion_request": SCRUBBED, "erased_at": KEPT,
    "converted_at": KEPT, "account_id": KEPT, "contact_id": KEPT, "deal_id": KEPT, "version": KEPT,
})


def fields_where(**wanted: object) -> tuple[LeadField, ...]:
    """The declared fields whose flags have these values, in declaration order: fields_where(personal=True)."""
    return tuple(lead_field for lead_field in LEAD_FIELDS
                 if all(getattr(lead_field, flag) == value for flag, value in wanted.items()))


def names(fields: tuple[LeadField, ...]) -> tuple[str, ...]:
    return tuple(lead_field.name for lead_field in fields)


OWN_ATTRIBUTES = fields_where(container=None)
"""The fields the stored lead keeps as attributes of their own (the others live in its maps)."""
PERSONAL = fields_where(personal=True)
NOTIFIED = tuple(lead_field for lead_field in LEAD_FIELDS if lead_field.notification)
QUALIFICATION = fields_where(container="qualification")


def stored_value(lead: object, lead_field: LeadField) -> Any:
    """The field's value as `lead` (a stored lead) keeps it; None when it has none."""
    container = lead_field.container
    if container is None:
        return getattr(lead, lead_field.name, None)
    holder = getattr(lead, container, None)
    if holder is None:
        return None
    return holder.get(lead_field.key) if isinstance(holder, dict) else getattr(holder, lead_field.key, None)


def submitted_value(submission: BaseModel, lead_field: LeadField) -> Any:
    """The field's value in a submission as the lead stores it: a nested model (utm) as its non-empty parts."""
    value = getattr(submission, lead_field.name)
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_none=True) or None
    return value


SITE_MODULE = "static_site/js/lead_fields.js"


def site_module() -> str:
    """The record page's lead facts as the site's ES module (the site has no build step, so it is committed; a test
    keeps it equal to this)."""
    import json

    facts = json.dumps([field.name for field in LEAD_FIELDS if field.record])
    return (f"// Written from functions/shared/crm/models/lead_fields.py (site_module); do not edit.\n"
            f"/** The lead's fields shown at the top of its record page, in declaration order. */\n"
            f"export const LEAD_RECORD_FACTS = Object.freeze({facts});\n")
