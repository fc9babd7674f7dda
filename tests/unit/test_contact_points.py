import pytest

from crm.domain.contact_points import normalize_email, normalize_phone, phone_country


def test_email_is_trimmed_and_lower_cased():
    assert normalize_email("  Ann.Lee@Example.COM ") == "ann.lee@example.com"


@pytest.mark.parametrize("raw", ["1234567", "ann@", "@x.com", "ann@x", "a b@x.com", "ann@@x.com", "ann@x..com",
                                 # a mail header's syntax: the address would name other recipients, or SES refuse it
                                 "victim@evil.example>,<x", "<ann@x.com>", "ann@x.com,bob@y.com", '"ann"@x.com',
                                 "ann@x.com\r\nBcc:bob@y.com", "ann;bob@x.com", "ann@x_y.com", "ann@-x.com",
                                 ".ann@x.com", "ann.@x.com", "a..nn@x.com", "ann@x.com.",
                                 # SES takes no SMTPUTF8 address: a local part in another script cannot be mailed
                                 "jürgen@example.de", "ann@" + "x" * 64 + ".com", "ann@x.c"])
def test_malformed_emails_are_refused(raw):
    with pytest.raises(ValueError):
        normalize_email(raw)


@pytest.mark.parametrize("raw", ["o'brien@example.ie", "ann+crm@sub.example-mail.com", "x@xn--p1ai.ru",
                                 "a_b@example.com"])
def test_real_addresses_pass(raw):
    assert normalize_email(raw) == raw


def test_a_domain_in_another_script_is_kept_in_the_ascii_form_the_mail_service_takes():
    assert normalize_email("Ann@Müller.DE") == "ann@xn--mller-kva.de"
    assert normalize_email("ann@xn--mller-kva.de") == "ann@xn--mller-kva.de"  # the same person


def test_every_entry_point_refuses_a_header_trick_naming_email():
    """The form, the API and the CSV import validate a lead as LeadSubmission; user admin as UserInput."""
    from pydantic import ValidationError

    from crm.domain.csv_import import check_row
    from crm.models.users import UserInput

    row = check_row(2, {"name": "Ann", "email": "victim@evil.example>,<x"}, "HU")
    assert [error.field for error in row.errors] == ["email"]
    with pytest.raises(ValidationError) as refused:
        UserInput(name="Eve", email="victim@evil.example>,<x", role="rep")
    assert [error["loc"] for error in refused.value.errors()] == [("email",)]


def test_national_phone_number_is_read_in_the_default_region():
    assert normalize_phone("06 30 123 4567", "HU") == "+36301234567"
    assert normalize_phone("(202) 555-0143", "US") == "+12025550143"


def test_international_phone_number_ignores_the_default_region():
    assert normalize_phone("+49 30 901820", "US") == "+4930901820"


@pytest.mark.parametrize("raw", ["1234567", "call me", "+1 000"])
def test_invalid_phone_numbers_are_refused(raw):
    with pytest.raises(ValueError):
        normalize_phone(raw, "US")


def test_phone_country_comes_from_the_number():
    assert phone_country("+36301234567") == "HU"
