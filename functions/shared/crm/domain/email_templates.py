"""Email templates for fast personal replies (D6), as data: per language a name, a subject and a plain-text body
with placeholders such as {{ first_name }}.

Admins write templates, so they run in jinja2's sandbox and may use only the placeholders below: a typo or an
unknown name is refused when the template is saved (naming the field), never discovered when a rep sends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator, model_validator

from crm.reasons import invalid

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

LANGUAGES = ("en", "de", "hu", "el", "fa")
FALLBACK_LANGUAGE = "en"
PLACEHOLDERS = ("first_name", "name", "company", "rep_name", "rep_email", "rep_phone")
TEMPLATE_ID = r"^[a-z0-9][a-z0-9_-]{0,62}$"


@cache
def _environment() -> SandboxedEnvironment:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    # plain text: the HTML part escapes the rendered text itself (see as_html), so nothing is escaped twice
    return SandboxedEnvironment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=False)


def check_placeholders(text: str) -> str:
    """The text if it parses and uses only known placeholders; a validation error with the reason if not."""
    from jinja2 import TemplateSyntaxError, meta

    try:
        parsed = _environment().parse(text)
        _environment().compile(parsed)  # also finds unknown filters and tests
    except TemplateSyntaxError as error:
        raise invalid("template_syntax", error=error.message or "", line=error.lineno) from None
    unknown = sorted(meta.find_undeclared_variables(parsed) - set(PLACEHOLDERS))
    if unknown:
        raise invalid("template_placeholder", placeholder=f"{{{{ {unknown[0]} }}}}",
                      placeholders=", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS))
    return text


class TemplateText(BaseModel):
    """One language's version of a template."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    subject: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    body: Annotated[str, StringConstraints(min_length=1, max_length=10_000)]

    @field_validator("subject", "body")
    @classmethod
    def _renderable(cls, text: str) -> str:
        return check_placeholders(text)

    @field_validator("subject")
    @classmethod
    def _one_line(cls, subject: str) -> str:
        if "\n" in subject or "\r" in subject:
            raise invalid("one_line")
        return subject


class EmailTemplate(BaseModel):
    """A template in one or more languages; English is required, as every other language falls back to it."""

    model_config = ConfigDict(extra="forbid")

    translations: dict[str, TemplateText]

    @field_validator("translations")
    @classmethod
    def _known_languages(cls, translations: dict[str, TemplateText]) -> dict[str, TemplateText]:
        unknown = sorted(set(translations) - set(LANGUAGES))
        if unknown:
            raise invalid("template_language_unknown", language=unknown[0], languages=", ".join(LANGUAGES))
        return translations

    @model_validator(mode="after")
    def _has_fallback(self) -> EmailTemplate:
        if FALLBACK_LANGUAGE not in self.translations:
            raise invalid("template_needs_fallback", language=FALLBACK_LANGUAGE)
        return self

    def text(self, language: str | None) -> tuple[str, TemplateText]:
        """The version for `language` (its own, else English) and the language it is in."""
        chosen = language if language in self.translations else FALLBACK_LANGUAGE
        return chosen, self.translations[chosen]


@dataclass(frozen=True)
class RenderedText:
    language: str
    subject: str
    body: str


def placeholder_values(*, name: str | None, company: str | None, rep_name: str, rep_email: str,
                       rep_phone: str | None) -> dict[str, str]:
    """What the placeholders stand for; a missing value renders as nothing rather than failing the send."""
    full_name = (name or "").strip()
    return {"first_name": full_name.split()[0] if full_name else "", "name": full_name, "company": company or "",
            "rep_name": rep_name, "rep_email": rep_email, "rep_phone": rep_phone or ""}


def render(template: EmailTemplate, language: str | None, values: dict[str, str]) -> RenderedText:
    """Subject and body in the recipient's language, rendered in the sandbox."""
    chosen, text = template.text(language)
    environment = _environment()
    subject = " ".join(environment.from_string(text.subject).render(values).split())
    body = environment.from_string(text.body).render(values).strip()
    return RenderedText(chosen, subject, body)


def as_html(body: str, rtl: bool, footer: str | None = None) -> str:
    """The plain-text body as HTML: every value escaped, blank lines make paragraphs, line breaks kept."""
    from markupsafe import escape

    paragraphs = [part for part in body.replace("\r\n", "\n").split("\n\n") if part.strip()]
    html = "".join(f"<p>{'<br>'.join(str(escape(line)) for line in part.split(chr(10)))}</p>" for part in paragraphs)
    if footer:
        html += f'<p style="color:#555;font-size:12px">{escape(footer)}</p>'
    direction = "rtl" if rtl else "ltr"
    return f'<!doctype html><html dir="{direction}"><body style="font-family:sans-serif">{html}</body></html>'


