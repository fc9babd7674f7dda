import pytest

from crm.domain.contact_points import normalize_email, normalize_phone, phone_country


def test_email_is_trimmed_and_lower_cased():
    assert normalize_email("  Ann.Lee@Example.COM ") == "ann.lee@example.com"


@pytest.mark.parametrize("raw", ["1234567", "ann@", "@x.com", "ann@x", "a b@x.com", "ann@@x.com", "ann@x..com"])
def test_malformed_emails_are_refused(raw):
    with pytest.raises(ValueError):
        normalize_email(raw)


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
