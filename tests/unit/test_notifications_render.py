"""Notification emails and SMS to CRM users: every template in every language, escaping, RTL, fallbacks, the
catalogue. Emails to leads have their own checks in test_lead_emails.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from crm.notifications.messages import MESSAGES
from crm.notifications.render import (
    EMAIL_TEMPLATES,
    SMS_MAX_LENGTH,
    STAFF_EMAIL_TEMPLATES,
    SUPPORTED_LANGUAGES,
    RenderedEmail,
    placeholders,
    render_email,
    render_sms,
    resolve_language,
)

LEAD_URL = "https://crm.example.com/record.html?kind=lead&id=01HXLEAD"

FULL_LEAD = {
    "id": "01HXLEAD", "name": "Zsófia Nagy", "email": "zsofia@example.com", "phone": "+36 30 123 4567",
    "company": "Acme Kft.", "role": "Head of Sales", "company_size": "51-200", "country": "HU",
    "source": "event", "message": "We need a CRM for 12 people.\nCan you call after 3 pm?",
    "best_time_to_contact": "afternoons", "utm": {"utm_source": "linkedin", "utm_campaign": "spring"},
    "need": "Replace spreadsheets", "budget": "EUR 10k/year", "authority": "Decides with the CEO",
    "timing": "Q3",
}
EMPTY_LEAD = {"id": "01HXLEAD", "name": "Zsófia Nagy", "email": None, "phone": None, "company": None,
              "role": "", "company_size": None, "country": None, "source": None, "message": "  ",
              "best_time_to_contact": None, "utm": {}, "need": None, "budget": None, "authority": None,
              "timing": None}

FULL: dict[str, dict] = {
    "new_lead_for_rep": {
        "rep": {"name": "Anna Kovács"}, "lead": FULL_LEAD, "lead_url": LEAD_URL,
        "due_at_display": "2024-05-02 14:20 (Europe/Budapest)", "sla_minutes": 20,
    },
    "missed_first_contact_for_manager": {
        "manager": {"name": "Maria Papadopoulou"}, "lead": FULL_LEAD, "previous_rep": {"name": "Anna Kovács"},
        "new_rep": {"name": "Jonas Weber"}, "due_at_display": "2024-05-02 12:20 (UTC)",
        "received_at_display": "2024-05-02 12:00 (UTC)", "escalation_number": 2, "lead_url": LEAD_URL,
    },
    "lead_went_cold_for_manager": {
        "manager": {"name": "Maria Papadopoulou"}, "lead": FULL_LEAD,
        "reps_tried": ["Anna Kovács", "Jonas Weber"], "lead_url": LEAD_URL,
    },
    "workflow_failed_for_manager": {
        "manager": {"name": "Maria Papadopoulou"}, "lead": {"id": "01HXLEAD", "name": "Zsófia Nagy"},
        "step": "lead lifecycle", "error": "States.TaskFailed", "cause": "boom\nat line 3", "lead_url": LEAD_URL,
    },
    "lead_engaged_for_rep": {
        "rep": {"name": "Anna Kovács"}, "lead": {**FULL_LEAD, "temperature": "cold", "score": 17}, "lead_url": LEAD_URL,
        "opened": ["The information you asked for", "Part 2 of 4: something useful for this week"],
        "clicked": ["https://www.example.com/pricing"], "due_at_display": "2024-05-09 11:00 (Europe/Budapest)",
    },
}

MINIMAL: dict[str, dict] = {
    "new_lead_for_rep": {
        "rep": {"name": "Anna Kovács"}, "lead": {"name": "Zsófia Nagy"}, "lead_url": LEAD_URL,
        "due_at_display": "2024-05-02 14:20 (Europe/Budapest)", "sla_minutes": 20,
    },
    "missed_first_contact_for_manager": {
        "manager": {"name": "Maria Papadopoulou"}, "lead": {"name": "Zsófia Nagy"},
        "previous_rep": {"name": "Anna Kovács"}, "new_rep": None, "due_at_display": "2024-05-02 12:20 (UTC)",
        "received_at_display": "2024-05-02 12:00 (UTC)", "escalation_number": 1, "lead_url": LEAD_URL,
    },
    "lead_went_cold_for_manager": {
        "manager": {"name": "Maria Papadopoulou"}, "lead": {"name": "Zsófia Nagy"}, "reps_tried": [],
        "lead_url": LEAD_URL,
    },
    "workflow_failed_for_manager": {
        "manager": {"name": "Maria Papadopoulou"}, "lead": None, "step": "lead lifecycle", "error": "",
        "cause": "", "lead_url": None,
    },
    "lead_engaged_for_rep": {
        "rep": {"name": "Anna Kovács"}, "lead": {"name": "Zsófia Nagy"}, "lead_url": LEAD_URL,
        "opened": [], "clicked": [], "due_at_display": "2024-05-09 11:00 (Europe/Budapest)",
    },
}

EMPTY_FIELDS: dict[str, dict] = {
    name: {**context, "lead": EMPTY_LEAD} if name != "workflow_failed_for_manager" else context
    for name, context in FULL.items()
}

ISOLATES = re.compile("[\u2068\u2069]")


def visible(text: str) -> str:
    """Text without the invisible bidi isolates the RTL languages wrap values in."""
    return ISOLATES.sub("", text)


class _Structure(HTMLParser):
    """Collects the <html> attributes, scripts and table cells of an email."""

    def __init__(self) -> None:
        super().__init__()
        self.html_attrs: dict[str, str | None] = {}
        self.scripts = 0
        self.cells: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.html_attrs = dict(attrs)
        elif tag == "script":
            self.scripts += 1
        elif tag == "td":
            self._in_cell = True
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.cells[-1] += data


def structure(html: str) -> _Structure:
    parser = _Structure()
    parser.feed(html)
    return parser


def flat_keys(language: str) -> set[str]:
    return {f"{section}.{key}" for section, messages in MESSAGES[language].items() for key in messages}


# --- every template, every language -------------------------------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", STAFF_EMAIL_TEMPLATES)
@pytest.mark.parametrize("contexts", [FULL, MINIMAL, EMPTY_FIELDS], ids=["full", "minimal", "empty-fields"])
def test_every_email_renders_in_every_language(template: str, language: str, contexts: dict) -> None:
    email = render_email(template, language, contexts[template])

    assert isinstance(email, RenderedEmail)
    assert email.subject and "\n" not in email.subject
    assert email.html.lstrip().startswith("<!DOCTYPE html>")
    assert email.html.rstrip().endswith("</html>")
    assert structure(email.html).html_attrs["lang"] == language
    assert email.text.strip()
    for part in (email.subject, email.html, email.text):
        assert "None" not in part
        assert "{" not in visible(part) and "}" not in visible(part)  # no placeholder left unformatted


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", STAFF_EMAIL_TEMPLATES)
def test_languages_use_their_own_words(template: str, language: str) -> None:
    email = render_email(template, language, FULL[template])
    heading = MESSAGES[language][template]["heading"]
    assert escape(heading) in email.html
    assert heading in email.text
    if language != "en":
        assert MESSAGES["en"][template]["heading"] not in email.text


def test_the_subject_says_who_and_how_soon() -> None:
    email = render_email("new_lead_for_rep", "en", FULL["new_lead_for_rep"])
    assert email.subject == "New lead: Zsófia Nagy (Acme Kft.) — call within 20 minutes"
    minimal = render_email("new_lead_for_rep", "en", MINIMAL["new_lead_for_rep"])
    assert minimal.subject == "New lead: Zsófia Nagy — call within 20 minutes"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_a_lead_without_the_sla_is_promised_no_deadline(language: str) -> None:
    # Given a nurturable lead: not an expected buyer, so no first-contact deadline (only the personal route has one)
    context = {**FULL["new_lead_for_rep"], "sla_minutes": None}
    # When its rep is told about it
    email = render_email("new_lead_for_rep", language, context)
    # Then nothing promises a call within the SLA or names a deadline; the email says there is none
    words = MESSAGES[language]["new_lead_for_rep"]
    within = MESSAGES[language]["common"]["within_minutes_other"].format(count=20)
    assert visible(email.subject) == words["subject_company_no_sla"].format(name="Zsófia Nagy", company="Acme Kft.")
    for part in (visible(email.subject), visible(email.text), visible(email.html)):
        assert within not in part and "2024-05-02 14:20" not in part
    assert words["no_sla"] in visible(email.text) and escape(words["no_sla"]) in visible(email.html)


def test_a_one_minute_deadline_is_singular() -> None:
    context = {**MINIMAL["new_lead_for_rep"], "sla_minutes": 1}
    assert render_email("new_lead_for_rep", "en", context).subject.endswith("call within 1 minute")
    assert render_email("new_lead_for_rep", "de", context).subject.endswith("innerhalb von 1 Minute anrufen")


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", [name for name in STAFF_EMAIL_TEMPLATES
                                      if name != "workflow_failed_for_manager"])
def test_the_subject_contains_the_leads_name(template: str, language: str) -> None:
    for contexts in (FULL, MINIMAL):
        assert "Zsófia Nagy" in visible(render_email(template, language, contexts[template]).subject)


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_a_workflow_failure_names_the_lead_or_the_step(language: str) -> None:
    with_lead = render_email("workflow_failed_for_manager", language, FULL["workflow_failed_for_manager"])
    without = render_email("workflow_failed_for_manager", language, MINIMAL["workflow_failed_for_manager"])
    assert "Zsófia Nagy" in visible(with_lead.subject)
    assert MESSAGES[language]["workflows"]["lead_lifecycle"] in visible(without.subject)  # in the reader's words
    assert "States.TaskFailed" in with_lead.text and "boom" in with_lead.html
    other = render_email("workflow_failed_for_manager", language, {**MINIMAL["workflow_failed_for_manager"],
                                                                    "step": "deal import"})
    assert "deal import" in visible(other.subject)  # a step the catalogue does not know is named as given


def test_a_subject_stays_one_line_and_short_even_for_a_hostile_name() -> None:
    lead = {**FULL_LEAD, "name": "Evil\r\nBcc: victim@example.com " + "x" * 500}
    subject = render_email("new_lead_for_rep", "en", {**FULL["new_lead_for_rep"], "lead": lead}).subject
    assert "\r" not in subject and "\n" not in subject
    assert len(subject) < 200


# --- content ---------------------------------------------------------------------------------------------


def test_the_new_lead_email_shows_everything_the_rep_needs() -> None:
    email = render_email("new_lead_for_rep", "en", FULL["new_lead_for_rep"])
    for expected in ("Anna Kovács", "Zsófia Nagy", "Acme Kft.", "Head of Sales", "51-200", "afternoons",
                     "Event", "source=linkedin", "campaign=spring", "Replace spreadsheets", "EUR 10k/year",
                     "2024-05-02 14:20 (Europe/Budapest)", "Can you call after 3 pm?"):
        assert expected in email.text, expected
        assert expected in email.html, expected
    assert f'href="{escape(LEAD_URL)}"' in email.html
    assert 'href="mailto:zsofia@example.com"' in email.html
    assert 'href="tel:+36301234567"' in email.html
    assert LEAD_URL in email.text


def test_the_missed_contact_email_says_who_has_the_lead_now() -> None:
    reassigned = render_email("missed_first_contact_for_manager", "en", FULL["missed_first_contact_for_manager"])
    assert "passed to Jonas Weber" in reassigned.text
    assert "Escalation: 2" in reassigned.text
    stays = render_email("missed_first_contact_for_manager", "en", MINIMAL["missed_first_contact_for_manager"])
    assert "stays with Anna Kovács" in stays.text
    assert "Now assigned to" not in stays.text and "Now assigned to" not in stays.html


def test_the_cold_lead_email_lists_the_reps_tried() -> None:
    email = render_email("lead_went_cold_for_manager", "en", FULL["lead_went_cold_for_manager"])
    assert "- Anna Kovács\n- Jonas Weber" in email.text
    assert "<li" in email.html and "Jonas Weber" in email.html
    nobody = render_email("lead_went_cold_for_manager", "en", MINIMAL["lead_went_cold_for_manager"])
    assert "Reps who had the lead" not in nobody.text and "<li" not in nobody.html


def test_a_lead_reference_that_is_not_a_url_is_shown_but_not_linked() -> None:
    context = {**FULL["new_lead_for_rep"], "lead_url": "lead 01HXLEAD"}
    email = render_email("new_lead_for_rep", "en", context)
    assert "Lead: lead 01HXLEAD" in email.text
    assert 'href="lead' not in email.html
    assert "Open the lead" not in email.html


# --- safety: lead-supplied text is escaped ------------------------------------------------------------


HOSTILE = '<script>alert("x")</script>'


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", STAFF_EMAIL_TEMPLATES)
def test_html_escapes_lead_supplied_text(template: str, language: str) -> None:
    lead = {**FULL_LEAD, "name": HOSTILE, "company": "<b>Acme</b> & Sons", "message": "<img src=x onerror=y>",
            "email": '"><script>x</script>@example.com', "utm": {"utm_source": "<i>ad</i>"}}
    context = {**FULL[template], "lead": lead}
    if template == "workflow_failed_for_manager":
        context["cause"] = "<iframe src=evil>"
    email = render_email(template, language, context)

    assert structure(email.html).scripts == 0
    for raw in ("<script", "<b>Acme", "<img", "<iframe", "<i>ad"):
        assert raw not in email.html
    assert "&lt;script&gt;" in email.html
    assert HOSTILE in visible(email.text)  # the text part is plain text: shown as typed


def test_text_and_sms_are_not_html_escaped() -> None:
    lead = {**FULL_LEAD, "company": "Smith & Sons"}
    context = {**FULL["new_lead_for_rep"], "lead": lead}
    assert "Smith & Sons" in render_email("new_lead_for_rep", "en", context).text
    assert "Smith & Sons" in render_sms("new_lead_for_rep", "en", context)
    assert "&amp;" not in render_sms("new_lead_for_rep", "en", context)


# --- languages and direction --------------------------------------------------------------------------


@pytest.mark.parametrize("template", STAFF_EMAIL_TEMPLATES)
def test_persian_is_right_to_left(template: str) -> None:
    email = render_email(template, "fa", FULL[template])
    attrs = structure(email.html).html_attrs
    assert attrs["lang"] == "fa" and attrs["dir"] == "rtl"
    assert "text-align:right" in email.html and "text-align:left" not in email.html


@pytest.mark.parametrize("language", [lang for lang in SUPPORTED_LANGUAGES if lang != "fa"])
def test_other_languages_are_left_to_right(language: str) -> None:
    attrs = structure(render_email("new_lead_for_rep", language, FULL["new_lead_for_rep"]).html).html_attrs
    assert attrs == {"lang": language, "dir": "ltr"}


@pytest.mark.parametrize(("asked", "used"), [
    ("de-AT", "de"), ("de_CH", "de"), ("HU", "hu"), ("el-GR", "el"), ("fa-IR", "fa"), ("en-GB", "en"),
    ("pt-BR", "en"), ("xx", "en"), ("", "en"), (None, "en"),
])
def test_regional_and_unknown_languages_fall_back(asked: str | None, used: str) -> None:
    assert resolve_language(asked) == used
    email = render_email("new_lead_for_rep", asked, FULL["new_lead_for_rep"])
    assert structure(email.html).html_attrs["lang"] == used
    assert MESSAGES[used]["new_lead_for_rep"]["heading"] in email.text
    assert render_sms("new_lead_for_rep", asked, FULL["new_lead_for_rep"]) == \
        render_sms("new_lead_for_rep", used, FULL["new_lead_for_rep"])


# --- missing optional fields --------------------------------------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", STAFF_EMAIL_TEMPLATES)
def test_missing_optional_fields_leave_no_empty_rows(template: str, language: str) -> None:
    for contexts in (MINIMAL, EMPTY_FIELDS):
        email = render_email(template, language, contexts[template])
        labels = MESSAGES[language]["fields"]
        for field in ("email", "phone", "company", "role", "company_size", "country", "best_time_to_contact",
                      "utm", "message", "need", "budget", "authority", "timing"):
            assert f"{labels[field]}:" not in email.text, field
            assert labels[field] not in structure(email.html).cells, field
        assert MESSAGES[language]["common"]["bant"] not in email.text
        assert all(cell.strip() for cell in structure(email.html).cells if "\n" not in cell), "an empty cell"
        lines = email.text.split("\n--\n")[0].splitlines()
        for line, after in zip(lines, [*lines[1:], ""], strict=True):
            assert not (line.rstrip().endswith(":") and not after.strip()), f"a label with no value: {line}"
        assert "None" not in email.html and "None" not in email.text


def test_an_unknown_source_is_shown_as_given() -> None:
    context = {**FULL["new_lead_for_rep"], "lead": {**FULL_LEAD, "source": "podcast"}}
    assert "Source: podcast" in render_email("new_lead_for_rep", "en", context).text


# --- SMS ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_sms_is_one_short_plain_line(language: str) -> None:
    for contexts in (FULL, MINIMAL, EMPTY_FIELDS):
        sms = render_sms("new_lead_for_rep", language, contexts["new_lead_for_rep"])
        assert len(sms) <= SMS_MAX_LENGTH
        assert "\n" not in sms and "<" not in sms and "None" not in sms
        assert "Zsófia Nagy" in visible(sms)
        assert LEAD_URL in sms and f"{LEAD_URL}\u2069" not in sms  # the link is never wrapped in isolates
        assert "2024-05-02 14:20" in sms


def test_the_sms_reads_naturally() -> None:
    sms = render_sms("new_lead_for_rep", "en", FULL["new_lead_for_rep"])
    assert sms == ("New lead Zsófia Nagy (Acme Kft.), +36 30 123 4567. "
                   f"Call by 2024-05-02 14:20 (Europe/Budapest). {LEAD_URL}")
    no_phone = {**FULL["new_lead_for_rep"], "lead": {**FULL_LEAD, "phone": None}}
    assert "zsofia@example.com" in render_sms("new_lead_for_rep", "en", no_phone)
    nothing = render_sms("new_lead_for_rep", "en", MINIMAL["new_lead_for_rep"])
    assert nothing == f"New lead Zsófia Nagy. Call by 2024-05-02 14:20 (Europe/Budapest). {LEAD_URL}"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_a_long_sms_is_shortened_but_keeps_the_link(language: str) -> None:
    lead = {**FULL_LEAD, "name": "Bartholomew " * 40, "company": "Very Long Company Name " * 20,
            "phone": "+36 30 123 4567 ext. " + "9" * 100}
    sms = render_sms("new_lead_for_rep", language, {**FULL["new_lead_for_rep"], "lead": lead})
    assert len(sms) <= SMS_MAX_LENGTH
    assert sms.endswith(LEAD_URL)
    assert "…" in sms


def test_a_huge_link_still_respects_the_limit() -> None:
    context = {**FULL["new_lead_for_rep"], "lead_url": "https://crm.example.com/" + "a" * 400}
    assert len(render_sms("new_lead_for_rep", "el", context)) <= SMS_MAX_LENGTH


def test_only_known_templates_render() -> None:
    with pytest.raises(ValueError, match="no SMS template"):
        render_sms("lead_went_cold_for_manager", "en", FULL["lead_went_cold_for_manager"])
    with pytest.raises(ValueError, match="no email template"):
        render_email("../../etc/passwd", "en", {})


# --- the catalogue --------------------------------------------------------------------------------------


def test_the_catalogue_covers_exactly_the_supported_languages() -> None:
    assert set(MESSAGES) == set(SUPPORTED_LANGUAGES)


@pytest.mark.parametrize("language", [lang for lang in SUPPORTED_LANGUAGES if lang != "en"])
def test_every_language_has_every_message(language: str) -> None:
    missing = flat_keys("en") - flat_keys(language)
    extra = flat_keys(language) - flat_keys("en")
    assert not missing, f"{language} lacks translations: {sorted(missing)}"
    assert not extra, f"{language} has messages English lacks: {sorted(extra)}"


@pytest.mark.parametrize("language", [lang for lang in SUPPORTED_LANGUAGES if lang != "en"])
def test_translations_use_the_same_placeholders(language: str) -> None:
    for section, messages in MESSAGES["en"].items():
        for key, english in messages.items():
            translated = MESSAGES[language].get(section, {}).get(key, "")
            assert placeholders(translated) == placeholders(english), f"{language} {section}.{key}"
            assert translated.strip(), f"{language} {section}.{key} is empty"


def test_every_template_has_its_own_section() -> None:
    for language in SUPPORTED_LANGUAGES:
        assert set(EMAIL_TEMPLATES) <= set(MESSAGES[language])
