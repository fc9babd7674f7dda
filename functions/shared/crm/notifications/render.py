"""Rendering notification emails (subject, HTML, text) and SMS in the reader's language.

Templates live in `templates/<name>/` (`subject.txt.j2`, `body.html.j2`, `body.txt.j2`, and `sms.txt.j2`
for those that have an SMS); the HTML parts extend one shared layout. Words come from `messages.py`
through `t(key, **values)`, so a template is written once for every language.

Two audiences: CRM users (reps, managers) get work notifications; leads get personal emails and SMS from
their rep (`LEAD_EMAIL_TEMPLATES`, `LEAD_SMS_TEMPLATES`), which always carry an unsubscribe link, the sender's
postal address when configured, and (SMS) an opt-out hint.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm.models.lead_fields import NOTIFIED
from crm.notifications.messages import MESSAGES, RTL_LANGUAGES

if TYPE_CHECKING:
    from jinja2 import Environment

SUPPORTED_LANGUAGES = ("en", "de", "hu", "el", "fa")
DEFAULT_LANGUAGE = "en"
SMS_MAX_LENGTH = 320
SUBJECT_NAME_MAX_LENGTH = 80

STAFF_EMAIL_TEMPLATES = (
    "new_lead_for_rep",
    "missed_first_contact_for_manager",
    "lead_went_cold_for_manager",
    "workflow_failed_for_manager",
    "lead_engaged_for_rep",
)
LEAD_EMAIL_TEMPLATES = (
    "nurture_info_pack",
    "nurture_weekly",
    "nurture_newsletter",
    "nurture_big_bang",
    "lead_status_attempting",
    "lead_status_contacted",
    "lead_status_not_interested",
    "consent_confirmation",  # double opt-in: renewed consent after an unsubscribe waits for it (crm.services.consent)
)
# staff email not about one lead's details (no lead in the subject): stalled deals, a missed call
DEAL_EMAIL_TEMPLATES = ("stalled_deals_for_rep", "missed_call_for_rep")
EMAIL_TEMPLATES = STAFF_EMAIL_TEMPLATES + LEAD_EMAIL_TEMPLATES + DEAL_EMAIL_TEMPLATES
LEAD_SMS_TEMPLATES = ("lead_status_attempting", "lead_status_contacted", "lead_status_not_interested")
SMS_TEMPLATES = ("new_lead_for_rep", "lead_engaged_for_rep", "missed_call_for_rep", *LEAD_SMS_TEMPLATES)

TEMPLATES = Path(__file__).parent / "templates"

LEAD_FIELDS = ("id", *(field.name for field in NOTIFIED), "temperature", "score")
REP_DETAILS = ("rating", *(field.name for field in NOTIFIED if field.notification == "details"))
"""The rows of a rep's notification about a lead ("rating" is its temperature and score), in declaration order."""
REP_ANSWERS = tuple(field.name for field in NOTIFIED if field.notification == "answers")

_FSI, _PDI = "\u2068", "\u2069"  # first-strong isolate: keeps Latin names and numbers readable in RTL text
_NOT_ISOLATED = frozenset({"url"})  # mail clients and phones must still see a bare link


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


Row = tuple[str, str, str]
"""A details row: (label, value, kind); kind is text, ltr, email, phone, multiline."""


@cache
def _environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def resolve_language(language: str | None) -> str:
    """"de-AT", "de_at" and "DE" are German; anything unknown (or nothing) is English."""
    if not language:
        return DEFAULT_LANGUAGE
    normalized = language.strip().replace("_", "-").lower()
    if normalized in SUPPORTED_LANGUAGES:
        return normalized
    base = normalized.split("-", 1)[0]
    return base if base in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def _clean(value: object) -> str | None:
    """A displayable string, or None for nothing worth a row (None, blanks)."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)].rstrip() + "…"


class Translator:
    """`t("key", **values)`: looks the key up in the template's section, then "common"; "section.key" is
    explicit. A `count` value picks the `_one` / `_other` form. Values (but URLs) are isolated in RTL languages."""

    def __init__(self, language: str, section: str) -> None:
        self.language = language
        self.section = section
        self.rtl = language in RTL_LANGUAGES

    def lookup(self, key: str, count: int | None = None) -> str:
        catalogue = MESSAGES[self.language]
        if count is not None:
            key = f"{key}_one" if count == 1 else f"{key}_other"
        section, _, name = key.rpartition(".")
        for where in ([section] if section else [self.section, "common"]):
            if name in catalogue.get(where, {}):
                return catalogue[where][name]
        raise KeyError(f"no message {key!r} for {self.language!r} in section {self.section!r}")

    def isolate(self, value: object) -> str:
        text = str(value)
        return f"{_FSI}{text}{_PDI}" if self.rtl and text else text

    def __call__(self, key: str, **values: object) -> str:
        count = values.get("count")
        message = self.lookup(key, count if isinstance(count, int) else None)
        return message.format_map({name: str(value) if name in _NOT_ISOLATED else self.isolate(value)
                                   for name, value in values.items()})


def placeholders(message: str) -> frozenset[str]:
    """The {names} a message uses (for checking that translations agree)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(message) if name)


