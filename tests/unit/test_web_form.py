"""The lead form page (L1): static page and error page are one template; values kept; errors findable."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from crm.models.leads import UTM_FIELDS, FieldError, LeadSubmission
from crm.web_form import (
    CONSENT_TEXT,
    FORM_LANGUAGES,
    HONEYPOT_FIELD,
    LABELS,
    form_page,
    render_form_page,
    render_lead_form,
    render_thank_you,
)
from crm.web_form_words import LANGUAGE_NAMES

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static_site"
REGENERATE = (
    "PYTHONPATH=functions/shared python -c \"from pathlib import Path; from crm.web_form import FORM_LANGUAGES, "
    "form_page, render_form_page; [Path('static_site/' + form_page(code)).write_text(render_form_page(code)) "
    "for code in FORM_LANGUAGES]\""
)


class Element:
    def __init__(self, tag: str, attrs: dict[str, str], parents: list[Element]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parents = list(parents)
        self.text = ""

    def inside(self, tag: str) -> Element | None:
        return next((parent for parent in reversed(self.parents) if parent.tag == tag), None)


class Page(HTMLParser):
    """A tiny DOM: every element with its attributes, ancestors and own text."""

    VOID = frozenset({"input", "meta", "link", "br", "img", "hr"})

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.stack: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {key: value if value is not None else "" for key, value in attrs}, self.stack)
        self.elements.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data):
        for element in self.stack:
            element.text += data

    def by_id(self, element_id: str) -> Element:
        found = [element for element in self.elements if element.attrs.get("id") == element_id]
        assert len(found) == 1, f"expected one element with id={element_id!r}, found {len(found)}"
        return found[0]

    def named(self, name: str) -> list[Element]:
        return [element for element in self.elements if element.attrs.get("name") == name]

    def field(self, name: str) -> Element:
        found = self.named(name)
        assert len(found) == 1, f"expected one control named {name!r}, found {len(found)}"
        return found[0]

    def label_for(self, element_id: str) -> Element:
        found = [element for element in self.elements
                 if element.tag == "label" and element.attrs.get("for") == element_id]
        assert len(found) == 1, f"expected one label for {element_id!r}"
        return found[0]


VISIBLE = ("name", "email", "phone", "company", "role", "company_size", "country", "message",
           "best_time_to_contact", "budget", "authority", "need", "timing", "marketing_consent")


@pytest.mark.parametrize("language", FORM_LANGUAGES)
def test_static_form_is_exactly_the_rendered_form(language):
    actual = (STATIC / form_page(language)).read_text(encoding="utf-8")
    assert actual == render_form_page(language), f"static_site/{form_page(language)} drifted; regenerate: {REGENERATE}"


def test_static_thank_you_is_the_built_in_page():
    assert (STATIC / "thank-you.html").read_text(encoding="utf-8") == render_thank_you()


def test_form_posts_urlencoded_to_the_action():
    page = Page(render_lead_form({}, [], action="https://api.example.com/v1/leads"))
    form = next(element for element in page.elements if element.tag == "form")
    assert form.attrs["method"] == "post"
    assert form.attrs["enctype"] == "application/x-www-form-urlencoded"
    assert form.attrs["action"] == "https://api.example.com/v1/leads"
    assert any(element.tag == "button" and element.attrs.get("type") == "submit" for element in page.elements)


def test_every_visible_field_has_a_label_and_sits_in_a_fieldset():
    page = Page(render_lead_form({}, [], action="/leads"))
    for name in VISIBLE:
        control = page.field(name)
        assert control.attrs["id"] == name
        assert page.label_for(name).text.strip()
        assert control.inside("fieldset") is not None, name
        assert control.inside("form") is not None, name
    assert page.field("name").attrs.get("required") == ""
    assert page.field("name").attrs["autocomplete"] == "name"
    assert page.field("email").attrs["type"] == "email"
    assert page.field("email").attrs["autocomplete"] == "email"
    assert page.field("phone").attrs["type"] == "tel"
    assert page.field("phone").attrs["autocomplete"] == "tel"
    assert page.field("company").attrs["autocomplete"] == "organization"
    assert page.field("role").attrs["autocomplete"] == "organization-title"
    assert page.field("country").attrs["autocomplete"] == "country"
    assert [name for name in VISIBLE if "required" in page.field(name).attrs] == ["name"]


def test_field_names_are_the_lead_contract():
    """Everything the form posts is a LeadSubmission field (utm_* are folded into `utm`), or the honeypot."""
    page = Page(render_lead_form({}, [], action="/leads"))
    posted = {element.attrs["name"] for element in page.elements if "name" in element.attrs
              and element.tag in {"input", "select", "textarea"}}
    contract = set(LeadSubmission.model_fields) - {"utm"} | set(UTM_FIELDS)
    assert posted - {HONEYPOT_FIELD} <= contract, posted - contract


def test_company_size_offers_the_bands():
    page = Page(render_lead_form({"company_size": "51-200"}, [], action="/leads"))
    options = [element for element in page.elements if element.tag == "option"
               and element.inside("select") is page.field("company_size")]
    assert [option.attrs["value"] for option in options] == ["", "1-10", "11-50", "51-200", "201-1000", "1000+"]
    assert [option.attrs["value"] for option in options if "selected" in option.attrs] == ["51-200"]


def test_bant_questions_are_optional_and_collapsible():
    page = Page(render_lead_form({}, [], action="/leads"))
    for name in ("budget", "authority", "need", "timing"):
        control = page.field(name)
        assert control.inside("details") is not None
        assert "required" not in control.attrs
    assert "open" not in page.by_id("qualification").attrs
    reopened = Page(render_lead_form({"budget": "10k EUR"}, [], action="/leads"))
    assert "open" in reopened.by_id("qualification").attrs


def test_hidden_inputs_carry_source_form_id_utm_and_the_consent_wording():
    page = Page(render_lead_form({}, [], action="/leads"))
    hidden = {element.attrs["name"]: element.attrs["value"] for element in page.elements
              if element.tag == "input" and element.attrs.get("type") == "hidden"}
    assert hidden["source"] == "web_page"
    assert hidden["form_id"] == "website-contact"
    assert hidden["consent_text"] == CONSENT_TEXT
    for name in (*UTM_FIELDS, "page_url", "referrer"):
        assert hidden[name] == ""
    assert page.label_for("marketing_consent").text.strip() == CONSENT_TEXT
    assert page.field("marketing_consent").attrs["type"] == "checkbox"
    assert "checked" not in page.field("marketing_consent").attrs


def test_the_posted_form_validates_as_a_lead():
    """What the blank form posts, plus a name and an email, is a valid submission (hidden defaults included)."""
    page = Page(render_lead_form({}, [], action="/leads"))
    posted = {element.attrs["name"]: element.attrs.get("value", "") for element in page.elements
              if element.tag in {"input", "select", "textarea"} and element.attrs.get("type") != "checkbox"}
    posted.pop(HONEYPOT_FIELD)
    posted |= {"name": "Ada Lovelace", "email": "ada@example.com", "marketing_consent": "on"}
    lead = LeadSubmission.model_validate(posted)
    assert lead.source == "web_page"
    assert lead.form_id == "website-contact"
    assert lead.marketing_consent is True
    assert lead.consent_text == CONSENT_TEXT


def test_honeypot_is_present_hidden_and_out_of_reach():
    page = Page(render_lead_form({HONEYPOT_FIELD: "http://spam.example"}, [], action="/leads"))
    trap = page.field(HONEYPOT_FIELD)
    assert trap.tag == "input"
    assert trap.attrs["tabindex"] == "-1"
    assert trap.attrs["autocomplete"] == "off"
    assert trap.attrs["value"] == "", "a filled honeypot is never echoed back"
    wrapper = trap.parents[-1]
    assert wrapper.attrs.get("aria-hidden") == "true"
    assert "visually-hidden" in wrapper.attrs.get("class", "").split()
    assert ".visually-hidden {" in render_lead_form({}, [], action="/leads")


def test_values_are_kept_and_escaped():
    values = {
        "name": '<script>alert("x")</script>',
        "email": "ada@example.com",
        "message": "</textarea><script>alert(1)</script>",
        "utm_campaign": 'spring" onmouseover="x',
        "marketing_consent": "on",
        "source": "event",
        "form_id": "expo-2025",
    }
    html = render_lead_form(values, [], action="/leads")
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    page = Page(html)
    assert page.field("name").attrs["value"] == values["name"]
    assert page.field("email").attrs["value"] == "ada@example.com"
    assert page.field("message").text.strip() == values["message"]
    assert page.field("utm_campaign").attrs["value"] == values["utm_campaign"]
    assert "onmouseover" not in page.field("utm_campaign").attrs
    assert "checked" in page.field("marketing_consent").attrs
    assert page.field("source").attrs["value"] == "event"
    assert page.field("form_id").attrs["value"] == "expo-2025"


ERRORS = [
    FieldError(field="email", message="give an email address or a phone number"),
    FieldError(field="country", message="String should match pattern '^[A-Z]{2}$'"),
    FieldError(field="company_size", message="must be a head count or one of 1-10, 11-50"),
    FieldError(field="consent_text", message="the wording shown with the consent box is required with consent"),
    FieldError(field="timing", message="String should have at most 200 characters"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda error: error.field)
def test_each_error_is_next_to_its_field_and_in_the_summary(error):
    page = Page(render_lead_form({"name": "Ada", "country": "Hungary"}, ERRORS, action="/leads"))
    field = "marketing_consent" if error.field == "consent_text" else error.field
    control = page.field(field)
    assert control.attrs["aria-invalid"] == "true"
    message = page.by_id(f"{field}-error")
    assert f"{field}-error" in control.attrs["aria-describedby"].split()
    assert error.message in message.text
    # next to it: in the same field group, before the control
    assert message.parents[-1] is control.parents[-1] or message.parents[-1] is control.parents[-2]
    assert page.elements.index(message) < page.elements.index(control)

    summary = page.by_id("error-summary")
    assert summary.attrs["role"] == "alert"
    links = [element for element in page.elements if element.tag == "a" and summary in element.parents]
    link = next(link for link in links if link.attrs["href"] == f"#{field}")
    assert error.message in link.text
    assert page.elements.index(summary) < page.elements.index(page.field("name")), "summary comes first"


def test_fields_without_errors_are_not_marked_and_the_bant_box_opens_on_error():
    page = Page(render_lead_form({"name": "Ada"}, ERRORS, action="/leads"))
    assert "aria-invalid" not in page.field("name").attrs
    assert "aria-invalid" not in page.field("phone").attrs
    assert "open" in page.by_id("qualification").attrs
    assert page.by_id("email-error")
    assert "Error" in next(element for element in page.elements if element.tag == "title").text


def test_an_error_on_a_hidden_field_is_still_reported():
    page = Page(render_lead_form({"name": "Ada"}, [FieldError(field="utm_source", message="too long")],
                                 action="/leads"))
    summary = page.by_id("error-summary")
    assert "too long" in summary.text


def test_a_clean_form_has_no_error_markup():
    page = Page(render_lead_form({}, [], action="/leads"))
    assert not [element for element in page.elements if element.attrs.get("role") == "alert"]
    assert not [element for element in page.elements if "aria-invalid" in element.attrs]
    assert not [element for element in page.elements if element.attrs.get("id", "").endswith("-error")]


def test_form_works_without_javascript():
    """The only script is the optional filler; every field is a plain control and no handler is inline."""
    page = Page(render_lead_form({}, [], action="/leads"))
    scripts = [element for element in page.elements if element.tag == "script"]
    assert len(scripts) <= 1
    assert not any(key.startswith("on") for element in page.elements for key in element.attrs)
    assert not any(element.attrs.get("src") for element in scripts)


# The form in the visitor's language (one static page per language, no JavaScript needed)

OTHER_LANGUAGES = [code for code in FORM_LANGUAGES if code != "en"]


def _visible_texts(page: Page) -> set[str]:
    """Each piece of text a person reads on the page (labels, hints, legends, options, buttons ...), trimmed;
    the language switcher's names are left out (each language is named in its own words on every page)."""
    skip = {"script", "style", "title", "nav"}
    texts: set[str] = set()
    for element in page.elements:
        if element.tag in skip or any(parent.tag in skip for parent in element.parents):
            continue
        own = element.text
        for child in page.elements:
            if child.parents and child.parents[-1] is element:
                own = own.replace(child.text, "", 1)
        texts |= {part.strip() for part in own.split("\n") if part.strip()}
    return texts


