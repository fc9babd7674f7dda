"""Every email and SMS the CRM sends from a template, and the public pages of crm/templates, rendered in each of the
five languages with realistic data, read as their reader would: no raw message key, no {placeholder} left unfilled,
no raw enum value (`went_cold`, `new_business`, `hot`), and no English left in de, hu, el or fa. A line identical to
the English rendering is English unless it holds only data (names, addresses, links, numbers)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest

from crm.domain.email_templates import DEFAULT_TEMPLATES, as_html, placeholder_values, render
from crm.notifications.messages import MESSAGES, RTL_LANGUAGES
from crm.notifications.render import (
    DEAL_EMAIL_TEMPLATES,
    EMAIL_TEMPLATES,
    LEAD_EMAIL_TEMPLATES,
    SMS_TEMPLATES,
    STAFF_EMAIL_TEMPLATES,
    SUPPORTED_LANGUAGES,
    render_email,
    render_sms,
)
from crm.web_form import LANGUAGE_NAMES, render_form_page, render_thank_you, render_unsubscribe_page
from tests.unit.test_lead_emails import lead_context
from tests.unit.test_notifications_render import FULL

OTHER_LANGUAGES = [language for language in SUPPORTED_LANGUAGES if language != "en"]

STALLED = {  # the shape of crm.services.robots: the default pipeline's stages, by their stored (English) names
    "rep": {"name": "Anna Kovács"}, "count": 2, "stalled_url": "https://crm.example.com/stalled.html",
    "deals": [
        {"deal_id": "01HXDEAL1", "title": "Acme Trading – 40 seats", "account_name": "Acme Trading",
         "stage_id": "proposal", "stage_name": "Proposal", "days_in_stage": 23, "max_days_in_stage": 14,
         "url": "https://crm.example.com/record.html?kind=deal&id=01HXDEAL1"},
        {"deal_id": "01HXDEAL2", "title": "Weber GmbH renewal", "account_name": None,
         "stage_id": "negotiation", "stage_name": "Negotiation", "days_in_stage": 31, "max_days_in_stage": 21,
         "url": "https://crm.example.com/record.html?kind=deal&id=01HXDEAL2"},
    ],
}
MISSED_CALL = {  # the shape of crm.services.calls: the caller's name, else the number as people write it
    "rep": {"name": "Anna Kovács"}, "caller": "Péter Nagy", "number": "+36 30 111 2233",
    "at_display": "2026-03-09 11:00 (Europe/Budapest)",
    "record_url": "https://crm.example.com/record.html?kind=lead&id=01HXLEAD1"}
NO_SLA = {**FULL["new_lead_for_rep"], "sla_minutes": None}
"""A rep's new lead that is not an expected buyer: no deadline promised."""


def email_context(template: str) -> dict:
    if template in LEAD_EMAIL_TEMPLATES:
        return lead_context()
    if template == "missed_call_for_rep":
        return MISSED_CALL
    return STALLED if template in DEAL_EMAIL_TEMPLATES else FULL[template]


@dataclass(frozen=True)
class Rendering:
    """What one reader gets: plain-text parts (subject, text body, SMS) and HTML parts, and the data in them."""

    texts: tuple[str, ...]
    htmls: tuple[str, ...]
    data: Mapping | None


def _email(template: str, context: dict) -> Callable[[str], Rendering]:
    def rendered(language: str) -> Rendering:
        email = render_email(template, language, context)
        return Rendering((email.subject, email.text), (email.html,), context)

    return rendered


def _sms(template: str, context: dict) -> Callable[[str], Rendering]:
    return lambda language: Rendering((render_sms(template, language, context),), (), context)


def _reply(template_id: str) -> Callable[[str], Rendering]:
    """A rep's personal email from a built-in template, with the unsubscribe footer the CRM adds."""
    values = placeholder_values(name="Zsófia Nagy", company="Acme Trading", rep_name="Anna Kovács",
                                rep_email="anna.kovacs@crm.example.com", rep_phone="+36 30 765 4321")

    def rendered(language: str) -> Rendering:
        text = render(DEFAULT_TEMPLATES[template_id], language, values)
        footer = MESSAGES[text.language]["lead_common"]["unsubscribe_link"].format(url="https://u.example.com/x")
        html = as_html(text.body, text.language in RTL_LANGUAGES, footer)
        return Rendering((text.subject, text.body, footer), (html,), values)

    return rendered


def _page(render_page: Callable[[str], str]) -> Callable[[str], Rendering]:
    """A public page; its language switcher names each language in that language."""
    return lambda language: Rendering((), (render_page(language),), LANGUAGE_NAMES)


