from decimal import Decimal

import pytest
from pydantic import ValidationError

from crm.data.accounts import normalize_account_name
from crm.models.conversion import ConversionRequest


def errors_of(data):
    with pytest.raises(ValidationError) as caught:
        ConversionRequest.model_validate(data)
    return {".".join(str(part) for part in item["loc"]): item["msg"] for item in caught.value.errors()}


def test_an_empty_request_converts_with_the_leads_own_data():
    request = ConversionRequest.model_validate({})
    assert (request.account_name, request.deal, request.task) == (None, None, None)


def test_a_deal_amount_is_exact_to_the_currencys_minor_unit():
    # Given amounts as JSON numbers and strings, When validated, Then they are kept exact in the currency
    euros = ConversionRequest.model_validate({"deal": {"amount": "1200.5", "currency": " eur "}}).deal
    yen = ConversionRequest.model_validate({"deal": {"amount": 150000, "currency": "JPY"}}).deal
    assert (str(euros.amount), euros.currency, euros.title) == ("1200.50", "EUR", None)
    assert str(yen.amount) == "150000"
    assert ConversionRequest.model_validate({"deal": {"amount": 9.99, "currency": "USD"}}).deal.amount \
        == Decimal("9.99")


def test_bad_deal_fields_are_named():
    assert set(errors_of({"deal": {"amount": "0", "currency": "EURO"}})) == {"deal.amount", "deal.currency"}
    assert "ISO 4217" in errors_of({"deal": {"amount": "10", "currency": "XYZ"}})["deal.currency"]
    assert "at most 2 decimal places" in errors_of({"deal": {"amount": "10.005", "currency": "EUR"}})["deal.amount"]
    assert "at most 0 decimal places" in errors_of({"deal": {"amount": "10.5", "currency": "JPY"}})["deal.amount"]
    assert set(errors_of({"deal": {"amount": "NaN", "currency": "EUR"}})) == {"deal.amount"}
    assert set(errors_of({"deal": {"title": "Big one"}})) == {"deal.amount", "deal.currency"}


def test_a_task_needs_a_title_and_an_aware_due_time():
    task = ConversionRequest.model_validate({"task": {"title": "Send proposal",
                                                      "due_at": "2030-05-04T09:00:00+02:00"}}).task
    assert task.due_at.utcoffset().total_seconds() == 7200
    assert set(errors_of({"task": {"title": " ", "due_at": "2030-05-04T09:00:00"}})) == {"task.title",
                                                                                          "task.due_at"}


def test_unknown_fields_are_refused_at_every_level():
    errors = errors_of({"stage": "Won", "deal": {"amount": 1, "currency": "EUR", "stage": "Won"},
                        "task": {"title": "x", "due_at": "2030-01-01T00:00:00Z", "owner_id": "rep-bela"}})
    assert set(errors) == {"stage", "deal.stage", "task.owner_id"}


def test_blank_account_name_is_refused():
    assert set(errors_of({"account_name": "   "})) == {"account_name"}


def test_company_names_are_one_account_whatever_their_case_and_spacing():
    assert normalize_account_name("  Weber   GmbH ") == normalize_account_name("WEBER gmbh") == "weber gmbh"
    assert normalize_account_name("Ｗeber GmbH") == "weber gmbh"  # full-width letters, as some keyboards type
    assert normalize_account_name("Weber AG") != normalize_account_name("Weber GmbH")