def _lead(raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """Every known lead field present (None when empty), so templates never hit an undefined one."""
    raw = raw or {}
    lead: dict[str, Any] = {field: _clean(raw.get(field)) for field in LEAD_FIELDS if field != "utm"}
    utm = raw.get("utm") or {}
    lead["utm"] = {key: text for key, value in utm.items() if (text := _clean(value))} \
        if isinstance(utm, Mapping) else {}
    return lead


def _label(t: Translator, section: str, key: str, shown: str) -> str:
    """The catalogue's word for one of the CRM's own values; anything else (a team's own) as given."""
    try:
        return t.lookup(f"{section}.{key}")
    except KeyError:
        return shown


def _source_label(source: str, t: Translator) -> str:
    return _label(t, "sources", source, source)


def _stage_name(deal: Mapping[str, Any], t: Translator) -> str:
    """A default pipeline stage under its default name is shown in the reader's language (as on the site); a stage
    the team added or renamed is shown as the team wrote it."""
    from crm.domain.pipelines import DEFAULT_PIPELINE

    stage_id, name = str(deal.get("stage_id") or ""), str(deal.get("stage_name") or "")
    default = next((stage.name for stage in DEFAULT_PIPELINE.stages if stage.id == stage_id), None)
    return _label(t, "stages", stage_id, name) if default == name else name


def lead_rows(lead: Mapping[str, Any], fields: Iterable[str], t: Translator) -> list[Row]:
    """Label and value of each of `fields` that the lead has, in order; absent ones make no row."""
    rows: list[Row] = []
    for field in fields:
        value = lead.get(field)
        if not value and field != "rating":
            continue
        if field == "rating":
            if lead.get("temperature") in {"hot", "warm", "cold"}:
                score = f" · {lead['score']}/100" if lead.get("score") is not None else ""
                temperature = t.lookup(f"temperatures.{lead['temperature']}")
                rows.append((t.lookup("fields.rating"), temperature + score, "text"))
            continue
        if field == "utm":
            text = ", ".join(f"{key.removeprefix('utm_')}={item}" for key, item in value.items())
            rows.append((t.lookup("fields.utm"), text, "ltr"))
        elif field == "source":
            rows.append((t.lookup("fields.source"), _source_label(value, t), "text"))
        else:
            kind = {"email": "email", "phone": "phone", "id": "ltr", "message": "multiline"}.get(field, "text")
            rows.append((t.lookup("fields.lead_id" if field == "id" else f"fields.{field}"), value, kind))
    return rows


def _link(url: object) -> str | None:
    text = _clean(url)
    return text if text and text.lower().startswith(("https://", "http://")) else None


def _short(value: str | None) -> str | None:
    """One line of readable length: lead-typed text goes into subjects, greetings and SMS."""
    return _shorten(_one_line(value), SUBJECT_NAME_MAX_LENGTH) if value else None


def _items(values: Iterable[object] | None) -> list[str]:
    """The displayable entries of a list, each once, in order."""
    return list(dict.fromkeys(text for text in (_clean(value) for value in values or ()) if text))


def _address(value: object) -> str | None:
    """A postal address on one line ("Street 1, 1234 Town"), whatever line breaks it was configured with."""
    return ", ".join(line.strip() for line in str(value or "").splitlines() if line.strip()) or None


def _company_aware(t: Translator, company: str | None) -> Callable[..., str]:
    """`tc(key, **values)`: the key's `_company` form, naming the lead's company, when we know it."""

    def tc(key: str, **values: object) -> str:
        return t(f"{key}_company", company=company, **values) if company else t(key, **values)

    return tc


def _lead_facing(context: Mapping[str, Any], t: Translator) -> dict[str, Any]:
    """A lead reads these: greeted by name only when we know it, signed by their rep."""
    lead = _lead(context.get("lead"))
    rep = context.get("rep") or {}
    return {
        "lead": lead,
        "recipient_name": _short(lead["name"]),
        "tc": _company_aware(t, _short(lead["company"])),
        "rep": {"name": _clean(rep.get("name")) or "", "email": _clean(rep.get("email")),
                "phone": _clean(rep.get("phone"))},
        "website_link": _link(context.get("website_url")),
        "unsubscribe_link": _link(context.get("unsubscribe_url")),
        "postal_address": _address(context.get("postal_address")),
        "confirm_link": _link(context.get("confirm_url")),
        "confirm_days": context.get("confirm_days") or "",
    }


def _staff_facing(template: str, context: Mapping[str, Any], t: Translator) -> dict[str, Any]:
    """A rep or manager reads these: the lead is always named, by name or else by how to reach it."""
    recipient = context.get("rep") if template.endswith("_for_rep") else context.get("manager")
    raw_lead = context.get("lead")
    lead = _lead(raw_lead) if raw_lead else None
    if lead is not None and not lead["name"]:
        lead["name"] = lead["email"] or lead["phone"] or lead["id"] or "?"
    variables: dict[str, Any] = {
        "recipient_name": _clean((recipient or {}).get("name")),
        "lead": lead,
        "lead_url": _clean(context.get("lead_url")),
        "lead_link": _link(context.get("lead_url")),
        "subject_name": _short(lead["name"]) if lead else None,
        "subject_company": _short(lead["company"]) if lead else None,
        "lead_rows": lambda fields, skip=(): lead_rows(lead or {}, [field for field in fields if field not in skip], t),
        "rep_details": REP_DETAILS,
        "rep_answers": REP_ANSWERS,
    }
    if template == "missed_first_contact_for_manager":
        variables["new_rep"] = context.get("new_rep") or None
    elif template == "lead_went_cold_for_manager":
        variables["reps_tried"] = _items(context.get("reps_tried"))
    elif template == "workflow_failed_for_manager":
        variables.update({key: _clean(context.get(key)) for key in ("step", "error", "cause")})
        step = variables["step"]
        variables["step"] = _label(t, "workflows", step.replace(" ", "_"), step) if step else "?"
    elif template == "lead_engaged_for_rep" and lead is not None:  # its rating is the lead's own, like every email
        variables.update(opened=_items(context.get("opened")), clicked=_items(context.get("clicked")))
    elif template == "stalled_deals_for_rep":
        variables["deals"] = [{**deal, "stage_name": _stage_name(deal, t)} for deal in context.get("deals") or ()]
    return variables


def _variables(template: str, language: str, context: Mapping[str, Any]) -> dict[str, Any]:
    t = Translator(language, template)
    lead_facing = template in LEAD_EMAIL_TEMPLATES
    audience = _lead_facing(context, t) if lead_facing else _staff_facing(template, context, t)
    return {
        **context,
        "t": t,
        "lang": language,
        "dir": "rtl" if t.rtl else "ltr",
        "align": "right" if t.rtl else "left",
        "end": "left" if t.rtl else "right",
        **audience,
    }


def _check(template: str, known: tuple[str, ...], kind: str) -> None:
    if template not in known:
        raise ValueError(f"no {kind} template {template!r}; known: {', '.join(known)}")


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def render_email(template: str, language: str | None, context: dict) -> RenderedEmail:
    """Subject, HTML and text of one notification email, in `language` (or its base, or English).

    A lead-facing email without a working unsubscribe link is refused (ValueError): it must never be sent."""
    _check(template, EMAIL_TEMPLATES, "email")
    environment = _environment()
    variables = _variables(template, resolve_language(language), context)
    if template in LEAD_EMAIL_TEMPLATES and not variables["unsubscribe_link"]:
        raise ValueError(f"{template!r} goes to a lead and needs an http(s) unsubscribe_url")
    subject = _one_line(environment.get_template(f"{template}/subject.txt.j2").render(variables))
    html = environment.get_template(f"{template}/body.html.j2").render({**variables, "subject": subject})
    text = environment.get_template(f"{template}/body.txt.j2").render({**variables, "subject": subject})
    return RenderedEmail(subject=subject, html=html.strip() + "\n", text=_tidy_text(text))


def render_sms(template: str, language: str | None, context: dict) -> str:
    """One plain-text line of at most SMS_MAX_LENGTH characters; long lead data is shortened first.
    An SMS to a lead always ends with the opt-out hint, however much else had to be shortened."""
    _check(template, SMS_TEMPLATES, "SMS")
    sms = _environment().get_template(f"{template}/sms.txt.j2")
    variables = _variables(template, resolve_language(language), context)
    opt_out = variables["t"]("lead_common.sms_opt_out") if template in LEAD_SMS_TEMPLATES else ""
    room = SMS_MAX_LENGTH - len(opt_out) - (1 if opt_out else 0)
    for limit in (60, 30, 15):
        text = _one_line(sms.render({**variables, "shorten": _shortener(limit)}))
        if len(text) <= room:
            break
    else:
        text = _shorten(text, room)
    return f"{text} {opt_out}" if opt_out else text


def _shortener(limit: int) -> Callable[[object], str]:
    def shorten(value: object) -> str:
        return _shorten(_one_line(str(value)), limit)

    return shorten