def test_there_is_a_form_page_per_language_linked_to_the_others():
    assert FORM_LANGUAGES == ("en", "de", "hu", "el", "fa")
    assert [form_page(code) for code in FORM_LANGUAGES] == [
        "form.html", "form.de.html", "form.hu.html", "form.el.html", "form.fa.html"]
    for language in FORM_LANGUAGES:
        page = Page(render_form_page(language))
        html = next(element for element in page.elements if element.tag == "html")
        assert html.attrs["lang"] == language
        assert html.attrs.get("dir", "ltr") == ("rtl" if language == "fa" else "ltr")
        alternates = {element.attrs["hreflang"]: element.attrs["href"] for element in page.elements
                      if element.tag == "link" and element.attrs.get("rel") == "alternate"}
        assert alternates == {code: form_page(code) for code in FORM_LANGUAGES}
        links = {element.attrs["href"]: element.text for element in page.elements
                 if element.tag == "a" and element.inside("nav") is not None}
        assert links == {form_page(code): LANGUAGE_NAMES[code] for code in FORM_LANGUAGES if code != language}
        assert page.field("language").attrs == {"type": "hidden", "name": "language", "value": language}


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_field_is_labelled_in_the_pages_language_with_no_english_left(language):
    english = _visible_texts(Page(render_form_page("en")))
    page = Page(render_form_page(language))
    for name in VISIBLE:
        label = page.label_for(name).text.strip()
        assert label and label != LABELS[name] and label not in english, (name, label)
    # codes (DE, HU ...), numbers and the required star are the same in every language; nothing else is
    left = {text for text in _visible_texts(page) & english if not re.fullmatch(r"[*\d\W]*", text)}
    assert not left, f"{language}: English left on the form: {left}"
    consent = page.field("consent_text").attrs["value"]
    assert consent != CONSENT_TEXT and page.label_for("marketing_consent").text.strip() == consent


