from pydantic import ValidationError

from crm.models.leads import LeadSubmission, field_errors

HU = {"default_phone_region": "HU"}


def errors_of(data):
    try:
        LeadSubmission.model_validate(data, context=HU)
    except ValidationError as error:
        return {item.field: item.message for item in field_errors(error)}
    return {}


def test_a_name_and_an_email_are_enough():
    lead = LeadSubmission.model_validate({"name": "Ann Lee", "email": "ANN@example.com"}, context=HU)
    assert (lead.email, lead.phone, lead.source) == ("ann@example.com", None, "web_page")


def test_form_fields_are_normalized():
    lead = LeadSubmission.model_validate({
        "name": " Ann ", "phone": "06 30 123 4567", "email": "", "company_size": "250", "country": "hu",
        "utm_source": "google", "utm_campaign": "spring", "marketing_consent": "on", "consent_text": "Yes, email me",
        "budget": "10k EUR", "unknown_field": "ignored",
    }, context=HU)
    assert lead.name == "Ann" and lead.phone == "+36301234567" and lead.email is None
    assert lead.company_size == "201-1000" and lead.country == "HU"
    assert lead.utm.utm_source == "google" and lead.utm.utm_campaign == "spring"
    assert lead.marketing_consent is True and lead.budget == "10k EUR"


def test_each_bad_field_is_named_with_its_reason():
    errors = errors_of({"email": "not-an-email", "phone": "123", "company_size": "lots", "timezone": "Mars/Base"})
    assert set(errors) == {"name", "email", "phone", "company_size", "timezone"}
    assert "valid email" in errors["email"]


def test_a_source_label_is_never_a_reason_to_refuse_a_lead():
    # Given labels a marketer may put in a form's hidden field
    def source(label):
        return LeadSubmission.model_validate({"name": "Ann", "email": "a@x.com", "source": label}, context=HU).source

    # Then each is kept as given (trimmed), an empty one is the default and an overlong one is cut to fit
    assert source("webinar") == "webinar"
    assert source(" Spring Webinar 2027 ") == "Spring Webinar 2027"
    assert source("") == "web_page"
    assert source("x" * 500) == "x" * 64


def test_an_email_or_a_phone_is_required():
    assert errors_of({"name": "Ann"}) == {"email": "give an email address or a phone number"}


def test_consent_without_its_wording_is_refused():
    assert "consent_text" in errors_of({"name": "Ann", "email": "a@x.com", "marketing_consent": True})


def test_overlong_text_is_refused():
    assert "message" in errors_of({"name": "Ann", "email": "a@x.com", "message": "x" * 5000})


def test_line_breaks_and_control_characters_in_single_line_fields_become_spaces():
    # Given a name, company and UTM tag carrying CR, LF, VT, FF, a tab, NUL, NEL and the Unicode line separators
    lead = LeadSubmission.model_validate({
        "name": "Ann\r\nLee\x0b\x0cSmith\u2028Jr\u2029.\x00", "company": "Acme\tGmbH\x85", "email": "ann@example.com",
        "utm_campaign": "spring\nsale", "role": "\n\nCEO\r", "message": "Line one\r\nLine two\x0bthree\x00!",
    }, context=HU)
    # Then each single-line field is one line, with a space where the breaks were; free text keeps its lines
    assert lead.name == "Ann Lee Smith Jr ." and lead.company == "Acme GmbH" and lead.role == "CEO"
    assert lead.utm.utm_campaign == "spring sale"
    assert lead.message == "Line one\nLine two\nthree !"


def test_a_name_of_control_characters_alone_is_no_name():
    assert "name" in errors_of({"name": "\r\n\x0b\u2028", "email": "ann@example.com"})


def test_persian_joiners_are_kept():
    name = "\u0645\u06cc\u200c\u0631\u0627"  # a zero-width non-joiner is part of Persian spelling, not a control
    assert LeadSubmission.model_validate({"name": name, "email": "a@example.com"}, context=HU).name == name
