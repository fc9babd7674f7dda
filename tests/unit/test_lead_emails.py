"""Emails and SMS to leads (nurture, status changes) and the rep's "lead engaged" alert: every language, the
consent footer (unsubscribe link, postal address), escaping, direction, SMS length and opt-out, the big bang."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from crm.domain.nurture import BIG_BANG_TEMPLATE, NURTURE_TEMPLATES
from crm.domain.status_rules import LEAD_STATUS_TEMPLATES
from crm.notifications.messages import MESSAGES
from crm.notifications.render import (
    EMAIL_TEMPLATES,
    LEAD_EMAIL_TEMPLATES,
    LEAD_SMS_TEMPLATES,
    SMS_MAX_LENGTH,
    SMS_TEMPLATES,
    SUPPORTED_LANGUAGES,
    render_email,
    render_sms,
)
from crm.services.consent import CONSENT_CONFIRMATION
from tests.unit.test_notifications_render import FULL, HOSTILE, LEAD_URL, MINIMAL, structure, visible

UNSUBSCRIBE_URL = "https://crm.example.com/unsubscribe/01HXLEAD/3f9a2c"
WEBSITE_URL = "https://www.example.com/solutions"
POSTAL_ADDRESS = "Example Ltd\nMain Street 1\n1011 Budapest"
POSTAL_LINE = "Example Ltd, Main Street 1, 1011 Budapest"
REP = {"name": "Anna Kovács", "email": "anna.kovacs@crm.example.com", "phone": "+36 30 765 4321"}

LEAD = {  # the shape of crm.services.notify.lead_context(lead)
    "id": "01HXLEAD", "name": "Zsófia Nagy", "email": "zsofia@example.com", "phone": "+36 30 123 4567",
    "company": "Acme Trading", "role": "Head of Sales", "company_size": "51-200", "country": "HU",
    "message": "We need a CRM.", "best_time_to_contact": "afternoons", "source": "web_page", "temperature": "warm",
    "score": 55, "utm": {}, "need": None, "budget": None, "authority": None, "timing": None,
}

ENGAGED = "lead_engaged_for_rep"
NEW_TEMPLATES = (*LEAD_EMAIL_TEMPLATES, ENGAGED)


def lead_context(**changes: object) -> dict:
    """The context the nurture and status workflows pass to every lead-facing template."""
    context = {"lead": LEAD, "rep": REP, "unsubscribe_url": UNSUBSCRIBE_URL, "postal_address": POSTAL_ADDRESS,
               "website_url": WEBSITE_URL, "step": {"number": 2, "of": 4}}
    return {**context, **changes}


def context_for(template: str) -> dict:
    return FULL[ENGAGED] if template == ENGAGED else lead_context()


def words(language: str, section: str, key: str) -> str:
    return MESSAGES[language][section][key]


# --- the contract with the workflows ----------------------------------------------------------------------


def test_every_template_the_workflows_send_is_registered() -> None:
    assert {*NURTURE_TEMPLATES, BIG_BANG_TEMPLATE, *LEAD_STATUS_TEMPLATES, CONSENT_CONFIRMATION} == set(
        LEAD_EMAIL_TEMPLATES)
    assert set(LEAD_STATUS_TEMPLATES) == set(LEAD_SMS_TEMPLATES) <= set(SMS_TEMPLATES)
    assert set(NEW_TEMPLATES) <= set(EMAIL_TEMPLATES) and ENGAGED in SMS_TEMPLATES


# --- every template, every language ---------------------------------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", NEW_TEMPLATES)
def test_every_new_email_renders_in_every_language(template: str, language: str) -> None:
    email = render_email(template, language, context_for(template))

    assert email.subject and "\n" not in email.subject
    assert email.html.lstrip().startswith("<!DOCTYPE html>") and email.html.rstrip().endswith("</html>")
    assert structure(email.html).html_attrs["lang"] == language
    for part in (email.subject, email.html, email.text):
        assert "None" not in part
        assert "{" not in visible(part) and "}" not in visible(part)
    assert escape(words(language, template, "subject").split("{")[0]) in email.html  # the subject is the title
    if language != "en":
        assert email.subject != render_email(template, "en", context_for(template)).subject


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", LEAD_EMAIL_TEMPLATES)
def test_a_lead_email_is_a_personal_note_from_the_rep(template: str, language: str) -> None:
    email = render_email(template, language, lead_context())
    greeting = words(language, "lead_common", "greeting").format(name="Zsófia Nagy")
    sign_off = words(language, "lead_common", "sign_off")

    assert visible(email.text).startswith(greeting + "\n")
    assert f"{sign_off}\nAnna Kovács\nanna.kovacs@crm.example.com\n+36 30 765 4321\n" in visible(email.text)
    assert escape(greeting) in visible(email.html) and "<h1" not in email.html
    assert 'href="mailto:anna.kovacs@crm.example.com"' in email.html and 'href="tel:+36307654321"' in email.html
    assert "Acme Trading" in visible(email.text) and "Acme Trading" in visible(email.html)  # personalised
    if language != "en":
        assert words("en", "lead_common", "sign_off") not in email.text


# --- consent and deliverability -------------------------------------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", LEAD_EMAIL_TEMPLATES)
def test_every_lead_email_has_an_unsubscribe_link_and_the_postal_address(template: str, language: str) -> None:
    email = render_email(template, language, lead_context())
    unsubscribe = words(language, "lead_common", "unsubscribe")

    assert re.search(rf'<a href="{re.escape(UNSUBSCRIBE_URL)}"[^>]*>{re.escape(unsubscribe)}</a>', email.html)
    assert words(language, "lead_common", "unsubscribe_link").format(url=UNSUBSCRIBE_URL) in email.text
    assert POSTAL_LINE in email.html and POSTAL_LINE in visible(email.text)
    footer = visible(email.text).split("\n--\n", 1)[1]
    assert UNSUBSCRIBE_URL in footer and POSTAL_LINE in footer and words(language, "lead_common", "why") in footer


@pytest.mark.parametrize("template", LEAD_EMAIL_TEMPLATES)
def test_without_a_postal_address_the_footer_has_no_empty_line(template: str) -> None:
    email = render_email(template, "en", lead_context(postal_address="  "))
    assert UNSUBSCRIBE_URL in email.text and UNSUBSCRIBE_URL in email.html
    assert not re.search(r"<p[^>]*>\s*</p>", email.html)
    assert email.text.endswith(f"Unsubscribe: {UNSUBSCRIBE_URL}\n")


@pytest.mark.parametrize("unsubscribe_url", ["", "   ", "javascript:alert(1)", "/unsubscribe/01HXLEAD"])
def test_a_lead_email_without_a_working_unsubscribe_link_is_refused(unsubscribe_url: str) -> None:
    with pytest.raises(ValueError, match="unsubscribe"):
        render_email("nurture_newsletter", "en", lead_context(unsubscribe_url=unsubscribe_url))


# --- personalisation, when we know who they are ---------------------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", LEAD_EMAIL_TEMPLATES)
def test_without_name_or_company_the_email_still_reads_naturally(template: str, language: str) -> None:
    anonymous = {**LEAD, "name": " ", "company": None}
    email = render_email(template, language, lead_context(lead=anonymous))

    assert visible(email.text).startswith(words(language, "lead_common", "greeting_anonymous") + "\n")
    assert "None" not in email.text and "()" not in email.text and "None" not in email.html


def test_the_company_is_named_only_when_known() -> None:
    with_company = render_email("nurture_info_pack", "en", lead_context()).text
    without = render_email("nurture_info_pack", "en", lead_context(lead={**LEAD, "company": ""})).text
    assert "for you and your team at Acme Trading in one place:" in with_company
    assert "I’ve put the most important information together for you in one place:" in without


# --- safety ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", NEW_TEMPLATES)
def test_html_escapes_what_the_lead_typed(template: str, language: str) -> None:
    lead = {**LEAD, "name": HOSTILE, "company": "<b>Acme</b> & Sons"}
    context = {**context_for(template), "lead": lead}
    email = render_email(template, language, context)

    assert structure(email.html).scripts == 0
    assert "<script" not in email.html and "<b>Acme" not in email.html
    assert "&lt;script&gt;" in email.html
    assert HOSTILE in visible(email.text)


def test_a_hostile_rep_or_address_is_escaped_too() -> None:
    context = lead_context(rep={**REP, "name": "<i>Anna</i>"}, postal_address="<img src=x> Street 1")
    html = render_email("lead_status_contacted", "en", context).html
    assert "<i>Anna" not in html and "<img" not in html and "&lt;img src=x&gt; Street 1" in html


# --- direction ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("template", NEW_TEMPLATES)
def test_persian_is_right_to_left(template: str) -> None:
    email = render_email(template, "fa", context_for(template))
    assert structure(email.html).html_attrs == {"lang": "fa", "dir": "rtl"}
    assert "text-align:right" in email.html and "text-align:left" not in email.html
    assert "\u2068Zsófia Nagy\u2069" in email.text  # the Latin name is isolated inside the Persian sentence


@pytest.mark.parametrize("language", [lang for lang in SUPPORTED_LANGUAGES if lang != "fa"])
@pytest.mark.parametrize("template", NEW_TEMPLATES)
def test_other_languages_are_left_to_right(template: str, language: str) -> None:
    email = render_email(template, language, context_for(template))
    assert structure(email.html).html_attrs == {"lang": language, "dir": "ltr"}
    assert "\u2068" not in email.text


# --- the nurture cadence and seed 000's big bang ----------------------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_weekly_email_says_which_part_of_the_series_it_is(language: str) -> None:
    email = render_email("nurture_weekly", language, lead_context(step={"number": 3, "of": 4}))
    assert words(language, "nurture_weekly", "series").format(number=3, of=4) in visible(email.text)
    assert "3" in email.subject and "4" in email.subject
    assert render_email("nurture_weekly", "en", lead_context()).subject.startswith("Part 2 of 4:")


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_big_bang_is_not_another_newsletter(language: str) -> None:
    big_bang = render_email("nurture_big_bang", language, lead_context())
    newsletter = render_email("nurture_newsletter", language, lead_context())

    assert big_bang.subject != newsletter.subject
    assert big_bang.subject.endswith(("?", ";", "؟"))  # it asks a question (Greek writes ";", Persian "؟")
    assert words(language, "nurture_newsletter", "cadence") not in big_bang.text
    assert words(language, "nurture_big_bang", "honest") in big_bang.text
    assert words(language, "nurture_big_bang", "honest") not in newsletter.text


def test_the_big_bang_has_one_clear_call_to_action() -> None:
    email = render_email("nurture_big_bang", "en", lead_context())
    links = re.findall(r'<a href="([^"]+)"', email.html)
    assert links.count(WEBSITE_URL) == 1
    assert set(links) == {WEBSITE_URL, UNSUBSCRIBE_URL, f"mailto:{REP['email']}", "tel:+36307654321"}
    assert "Yes, I’m still interested" in email.html
    assert email.subject == "Should I close your file?"
    assert email.text.count(WEBSITE_URL) == 1


@pytest.mark.parametrize("template", ["nurture_info_pack", "nurture_big_bang", "lead_status_contacted"])
def test_without_a_website_the_call_to_action_is_left_out_whole(template: str) -> None:
    email = render_email(template, "en", lead_context(website_url=""))
    assert "#1d4ed8;border-radius" not in email.html  # no button
    assert not re.search(r":\n\n", email.text.split("\n--\n")[0])  # no sentence left pointing at nothing


# --- SMS to the lead ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", LEAD_SMS_TEMPLATES)
def test_a_lead_sms_is_short_signed_and_ends_with_the_opt_out(template: str, language: str) -> None:
    sms = render_sms(template, language, lead_context())

    assert len(sms) <= SMS_MAX_LENGTH and "\n" not in sms and "<" not in sms and "None" not in sms
    assert sms.endswith(words(language, "lead_common", "sms_opt_out"))
    assert "STOP" in sms
    assert "Zsófia Nagy" in visible(sms) and "Anna Kovács" in visible(sms) and "+36 30 765 4321" in visible(sms)
    assert words(language, template, "sms") in sms


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", LEAD_SMS_TEMPLATES)
def test_a_long_lead_sms_is_shortened_but_keeps_the_opt_out(template: str, language: str) -> None:
    context = lead_context(lead={**LEAD, "name": "Bartholomew " * 40}, rep={**REP, "name": "Very Long Rep " * 30})
    sms = render_sms(template, language, context)
    assert len(sms) <= SMS_MAX_LENGTH
    assert sms.endswith(words(language, "lead_common", "sms_opt_out"))
    assert "…" in sms


def test_a_lead_sms_reads_naturally() -> None:
    assert render_sms("lead_status_attempting", "en", lead_context()) == (
        "Hello Zsófia Nagy, this is Anna Kovács. I tried to reach you about your enquiry. "
        "You can reach me on +36 30 765 4321. Reply STOP to opt out.")
    no_phone = lead_context(rep={**REP, "phone": None}, lead={**LEAD, "name": None})
    assert render_sms("lead_status_contacted", "en", no_phone) == (
        "Hello, this is Anna Kovács. Thank you for our conversation; I'll be in touch soon about the next steps. "
        "You can reach me at anna.kovacs@crm.example.com. Reply STOP to opt out.")


def test_staff_sms_carry_no_opt_out_hint() -> None:
    sms = render_sms(ENGAGED, "en", FULL[ENGAGED])
    assert "STOP" not in sms and sms.endswith(LEAD_URL)


# --- the rep's "lead engaged" alert ---------------------------------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_engaged_alert_rates_the_lead_as_it_is_and_says_what_they_read_and_by_when(language: str) -> None:
    # Given a promoted lead that is cold at 17 (promotion is about engagement, not the score)
    email = render_email(ENGAGED, language, FULL[ENGAGED])
    # Then its rating is its own, and no word of the email calls it hot
    rating = f"{words(language, 'temperatures', 'cold')} · 17/100"
    hot = words(language, "temperatures", "hot")
    assert hot not in visible(email.subject) and hot not in visible(email.text)
    for part in (email.text, visible(email.html)):
        assert rating in part
        assert "The information you asked for" in part and "Part 2 of 4: something useful for this week" in part
        assert "https://www.example.com/pricing" in part
        assert "2024-05-09 11:00 (Europe/Budapest)" in visible(part)
    assert words(language, ENGAGED, "opened") in email.text and words(language, ENGAGED, "clicked") in email.text
    assert f'href="{escape(LEAD_URL)}"' in email.html


def test_the_engaged_alert_leaves_out_empty_lists() -> None:
    email = render_email(ENGAGED, "en", MINIMAL[ENGAGED])
    assert "Emails opened" not in email.text and "Links clicked" not in email.text and "<ul" not in email.html
    assert "Rating" not in email.text  # no temperature known: no rating claimed


def test_the_engaged_alert_lists_each_entry_once() -> None:
    context = {**FULL[ENGAGED], "opened": ["Our news this month", "Our news this month", " ", None]}
    assert render_email(ENGAGED, "en", context).text.count("- Our news this month") == 1


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_the_engaged_sms_fits_and_keeps_the_link(language: str) -> None:
    for context in (FULL[ENGAGED], MINIMAL[ENGAGED], {**FULL[ENGAGED], "lead": {**FULL[ENGAGED]["lead"],
                                                                                "name": "Bartholomew " * 40}}):
        sms = render_sms(ENGAGED, language, context)
        assert len(sms) <= SMS_MAX_LENGTH and "\n" not in sms
        assert sms.endswith(LEAD_URL) and "2024-05-09 11:00" in sms
    assert render_sms(ENGAGED, "en", FULL[ENGAGED]) == (
        "Engaged lead Zsófia Nagy (Acme Kft.), +36 30 123 4567: reading your emails. "
        f"Call by 2024-05-09 11:00 (Europe/Budapest). {LEAD_URL}")
