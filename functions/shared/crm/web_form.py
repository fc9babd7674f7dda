"""The public lead form (L1) as HTML: the same page is the static form and the answer to an invalid post.

`static_site/form.html` is exactly `render_lead_form({}, [])` (a unit test keeps them equal), so the page a
visitor first sees and the page the intake handler sends back with the messages never drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from crm.domain.company_size import BANDS
from crm.models.lead_fields import DEFAULT_SOURCE, LEAD_FIELDS, UTM_FIELDS, LeadField
from crm.models.leads import FieldError

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).parent / "templates"

DEFAULT_FORM_ID = "website-contact"
HONEYPOT_FIELD = "website"
"""A field people never see; the intake handler treats a filled one as a bot."""

CONSENT_TEXT = (
    "Yes, you may email me news, offers and invitations. I can unsubscribe at any time with the link in "
    "every email."
)
"""Shown next to the marketing consent box and posted verbatim as `consent_text`, as the record of consent."""

FORM_FIELDS = tuple(field for field in LEAD_FIELDS if field.form is not None)
SECTIONS: dict[str, tuple[LeadField, ...]] = {
    section: tuple(field for field in FORM_FIELDS if field.form and field.form.section == section)
    for section in dict.fromkeys(field.form.section for field in FORM_FIELDS if field.form)}
"""The form's inputs by section (about, reach, message, project, consent, hidden), each in declaration order."""

LABELS: dict[str, str] = {field.name: field.form.label for field in FORM_FIELDS if field.form and field.form.label}
"""Every visible field, by the name it is posted under, with the label a person sees."""

ERROR_TARGETS: dict[str, str] = {"consent_text": "marketing_consent"}
"""Errors reported on a hidden input that belong to a visible one."""

BANT_FIELDS = tuple(field.name for field in SECTIONS["project"])
HIDDEN_FIELDS = tuple(name for field in SECTIONS["hidden"] for name in (UTM_FIELDS if field.name == "utm" else
                                                                         (field.name,)))
"""The inputs the page fills itself (utm is one per UTM tag)."""


@cache
def _environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _errors_by_field(errors: Sequence[FieldError]) -> tuple[dict[str, list[str]], list[tuple[str | None, str]]]:
    """Messages grouped under the visible field they belong to, and the summary lines (anchor, text)."""
    by_field: dict[str, list[str]] = {}
    summary: list[tuple[str | None, str]] = []
    for error in errors:
        field = ERROR_TARGETS.get(error.field, error.field)
        if field in LABELS:
            by_field.setdefault(field, []).append(error.message)
            summary.append((field, f"{LABELS[field]}: {error.message}"))
        elif field == HONEYPOT_FIELD:
            continue
        else:
            summary.append((None, f"{field.replace('_', ' ').capitalize()}: {error.message}"))
    return by_field, summary


def render_lead_form(values: Mapping[str, str], errors: Sequence[FieldError], action: str = "/leads") -> str:
    """The lead form, filled with what was posted and each error shown next to its field and in a summary."""
    by_field, summary = _errors_by_field(errors)
    kept = {key: str(value) for key, value in values.items() if key != HONEYPOT_FIELD and value is not None}
    return _environment().get_template("lead_form.html.j2").render(
        action=action,
        values=kept,
        errors=by_field,
        summary=summary,
        labels=LABELS,
        sections=SECTIONS,
        choices={"company_size": [("", "Choose a size"), *((label, f"{label} people") for *_range, label in BANDS)]},
        checkbox_texts={"marketing_consent": CONSENT_TEXT},
        checked={"marketing_consent": kept.get("marketing_consent", "").strip().lower() in {"on", "true", "yes", "1"}},
        hidden=[(name, _hidden_value(name, kept)) for name in HIDDEN_FIELDS],
        bant_open=any(kept.get(field) or field in by_field for field in BANT_FIELDS),
        honeypot=HONEYPOT_FIELD,
    )


def _hidden_value(name: str, kept: Mapping[str, str]) -> str:
    """The consent's wording is always the form's own; source and form id default to this form's."""
    if name == "consent_text":
        return CONSENT_TEXT
    defaults = {"source": DEFAULT_SOURCE, "form_id": DEFAULT_FORM_ID}
    return kept.get(name) or defaults.get(name, "")


def render_thank_you() -> str:
    """The built-in page a plain HTML form post lands on when no ThankYouUrl is configured."""
    return _environment().get_template("thank_you.html.j2").render()


UNSUBSCRIBE_WORDS = {
    "en": {"title": "Unsubscribe", "confirm": "Stop all emails from us to this address?", "button": "Unsubscribe",
           "done_title": "You are unsubscribed", "done": "You will get no more emails from us. Write to us any time.",
           "invalid_title": "This link does not work", "invalid": "Please use the link from one of our emails."},
    "de": {"title": "Abmelden", "confirm": "Keine E-Mails mehr von uns an diese Adresse?", "button": "Abmelden",
           "done_title": "Sie sind abgemeldet",
           "done": "Sie erhalten keine E-Mails mehr von uns. Schreiben Sie uns jederzeit.",
           "invalid_title": "Dieser Link funktioniert nicht",
           "invalid": "Bitte verwenden Sie den Link aus einer unserer E-Mails."},
    "hu": {"title": "Leiratkozás", "confirm": "Nem kér több e-mailt tőlünk erre a címre?", "button": "Leiratkozom",
           "done_title": "Leiratkozott", "done": "Nem küldünk több e-mailt. Bármikor írhat nekünk.",
           "invalid_title": "Ez a link nem működik", "invalid": "Kérjük, az egyik e-mailünkben lévő linket használja."},
    "el": {"title": "Διαγραφή", "confirm": "Να σταματήσουν όλα τα email μας προς αυτή τη διεύθυνση;",
           "button": "Διαγραφή", "done_title": "Η διαγραφή σας ολοκληρώθηκε",
           "done": "Δεν θα λαμβάνετε πλέον email από εμάς. Γράψτε μας όποτε θέλετε.",
           "invalid_title": "Αυτός ο σύνδεσμος δεν λειτουργεί",
           "invalid": "Χρησιμοποιήστε τον σύνδεσμο από κάποιο email μας."},
    "fa": {"title": "لغو اشتراک", "confirm": "ارسال همهٔ ایمیل‌های ما به این نشانی متوقف شود؟", "button": "لغو اشتراک",
           "done_title": "اشتراک شما لغو شد",
           "done": "دیگر ایمیلی از ما دریافت نمی‌کنید. هر زمان خواستید برای ما بنویسید.",
           "invalid_title": "این پیوند کار نمی‌کند", "invalid": "لطفاً از پیوند یکی از ایمیل‌های ما استفاده کنید."},
}


def render_unsubscribe_page(state: str, language: str | None, action: str = "") -> str:
    """state: confirm (a button that posts), done, or invalid; in the lead's language when we know it."""
    from crm.notifications.render import resolve_language

    lang = resolve_language(language)
    return _environment().get_template("unsubscribe.html.j2").render(
        state=state, words=UNSUBSCRIBE_WORDS[lang], language=lang, direction="rtl" if lang == "fa" else "ltr",
        action=action)
