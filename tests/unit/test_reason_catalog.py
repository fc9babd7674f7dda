"""The site says every refusal the API can give in every language it speaks (static_site/js/i18n/reasons.js)."""

import re

import pytest

from crm.reasons import REASONS
from tests.site_catalogues import I18N, run_node

# What a person can get wrong in the site's forms, as pydantic names it: the site words each one.
PYDANTIC_REFUSALS = ("missing", "extra_forbidden", "string_too_short", "string_too_long", "string_pattern_mismatch",
                     "int_parsing", "decimal_parsing", "decimal_max_places", "greater_than", "greater_than_equal",
                     "less_than_equal", "literal_error", "too_short", "too_long", "datetime_parsing",
                     "timezone_aware", "url_parsing")
READ_CATALOG = """
const {REASON_MESSAGES} = await import(process.argv[1]);
const categories = Object.fromEntries(Object.keys(REASON_MESSAGES).map(
  (language) => [language, new Intl.PluralRules(language).resolvedOptions().pluralCategories]));
console.log(JSON.stringify({messages: REASON_MESSAGES, categories}));
"""


@pytest.fixture(scope="module")
def catalog() -> dict:
    return run_node(READ_CATALOG, (I18N / "reasons.js").as_uri())


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def forms(message: str | dict) -> list[str]:
    return list(message.values()) if isinstance(message, dict) else [message]


def test_the_site_speaks_the_five_languages(catalog):
    assert list(catalog["messages"]) == ["en", "de", "hu", "el", "fa"]


def test_every_reason_the_crm_gives_and_every_common_pydantic_refusal_has_english_words(catalog):
    english = catalog["messages"]["en"]
    missing = [code for code in (*REASONS, *PYDANTIC_REFUSALS) if f"reason_{code}" not in english]
    assert missing == []


def test_the_site_fills_in_only_parameters_the_api_sends(catalog):
    english = catalog["messages"]["en"]
    for code, template in REASONS.items():
        for form in forms(english[f"reason_{code}"]):
            assert placeholders(form) <= placeholders(template), code


def test_every_language_words_every_reason_with_the_same_placeholders(catalog):
    english = catalog["messages"]["en"]
    for language, messages in catalog["messages"].items():
        assert list(messages) == list(english), language
        for key, message in messages.items():
            expected = set().union(*(placeholders(form) for form in forms(english[key])))
            for form in forms(message):
                assert placeholders(form) == expected, (language, key, form)


def test_plural_reasons_have_each_plural_form_of_their_language(catalog):
    for language, messages in catalog["messages"].items():
        for key, message in messages.items():
            if isinstance(message, dict):
                assert set(message) == set(catalog["categories"][language]), (language, key)
                assert all("{count}" in form for form in message.values()), (language, key)
