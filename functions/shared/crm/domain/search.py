"""What a record can be found by, and what a typed query looks for: normalized terms, so that "Béla", "bela" and
"BELA" are one word and "+36 30 765 4321", "06 30 765 4321" and "30/765-4321" one phone number.

A record is found when a query is the beginning of one of its terms. Its terms are its whole name and company and
each later word of them (the first word begins the whole), its email (which begins with the local part) and email
domain, and its phone's digits in three forms: international (E.164 without "+"), national with the trunk prefix as
dialled at home, and the national significant number alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from crm.errors import InvalidError
from crm.reasons import Reason

MIN_QUERY = 2  # characters a query needs: the search partitions are the terms' first two characters
MAX_QUERY = 100  # characters a typed query may have: the site's text boxes hold as many (maxlength)
_NOT_WORD = re.compile(r"[^\w@.+-]+")
_PHONE_QUERY = re.compile(r"^[\d\s()+./-]+$")
_MIN_PHONE_DIGITS = 3


def normalize_text(raw: str) -> str:
    """Case-folded, without accents (NFKD minus combining marks), punctuation other than @ . + - as spaces, single
    spaces: the form both terms and queries take."""
    decomposed = unicodedata.normalize("NFKD", raw.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NOT_WORD.sub(" ", unicodedata.normalize("NFKC", bare)).split())


def _digits(raw: str) -> str:
    return "".join(char for char in raw if char.isdigit())


def phone_terms(e164: str) -> set[str]:
    """The number's digits as someone may type them: international, national with trunk prefix, bare national."""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return {_digits(e164)} - {""}
    national = _digits(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    return {_digits(e164), national, str(number.national_number)} - {""}


def _words_terms(text: str | None) -> set[str]:
    """The whole text and each later word of it (a hyphen parts words too: "Kovács-Tóth" is found by "toth")."""
    normalized = normalize_text(text or "")
    words = normalized.replace("-", " ").split()
    return {normalized, *words[1:]} if words else set()


def record_terms(*, name: str | None, company: str | None = None, email: str | None = None,
                 phone: str | None = None) -> set[str]:
    """Every term a record is found by (at least two characters each)."""
    terms = _words_terms(name) | _words_terms(company)
    if email:
        normalized = normalize_text(email)
        terms |= {normalized, normalized.rpartition("@")[2]}
    if phone:
        terms |= phone_terms(phone)
    return {term for term in terms if len(term) >= MIN_QUERY}


def bounded_query(field: str, raw: str) -> str:
    """`raw`, unless longer than any query the site sends: then refused naming `field`, as pydantic words it."""
    if len(raw) > MAX_QUERY:
        raise InvalidError(field, Reason.worded("string_too_long", f"String should have at most {MAX_QUERY} "
                                                "characters", {"max_length": MAX_QUERY, "count": MAX_QUERY}))
    return raw


@dataclass(frozen=True)
class Query:
    """A typed query, normalized; `term` is what a matching term begins with (None: too short to look for)."""

    term: str | None

    @classmethod
    def of(cls, raw: str) -> Query:
        text = raw.strip()
        if _PHONE_QUERY.match(text) and len(_digits(text)) >= _MIN_PHONE_DIGITS:
            digits = _digits(text)
            return cls(digits[2:] if digits.startswith("00") else digits)  # 00: the international prefix, as "+"
        normalized = normalize_text(text)
        return cls(normalized if len(normalized) >= MIN_QUERY else None)

    @property
    def partition(self) -> str:
        """The terms' first characters that hold every match."""
        return (self.term or "")[:MIN_QUERY]
