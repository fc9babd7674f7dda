"""Email and phone normalization: the keys that make one person one lead."""

from __future__ import annotations

import re

import phonenumbers

from crm.reasons import invalid

_LOCAL = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"  # RFC 5322 dot-atom, lower-cased
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"  # a host name's label: letters, digits and inner hyphens
_EMAIL = re.compile(rf"(?=[^@]{{1,64}}@){_LOCAL}@(?:{_LABEL}\.)+{_LABEL}")


def normalize_email(raw: str) -> str:
    """Trimmed and lower-cased, so that 'Ann@X.com ' and 'ann@x.com' are the same person; a domain in another
    script in its ASCII form (Punycode: 'müller.de' is 'xn--mller-kva.de'), the one the mail service takes.

    Only an address the mail service can send to passes, refused here rather than at sending time: a bare address
    (a dot-atom at a host name), as a quoted local part or anything of a header's syntax ('<', '>', ',', quotes,
    spaces) would change whom a mail header names (`victim@evil.example>,<x`); and a local part in ASCII, as SES
    does not take SMTPUTF8 (RFC 6531) addresses."""
    local, at, domain = raw.strip().lower().rpartition("@")
    try:
        email = f"{local}{at}{domain.encode('idna').decode('ascii')}"
    except UnicodeError as error:  # an empty or over-long label, or a character no host name may hold
        raise invalid("email_invalid") from error
    if len(email) > 254 or not _EMAIL.fullmatch(email) or len(email.rpartition(".")[2]) < 2:
        raise invalid("email_invalid")
    return email


def normalize_phone(raw: str, default_region: str) -> str:
    """E.164, reading national numbers in the configured default region."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as error:
        raise invalid("phone_unreadable") from error
    if not phonenumbers.is_valid_number(number):
        raise invalid("phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_country(e164: str) -> str | None:
    """The ISO 3166 country a phone number belongs to, if it can be told."""
    return phonenumbers.region_code_for_number(phonenumbers.parse(e164)) or None


def display_phone(e164: str) -> str:
    """The number as people write it across borders (+49 30 1234567)."""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164
