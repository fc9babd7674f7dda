"""The search box's terms and queries (crm.domain.search): what a record is found by, and what a typed query looks
for, so that accents, case, punctuation and the way a phone number is written do not matter."""

import pytest

from crm.domain.search import Query, normalize_text, phone_terms, record_terms


def test_text_is_case_folded_without_accents_and_punctuation():
    assert normalize_text("  Béla   KOVÁCS, Straße ") == "bela kovacs strasse"
    assert normalize_text("Νίκος") == normalize_text("ΝΊΚΟΣ")


def test_a_record_is_found_by_its_whole_name_and_company_each_later_word_its_email_and_domain():
    terms = record_terms(name="Anna-Lena Weber", company="Müller & Söhne GmbH", email="A.Weber@Mueller.example")
    assert terms == {"anna-lena weber", "lena", "weber", "muller sohne gmbh", "sohne", "gmbh",
                     "a.weber@mueller.example", "mueller.example"}


def test_a_phone_is_found_by_its_international_national_and_bare_digits():
    assert phone_terms("+36307654321") == {"36307654321", "06307654321", "307654321"}
    assert phone_terms("+493012345678") == {"493012345678", "03012345678", "3012345678"}


@pytest.mark.parametrize(("typed", "term"), [
    ("+36 30 765", "3630765"),
    ("06 30/765-43", "063076543"),
    ("(30) 765 4321", "307654321"),
    ("0036 30", "3630"),
])
def test_a_phone_typed_in_any_format_looks_for_its_digits(typed, term):
    assert Query.of(typed).term == term
    assert Query.of(typed).partition == term[:2]


def test_whatever_phone_format_is_typed_it_begins_one_of_the_numbers_terms():
    terms = phone_terms("+36307654321")
    for typed in ("+36 30 765 4321", "06 30 765 4321", "30 765 4321", "+36-30-765"):
        assert any(term.startswith(Query.of(typed).term) for term in terms), typed


@pytest.mark.parametrize(("typed", "term"), [("BÉLA", "bela"), ("weber  g", "weber g"), ("ann@x", "ann@x"),
                                             ("Νί", "νι")])
def test_text_queries_are_normalized_like_terms(typed, term):
    assert Query.of(typed).term == term


@pytest.mark.parametrize("typed", ["", " ", "b", "-", "É"])
def test_a_query_shorter_than_two_characters_looks_for_nothing(typed):
    assert Query.of(typed).term is None