def test_an_invalid_post_comes_back_in_the_language_it_was_sent_in():
    page = Page(render_lead_form({"name": "Jonas", "language": "de", "email": "x"},
                                 [FieldError(field="email", message="is not a valid email address",
                                             code="email_invalid")], action="/leads"))
    assert next(element for element in page.elements if element.tag == "html").attrs["lang"] == "de"
    assert "ist keine gültige E-Mail-Adresse" in page.by_id("email-error").text
    assert "Bitte prüfen Sie das Formular" in page.by_id("error-summary").text
    assert page.field("language").attrs["value"] == "de"
    assert not [element for element in page.elements if element.tag == "nav"], "no switcher off the static pages"
    # a refusal the form has no words for stays readable, in English
    unknown = Page(render_lead_form({"language": "fa"}, [FieldError(field="timing", message="too long",
                                                                    code="string_too_long")], action="/leads"))
    assert "too long" in unknown.by_id("timing-error").text


@pytest.mark.parametrize("language", FORM_LANGUAGES)
def test_the_thank_you_page_speaks_the_visitors_language(language):
    page = Page(render_thank_you(language))
    html = next(element for element in page.elements if element.tag == "html")
    assert html.attrs["lang"] == language
    if language != "en":
        assert not _visible_texts(page) & _visible_texts(Page(render_thank_you("en")))
    assert render_thank_you("de-AT") == render_thank_you("de") and render_thank_you("xx") == render_thank_you()
