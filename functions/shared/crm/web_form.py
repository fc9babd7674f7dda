"""The public lead form (L1) as HTML: the same page is the static form and the answer to an invalid post.

Each static page `static_site/form.html` (English) and `form.<language>.html` is exactly `render_form_page(language)`
(a unit test keeps them equal), so the page a visitor first sees and the page the intake handler sends back with the
messages (in the language the page posted) never drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from crm.domain.company_size import BANDS
from crm.models.lead_fields import DEFAULT_SOURCE, FIELDS_BY_NAME, LEAD_FIELDS, UTM_FIELDS, LeadField
from crm.models.leads import FieldError
from crm.web_form_words import ERROR_WORDS, FIELD_WORDS, LANGUAGE_NAMES, PAGE_WORDS

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).parent / "templates"

DEFAULT_FORM_ID = "website-contact"
HONEYPOT_FIELD = "website"
"""A field people never see; the intake handler treats a filled one as a bot."""

CONSENT_TEXT = PAGE_WORDS["en"]["consent_text"]
"""Shown next to the marketing consent box and posted verbatim as `consent_text`, as the record of consent (each
language's page posts its own wording)."""

FORM_LANGUAGES = tuple(PAGE_WORDS)
"""The form is one static page per language: form.html in English, form.<language>.html in the others."""
RTL_FORM_LANGUAGES = frozenset({"fa"})

FORM_FIELDS = tuple(field for field in LEAD_FIELDS if field.form is not None)
SECTIONS: dict[str, tuple[LeadField, ...]] = {
    section: tuple(field for field in FORM_FIELDS if field.form and field.form.section == section)
    for section in dict.fromkeys(field.form.section for field in FORM_FIELDS if field.form)}
"""The form's inputs by section (about, reach, message, project, consent, hidden), each in declaration order."""

LABELS: dict[str, str] = {field.name: field.form.label for field in FORM_FIELDS if field.form and field.form.label}
"""Every visible field, by the name it is posted under, with the label a person sees (in English)."""
HINTS: dict[str, str | None] = {name: FIELDS_BY_NAME[name].form.help for name in LABELS}  # type: ignore[union-attr]

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


def form_page(language: str) -> str:
    """The static form's file name in `language`: form.html is the English one."""
    return "form.html" if language == "en" else f"form.{language}.html"


def form_language(language: str | None) -> str:
    """The form's language for a lead's `language` (de-AT reads as de); English when the form does not speak it."""
    primary = (language or "").strip().lower().split("-")[0]
    return primary if primary in PAGE_WORDS else "en"


def _field_words(language: str) -> tuple[dict[str, str], dict[str, str | None]]:
    """Each visible field's label and hint in `language`."""
    if language == "en":
        return LABELS, HINTS
    words = FIELD_WORDS[language]
    return {name: words[name][0] for name in LABELS}, {name: words[name][1] for name in LABELS}


def _error_text(error: FieldError, language: str) -> str:
    """The refusal in the form's language when its code is one the form knows; pydantic's English otherwise."""
    template = ERROR_WORDS.get(language, {}).get(error.code or "")
    if template is None:
        return error.message
    try:
        return template.format(**(error.params or {}))
    except (KeyError, IndexError):
        return error.message


def _errors_by_field(errors: Sequence[FieldError], labels: Mapping[str, str],
                     language: str) -> tuple[dict[str, list[str]], list[tuple[str | None, str]]]:
    """Messages grouped under the visible field they belong to, and the summary lines (anchor, text)."""
    by_field: dict[str, list[str]] = {}
    summary: list[tuple[str | None, str]] = []
    for error in errors:
        field = ERROR_TARGETS.get(error.field, error.field)
        message = _error_text(error, language)
        if field in labels:
            by_field.setdefault(field, []).append(message)
            summary.append((field, f"{labels[field]}: {message}"))
        elif field == HONEYPOT_FIELD:
            continue
        else:
            summary.append((None, f"{field.replace('_', ' ').capitalize()}: {message}"))
    return by_field, summary


def _page_context(language: str) -> dict[str, object]:
    """What every public page needs to speak `language`: its words, lang and direction."""
    return {"words": PAGE_WORDS[language], "language": language,
            "direction": "rtl" if language in RTL_FORM_LANGUAGES else "ltr"}


def render_lead_form(values: Mapping[str, str], errors: Sequence[FieldError], action: str = "/leads",
                     language: str | None = None, switcher: bool = False) -> str:
    """The lead form, filled with what was posted and each error shown next to its field and in a summary.

    language: the page's (by default the posted `language`, so an invalid post comes back in the visitor's own);
    switcher: links to the static page in every language (only the static pages have them to link to).
    """
    kept = {key: str(value) for key, value in values.items() if key != HONEYPOT_FIELD and value is not None}
    lang = form_language(language or kept.get("language"))
    words = PAGE_WORDS[lang]
    labels, hints = _field_words(lang)
    by_field, summary = _errors_by_field(errors, labels, lang)
    return _environment().get_template("lead_form.html.j2").render(
        **_page_context(lang),
        action=action,
        values=kept,
        errors=by_field,
        summary=summary,
        labels=labels,
        hints=hints,
        sections=SECTIONS,
        choices={"company_size": [("", words["choose_size"]),
                                  *((label, words["size"].format(band=label)) for *_range, label in BANDS)]},
        checkbox_texts={"marketing_consent": words["consent_text"]},
        checked={"marketing_consent": kept.get("marketing_consent", "").strip().lower() in {"on", "true", "yes", "1"}},
        hidden=[(name, _hidden_value(name, kept, lang)) for name in HIDDEN_FIELDS],
        bant_open=any(kept.get(field) or field in by_field for field in BANT_FIELDS),
        honeypot=HONEYPOT_FIELD,
        alternates=[(code, form_page(code), LANGUAGE_NAMES[code]) for code in FORM_LANGUAGES] if switcher else [],
    )


def render_form_page(language: str) -> str:
    """The static form page in `language` (static_site/<form_page(language)>; a unit test keeps them equal)."""
    return render_lead_form({}, [], action="/leads", language=language, switcher=True)


def _hidden_value(name: str, kept: Mapping[str, str], language: str) -> str:
    """The consent's wording is always the page's own; source, form id and language default to this page's."""
    if name == "consent_text":
        return PAGE_WORDS[language]["consent_text"]
    defaults = {"source": DEFAULT_SOURCE, "form_id": DEFAULT_FORM_ID, "language": language}
    return kept.get(name) or defaults.get(name, "")


def render_thank_you(language: str | None = None) -> str:
    """The built-in page a plain HTML form post lands on when no ThankYouUrl is configured, in the visitor's
    language."""
    return _environment().get_template("thank_you.html.j2").render(**_page_context(form_language(language)))


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


CONSENT_WORDS = {
    "en": {"title": "Emails from us again", "confirm": "Get our emails at this address again?",
           "button": "Yes, send me emails", "done_title": "Thank you, you are subscribed again",
           "done": "You can unsubscribe again from any of our emails.",
           "invalid_title": "This link does not work",
           "invalid": "It was used already or is too old. Ask again on our website if you wish."},
    "de": {"title": "Wieder E-Mails von uns", "confirm": "Wieder E-Mails von uns an diese Adresse erhalten?",
           "button": "Ja, E-Mails erhalten", "done_title": "Danke, Sie sind wieder angemeldet",
           "done": "Sie können sich in jeder unserer E-Mails wieder abmelden.",
           "invalid_title": "Dieser Link funktioniert nicht",
           "invalid": "Er wurde schon verwendet oder ist zu alt. Fragen Sie gern erneut auf unserer Website."},
    "hu": {"title": "Ismét e-mailek tőlünk", "confirm": "Ismét kér tőlünk e-maileket erre a címre?",
           "button": "Igen, kérem az e-maileket", "done_title": "Köszönjük, ismét feliratkozott",
           "done": "Bármelyik e-mailünkből újra leiratkozhat.",
           "invalid_title": "Ez a link nem működik",
           "invalid": "Már felhasználták, vagy túl régi. Ha szeretné, kérje újra a weboldalunkon."},
    "el": {"title": "Ξανά email από εμάς", "confirm": "Να λαμβάνετε ξανά τα email μας σε αυτή τη διεύθυνση;",
           "button": "Ναι, θέλω email", "done_title": "Ευχαριστούμε, εγγραφήκατε ξανά",
           "done": "Μπορείτε να διαγραφείτε ξανά από οποιοδήποτε email μας.",
           "invalid_title": "Αυτός ο σύνδεσμος δεν λειτουργεί",
           "invalid": "Έχει ήδη χρησιμοποιηθεί ή είναι πολύ παλιός. Ζητήστε το ξανά στον ιστότοπό μας αν θέλετε."},
    "fa": {"title": "دوباره ایمیل از ما", "confirm": "دوباره ایمیل‌های ما را در این نشانی دریافت می‌کنید؟",
           "button": "بله، ایمیل بفرستید", "done_title": "سپاس، دوباره مشترک شدید",
           "done": "می‌توانید از هر ایمیل ما دوباره لغو اشتراک کنید.",
           "invalid_title": "این پیوند کار نمی‌کند",
           "invalid": "پیش‌تر استفاده شده یا قدیمی است. اگر مایلید، دوباره در وب‌سایت ما درخواست کنید."},
}
"""The page of the consent confirmation link (crm.services.consent), worded like the unsubscribe page."""
LINK_PAGE_WORDS = {"unsubscribe": UNSUBSCRIBE_WORDS, "confirm-consent": CONSENT_WORDS}
UNAVAILABLE_WORDS = {
    "en": {"unavailable_title": "Please try again in a few minutes",
           "unavailable": "We could not record this just now, and nothing has changed. Please open the link again "
                          "in a few minutes."},
    "de": {"unavailable_title": "Bitte versuchen Sie es in ein paar Minuten noch einmal",
           "unavailable": "Wir konnten das gerade nicht speichern; es hat sich nichts geändert. Bitte öffnen Sie den "
                          "Link in ein paar Minuten erneut."},
    "hu": {"unavailable_title": "Kérjük, próbálja újra néhány perc múlva",
           "unavailable": "Ezt most nem tudtuk rögzíteni, és semmi sem változott. Kérjük, néhány perc múlva nyissa "
                          "meg újra a linket."},
    "el": {"unavailable_title": "Παρακαλούμε δοκιμάστε ξανά σε λίγα λεπτά",
           "unavailable": "Δεν μπορέσαμε να το καταχωρίσουμε αυτή τη στιγμή και τίποτα δεν άλλαξε. Ανοίξτε ξανά τον "
                          "σύνδεσμο σε λίγα λεπτά."},
    "fa": {"unavailable_title": "لطفاً چند دقیقهٔ دیگر دوباره تلاش کنید",
           "unavailable": "اکنون نتوانستیم این را ثبت کنیم و چیزی تغییر نکرد. لطفاً چند دقیقهٔ دیگر دوباره پیوند را "
                          "باز کنید."},
}
"""Either link's page while the CRM cannot answer it (storage down): the visitor is asked to come back."""


def render_unsubscribe_page(state: str, language: str | None, action: str = "", page: str = "unsubscribe") -> str:
    """state: confirm (a button that posts), done, invalid or unavailable; in the lead's language when we know it.
    page: the link's (unsubscribe, confirm-consent): a mail scanner follows links, only a person presses the button."""
    from crm.notifications.render import resolve_language

    lang = resolve_language(language)
    return _environment().get_template("unsubscribe.html.j2").render(
        state=state, words=LINK_PAGE_WORDS[page][lang] | UNAVAILABLE_WORDS[lang], language=lang,
        direction="rtl" if lang == "fa" else "ltr", action=action)