def _template(texts: dict[str, tuple[str, str, str]]) -> EmailTemplate:
    return EmailTemplate(translations={language: TemplateText(name=name, subject=subject, body=body)
                                       for language, (name, subject, body) in texts.items()})


DEFAULT_TEMPLATES: dict[str, EmailTemplate] = {
    "follow_up_after_call": _template({
        "en": ("Follow-up after a call", "Thank you for our call, {{ first_name }}",
               "Hello {{ first_name }},\n\nthank you for taking the time to talk with me today. As promised, here "
               "is a short summary and the next steps for {{ company }}.\n\nIf anything is unclear, just reply to "
               "this email.\n\nBest regards,\n{{ rep_name }}\n{{ rep_phone }}"),
        "de": ("Nachfassen nach einem Anruf", "Danke für unser Gespräch, {{ first_name }}",
               "Hallo {{ first_name }},\n\nvielen Dank, dass Sie sich heute Zeit für das Gespräch genommen haben. "
               "Wie versprochen hier eine kurze Zusammenfassung und die nächsten Schritte für {{ company }}.\n\n"
               "Wenn etwas unklar ist, antworten Sie einfach auf diese E-Mail.\n\nViele Grüße\n{{ rep_name }}\n"
               "{{ rep_phone }}"),
        "hu": ("Utókövetés hívás után", "Köszönöm a beszélgetést, {{ first_name }}",
               "Kedves {{ first_name }}!\n\nKöszönöm, hogy ma időt szánt a beszélgetésre. Ahogy megígértem, "
               "küldöm a rövid összefoglalót és a következő lépéseket a(z) {{ company }} számára.\n\nHa bármi "
               "nem egyértelmű, válaszoljon erre az e-mailre.\n\nÜdvözlettel:\n{{ rep_name }}\n{{ rep_phone }}"),
        "el": ("Συνέχεια μετά από κλήση", "Ευχαριστώ για τη συζήτηση, {{ first_name }}",
               "Γεια σας {{ first_name }},\n\nσας ευχαριστώ που αφιερώσατε χρόνο για τη σημερινή μας συζήτηση. "
               "Όπως υποσχέθηκα, ακολουθεί μια σύντομη περίληψη και τα επόμενα βήματα για την {{ company }}.\n\n"
               "Αν κάτι δεν είναι σαφές, απλώς απαντήστε σε αυτό το email.\n\nΜε εκτίμηση,\n{{ rep_name }}\n"
               "{{ rep_phone }}"),
        "fa": ("پیگیری پس از تماس", "{{ first_name }}، از گفت‌وگوی ما سپاسگزارم",
               "سلام {{ first_name }}،\n\nسپاسگزارم که امروز برای گفت‌وگو وقت گذاشتید. همان‌طور که قول دادم، "
               "خلاصه‌ای کوتاه و گام‌های بعدی برای {{ company }} را می‌فرستم.\n\nاگر نکته‌ای روشن نیست، کافی است "
               "به همین ایمیل پاسخ دهید.\n\nبا احترام،\n{{ rep_name }}\n{{ rep_phone }}"),
    }),
    "meeting_confirmation": _template({
        "en": ("Meeting confirmation", "Our meeting is confirmed",
               "Hello {{ first_name }},\n\nthis confirms our meeting. I look forward to speaking with you about "
               "what {{ company }} needs.\n\nIf the time no longer suits you, reply and we will find another."
               "\n\nBest regards,\n{{ rep_name }}"),
        "de": ("Terminbestätigung", "Unser Termin ist bestätigt",
               "Hallo {{ first_name }},\n\nhiermit bestätige ich unseren Termin. Ich freue mich darauf, mit Ihnen "
               "über die Anforderungen von {{ company }} zu sprechen.\n\nFalls der Termin nicht mehr passt, "
               "antworten Sie einfach, dann finden wir einen neuen.\n\nViele Grüße\n{{ rep_name }}"),
        "hu": ("Időpont megerősítése", "Megerősítem a találkozónkat",
               "Kedves {{ first_name }}!\n\nEzúton megerősítem a találkozónkat. Örömmel beszélek Önnel arról, "
               "mire van szüksége a(z) {{ company }} cégnek.\n\nHa az időpont már nem megfelelő, válaszoljon, és "
               "keresünk egy másikat.\n\nÜdvözlettel:\n{{ rep_name }}"),
        "el": ("Επιβεβαίωση συνάντησης", "Η συνάντησή μας επιβεβαιώθηκε",
               "Γεια σας {{ first_name }},\n\nεπιβεβαιώνω τη συνάντησή μας. Ανυπομονώ να συζητήσουμε τι "
               "χρειάζεται η {{ company }}.\n\nΑν η ώρα δεν σας εξυπηρετεί πια, απαντήστε και θα βρούμε άλλη."
               "\n\nΜε εκτίμηση,\n{{ rep_name }}"),
        "fa": ("تأیید جلسه", "جلسهٔ ما تأیید شد",
               "سلام {{ first_name }}،\n\nبدین‌وسیله جلسهٔ ما را تأیید می‌کنم. مشتاقم دربارهٔ نیازهای "
               "{{ company }} با شما صحبت کنم.\n\nاگر این زمان دیگر مناسب نیست، پاسخ دهید تا زمان دیگری پیدا "
               "کنیم.\n\nبا احترام،\n{{ rep_name }}"),
    }),
    "proposal_sent": _template({
        "en": ("Proposal sent", "Your proposal for {{ company }}",
               "Hello {{ first_name }},\n\nas discussed, I have prepared our proposal for {{ company }}. Please "
               "have a look and let me know your questions; I am happy to walk you through it.\n\nBest regards,"
               "\n{{ rep_name }}\n{{ rep_email }}"),
        "de": ("Angebot gesendet", "Ihr Angebot für {{ company }}",
               "Hallo {{ first_name }},\n\nwie besprochen habe ich unser Angebot für {{ company }} vorbereitet. "
               "Sehen Sie es sich gern an und schreiben Sie mir Ihre Fragen; ich gehe es auch gern mit Ihnen "
               "durch.\n\nViele Grüße\n{{ rep_name }}\n{{ rep_email }}"),
        "hu": ("Ajánlat elküldve", "Ajánlatunk a(z) {{ company }} részére",
               "Kedves {{ first_name }}!\n\nAhogy megbeszéltük, elkészítettem ajánlatunkat a(z) {{ company }} "
               "részére. Nézze át, és írja meg a kérdéseit; szívesen végig is megyek rajta Önnel.\n\n"
               "Üdvözlettel:\n{{ rep_name }}\n{{ rep_email }}"),
        "el": ("Η προσφορά στάλθηκε", "Η προσφορά σας για την {{ company }}",
               "Γεια σας {{ first_name }},\n\nόπως συζητήσαμε, ετοίμασα την προσφορά μας για την {{ company }}. "
               "Ρίξτε μια ματιά και πείτε μου τις ερωτήσεις σας· θα χαρώ να την εξετάσουμε μαζί.\n\n"
               "Με εκτίμηση,\n{{ rep_name }}\n{{ rep_email }}"),
        "fa": ("پیشنهاد ارسال شد", "پیشنهاد ما برای {{ company }}",
               "سلام {{ first_name }}،\n\nهمان‌طور که صحبت کردیم، پیشنهاد خود را برای {{ company }} آماده کرده‌ام. "
               "لطفاً آن را ببینید و پرسش‌هایتان را برایم بنویسید؛ با کمال میل آن را با شما مرور می‌کنم.\n\n"
               "با احترام،\n{{ rep_name }}\n{{ rep_email }}"),
    }),
    "checking_in": _template({
        "en": ("Checking in", "Checking in, {{ first_name }}",
               "Hello {{ first_name }},\n\nI wanted to check in: is there anything I can help {{ company }} with "
               "right now? A short reply is enough.\n\nBest regards,\n{{ rep_name }}"),
        "de": ("Kurz nachgefragt", "Kurz nachgefragt, {{ first_name }}",
               "Hallo {{ first_name }},\n\nich wollte kurz nachfragen: Kann ich {{ company }} gerade bei etwas "
               "unterstützen? Eine kurze Antwort genügt.\n\nViele Grüße\n{{ rep_name }}"),
        "hu": ("Érdeklődés", "Érdeklődöm, {{ first_name }}",
               "Kedves {{ first_name }}!\n\nSzeretnék érdeklődni: segíthetek most valamiben a(z) {{ company }} "
               "számára? Egy rövid válasz is elég.\n\nÜdvözlettel:\n{{ rep_name }}"),
        "el": ("Ενημέρωση", "Τι νέα, {{ first_name }};",
               "Γεια σας {{ first_name }},\n\nήθελα να ρωτήσω: υπάρχει κάτι που μπορώ να κάνω για την "
               "{{ company }} αυτή τη στιγμή; Μια σύντομη απάντηση αρκεί.\n\nΜε εκτίμηση,\n{{ rep_name }}"),
        "fa": ("احوال‌پرسی", "{{ first_name }}، خواستم احوالی بپرسم",
               "سلام {{ first_name }}،\n\nخواستم بپرسم آیا اکنون کاری هست که بتوانم برای {{ company }} انجام "
               "دهم؟ یک پاسخ کوتاه کافی است.\n\nبا احترام،\n{{ rep_name }}"),
    }),
}