REFUSED_POST = {"name": "", "email": "nope", "phone": "12", "company_size": "huge"}


def _refused_form(language: str) -> Rendering:
    """The form page answering a post it refused, in the visitor's language: each error said in it."""
    from pydantic import ValidationError

    from crm.models.leads import LeadSubmission, field_errors
    from crm.web_form import render_lead_form

    try:
        LeadSubmission.model_validate(REFUSED_POST)
    except ValidationError as error:
        errors = field_errors(error)
    return Rendering((), (render_lead_form(REFUSED_POST, errors, language=language),), REFUSED_POST)


CASES: dict[str, Callable[[str], Rendering]] = {
    **{f"email:{name}": _email(name, email_context(name)) for name in EMAIL_TEMPLATES},
    "email:new_lead_for_rep(no SLA)": _email("new_lead_for_rep", NO_SLA),
    **{f"sms:{name}": _sms(name, email_context(name)) for name in SMS_TEMPLATES},
    "sms:new_lead_for_rep(no SLA)": _sms("new_lead_for_rep", NO_SLA),
    **{f"reply:{template_id}": _reply(template_id) for template_id in DEFAULT_TEMPLATES},
    "page:form": _page(render_form_page),
    "page:form(refused)": _refused_form,
    "page:thank_you": _page(render_thank_you),
    **{f"page:unsubscribe({state})": _page(lambda language, state=state: render_unsubscribe_page(
        state, language, "/unsubscribe/01HXLEAD/3f9a2c")) for state in ("confirm", "done", "invalid", "unavailable")},
    **{f"page:confirm-consent({state})": _page(lambda language, state=state: render_unsubscribe_page(
        state, language, "confirm-consent?lead=01HXLEAD&token=3f9a2c", page="confirm-consent"))
       for state in ("confirm", "done", "invalid", "unavailable")},
}


def test_every_template_the_crm_sends_is_covered() -> None:
    assert {case.split(":")[1] for case in CASES if case.startswith("email:")} >= set(EMAIL_TEMPLATES)
    assert set(STAFF_EMAIL_TEMPLATES) | set(LEAD_EMAIL_TEMPLATES) | set(DEAL_EMAIL_TEMPLATES) == set(EMAIL_TEMPLATES)
    assert {case.split(":")[1] for case in CASES if case.startswith("sms:")} >= set(SMS_TEMPLATES)


# --- reading a rendering ---------------------------------------------------------------------------------

_ISOLATES = re.compile("[\u2068\u2069\u200e\u200f]")
_SKIPPED_TAGS = frozenset({"style", "script"})
_READ_ATTRIBUTES = frozenset({"alt", "title", "placeholder", "aria-label"})


class _Text(HTMLParser):
    """What a reader sees of an HTML part: text nodes and the attributes read out or shown, one chunk each."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        self.chunks += [value for name, value in attrs if name in _READ_ATTRIBUTES and value]
        if tag == "input" and dict(attrs).get("type") == "submit":
            self.chunks.append(dict(attrs).get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.chunks.append(data)


def lines(rendering: Rendering) -> list[str]:
    """Each visible line, whitespace collapsed."""
    chunks: list[str] = []
    for text in rendering.texts:
        chunks += text.splitlines()
    for html in rendering.htmls:
        parser = _Text()
        parser.feed(html)
        for chunk in parser.chunks:
            chunks += chunk.splitlines()
    return [line for line in (" ".join(_ISOLATES.sub("", chunk).split()) for chunk in chunks) if line]


NOT_DATA = frozenset({"stage_name", "step"})
"""Given to a template but the CRM's own words: a default stage's stored English name and the name of a workflow are
translated (a default stage as on the site)."""


def data_values(data: object) -> list[str]:
    """Every string the rendering was given (names, messages, addresses), longest first, and each line of them."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.update(part.strip() for part in [value, *value.splitlines()] if part.strip())
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if key not in NOT_DATA:
                    walk(item)
        elif isinstance(value, Iterable):
            for item in value:
                walk(item)

    walk(data)
    return sorted(found, key=len, reverse=True)


_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+|\+?\d[\d\s()./:-]*|\b\w+=[^\s,]*")  # links, numbers, utm pairs
_WORD = re.compile(r"[^\W\d_]{2,}")


def without_data(line: str, values: list[str]) -> str:
    for value in values:
        line = line.replace(value, " ")
    return _URL.sub(" ", line)


