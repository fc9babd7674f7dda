"""Email templates as data (D6): rendering in the recipient's language, placeholders checked when saved, and
values escaped in the HTML part."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from crm.domain.email_templates import (
    DEFAULT_TEMPLATES,
    LANGUAGES,
    EmailTemplate,
    as_html,
    check_placeholders,
    placeholder_values,
    render,
)

VALUES = placeholder_values(name="Jonas Weber", company="Weber GmbH", rep_name="Anna Schmidt",
                            rep_email="anna@example.com", rep_phone=None)


def template(body: str, subject: str = "Hi {{ first_name }}") -> dict:
    return {"translations": {"en": {"name": "T", "subject": subject, "body": body}}}


def test_every_default_template_exists_in_every_language_and_renders():
    assert len(DEFAULT_TEMPLATES) >= 4
    for template_id, default in DEFAULT_TEMPLATES.items():
        assert set(default.translations) == set(LANGUAGES), template_id
        for language in LANGUAGES:
            rendered = render(default, language, VALUES)
            assert rendered.language == language and "{{" not in rendered.body + rendered.subject
            assert "Anna Schmidt" in rendered.body


def test_a_template_renders_in_the_recipients_language_else_english():
    proposal = DEFAULT_TEMPLATES["proposal_sent"]
    assert render(proposal, "de", VALUES).subject == "Ihr Angebot für Weber GmbH"
    only_english = EmailTemplate.model_validate(template("Hello {{ first_name }} from {{ rep_name }}"))
    rendered = render(only_english, "hu", VALUES)
    assert (rendered.language, rendered.subject, rendered.body) == ("en", "Hi Jonas", "Hello Jonas from Anna Schmidt")


def test_missing_values_render_as_nothing():
    values = placeholder_values(name=None, company=None, rep_name="Anna", rep_email="a@example.com", rep_phone=None)
    assert values["first_name"] == values["company"] == values["rep_phone"] == ""


@pytest.mark.parametrize(("body", "reason"), [
    ("Dear {{ frist_name }}", "unknown placeholder {{ frist_name }}"),
    ("{{ first_name", "is not a valid template"),
    ("{{ company | shout }}", "is not a valid template: No filter named 'shout'"),
])
def test_unknown_placeholders_and_broken_syntax_are_refused_with_the_field(body, reason):
    with pytest.raises(ValidationError) as raised:
        EmailTemplate.model_validate(template(body))
    [error] = raised.value.errors()
    assert error["loc"] == ("translations", "en", "body") and reason in error["msg"]


def test_a_template_needs_english_known_languages_and_a_one_line_subject():
    texts = template("Hi")["translations"]["en"]
    for document, where in (({"translations": {"de": texts}}, ()),
                            ({"translations": {"en": texts, "xx": texts}}, ("translations",)),
                            (template("Hi", subject="a {{ first_name }}\nb"), ("translations", "en", "subject"))):
        with pytest.raises(ValidationError) as raised:
            EmailTemplate.model_validate(document)
        assert raised.value.errors()[0]["loc"] == where


def test_the_sandbox_refuses_reaching_into_python():
    from jinja2.exceptions import SecurityError

    assert check_placeholders("{{ name.__class__ }}")  # a known placeholder: saving is allowed
    unsafe = EmailTemplate.model_validate(template("{{ name.__class__.__mro__[1].__subclasses__() }}"))
    with pytest.raises(SecurityError):
        render(unsafe, "en", VALUES)


def test_values_are_escaped_in_the_html_part_and_kept_in_the_text():
    values = {**VALUES, "company": "<script>alert(1)</script> & Co"}
    rendered = render(EmailTemplate.model_validate(template("Hello {{ company }}\nline two\n\nnext")), "en", values)
    assert rendered.body == "Hello <script>alert(1)</script> & Co\nline two\n\nnext"
    html = as_html(rendered.body, rtl=False)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co<br>line two</p><p>next" in html
    assert 'dir="rtl"' in as_html("x", rtl=True, footer="Unsubscribe: https://x")