PLACEHOLDER = re.compile(r"\{\{?\s*[A-Za-z_][\w.]*\s*\}?\}|\{\s*\}")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
ENUM_WORDS = frozenset({
    *MESSAGES["en"]["temperatures"],  # hot, warm, cold
    "new", "attempting", "contacted", "unreached", "nurturable", "renewal", "upsell", "open", "done", "missed",
    "cancelled",
})
"""Single-word values the CRM stores; shown raw in another language they are English."""
SAME_IN_EVERY_LANGUAGE = frozenset({"CRM", "SMS", "UTM", "ID", "OK"})
SAME_AS_ENGLISH = {"de": frozenset({"Lead", "Budget", "Details"})}
"""Words German borrowed from English: the same word is the German one."""


def message_keys() -> re.Pattern[str]:
    sections = "|".join(sorted(map(re.escape, MESSAGES["en"]), key=len, reverse=True))
    return re.compile(rf"\b(?:{sections})\.[a-z_]+\b")


def raw_leftovers(line: str, language: str) -> list[str]:
    """Placeholders, message keys and enum values left in a line (data already removed)."""
    found = PLACEHOLDER.findall(line) + message_keys().findall(line) + SNAKE.findall(line)
    if language != "en":
        found += [word for word in _WORD.findall(SNAKE.sub(" ", line)) if word in ENUM_WORDS]
    return found


def english_words(line: str, language: str) -> list[str]:
    same = SAME_IN_EVERY_LANGUAGE | SAME_AS_ENGLISH.get(language, frozenset())
    return [word for word in _WORD.findall(line) if word not in same]


# --- the checks -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("case", CASES)
def test_nothing_raw_is_left_in_what_a_reader_gets(case: str, language: str) -> None:
    rendering = CASES[case](language)
    values = data_values(rendering.data)
    leftovers = {line: found for line in lines(rendering) if (found := raw_leftovers(without_data(line, values),
                                                                                      language))}
    assert not leftovers, f"{case} in {language}: {leftovers}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
@pytest.mark.parametrize("case", CASES)
def test_no_english_is_left_in_another_language(case: str, language: str) -> None:
    english = CASES[case]("en")
    values = data_values(english.data)
    english_lines = set(lines(english))
    left = [line for line in lines(CASES[case](language))
            if line in english_lines and english_words(without_data(line, values), language)]
    assert not left, f"{case} in {language} still says, as in English: {left}"


def test_the_checks_see_what_they_are_for() -> None:
    """The detectors themselves: each flags what it exists for, and lets data through."""
    assert raw_leftovers("Status: went_cold", "de") == ["went_cold"]
    assert raw_leftovers("Typ: new_business", "hu") == ["new_business"]
    assert raw_leftovers("Bewertung: hot · 17/100", "de") == ["hot"]
    assert raw_leftovers("Hallo {name},", "de") == ["{name}"]
    assert raw_leftovers("fields.message", "el") == ["fields.message"]
    assert raw_leftovers("Rating: Hot · 17/100", "en") == []
    values = data_values({"lead": {"name": "Zsófia Nagy", "company": "Acme Trading"}})
    data = "Zsófia Nagy · Acme Trading · https://x.example.com/a_b +36 30 123 · source=linkedin"
    assert english_words(without_data(data, values), "de") == []
    assert english_words(without_data("Call Zsófia Nagy now", values), "hu") == ["Call", "now"]
    assert english_words("Lead: Budget", "de") == [] and english_words("Lead: Budget", "hu") == ["Lead", "Budget"]


def test_every_default_stage_has_its_name_in_every_language() -> None:
    from crm.domain.pipelines import DEFAULT_PIPELINE

    ids = [stage.id for stage in DEFAULT_PIPELINE.stages]
    for language in SUPPORTED_LANGUAGES:
        assert list(MESSAGES[language]["stages"]) == ids, language
    assert [MESSAGES["en"]["stages"][stage.id] for stage in DEFAULT_PIPELINE.stages] == \
        [stage.name for stage in DEFAULT_PIPELINE.stages]


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_a_stalled_deal_names_its_stage_in_the_readers_language_unless_the_team_named_it(language: str) -> None:
    renamed = {**STALLED["deals"][1], "stage_name": "Contract talks"}  # the team's own name for the stage
    email = render_email("stalled_deals_for_rep", language, {**STALLED, "deals": [STALLED["deals"][0], renamed]})
    assert MESSAGES[language]["stages"]["proposal"] in email.text
    assert "Contract talks" in email.text and MESSAGES[language]["stages"]["negotiation"] not in email.text
