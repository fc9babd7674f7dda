"""What a card shows beyond the deal (its weighted amount), which cards a board filter keeps, and what a deal's change
(PATCH /api/deals/{deal_id}) may say."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from crm.domain.deal_cards import BoardFilter, closing_window, weighted_amount
from crm.domain.pipelines import DEFAULT_PIPELINE, Pipeline
from crm.errors import InvalidError
from crm.models.board import DealCreate, DealUpdate

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def test_the_weighted_amount_is_exact_in_the_currencys_minor_unit_rounded_half_up():
    assert weighted_amount("1200.00", "EUR", 75) == "900.00"
    assert weighted_amount("1234.57", "EUR", 75) == "925.93"  # 925.9275
    assert weighted_amount("0.10", "EUR", 25) == "0.03"  # 0.025: half up
    assert weighted_amount("1001", "JPY", 10) == "100"  # 100.1: no minor unit
    assert weighted_amount("10.005", "KWD", 50) == "5.003"  # three places
    assert weighted_amount("500.00", "EUR", 0) == "0.00"
    assert weighted_amount("500.00", "EUR", 100) == "500.00"
    # Without an amount or a probability there is nothing to weigh
    assert weighted_amount(None, None, 60) is None
    assert weighted_amount("500.00", "EUR", None) is None


def test_the_default_pipeline_gives_each_stage_a_probability_and_unsorted_none():
    assert {stage.id: stage.probability for stage in DEFAULT_PIPELINE.stages} == {
        "unsorted": None, "identified": 10, "in-discussion": 20, "decision-makers-identified": 40, "proposal": 60,
        "negotiation": 75, "procurement": 90, "closed-won": 100, "closed-lost": 0}
    # And an admin may set one from 0 to 100, or none
    document = DEFAULT_PIPELINE.model_dump(mode="json")
    for value, accepted in ((0, True), (100, True), (None, True), (101, False), (-1, False), (12.5, False)):
        document["stages"][1]["probability"] = value
        if accepted:
            assert Pipeline.model_validate(document).stages[1].probability == value
        else:
            with pytest.raises(ValidationError):
                Pipeline.model_validate(document)


@pytest.mark.parametrize(("closing", "today", "window"), [
    ("overdue", date(2026, 12, 7), (None, date(2026, 12, 7))),
    ("this_month", date(2026, 12, 7), (date(2026, 12, 1), date(2027, 1, 1))),
    ("next_month", date(2026, 12, 31), (date(2027, 1, 1), date(2027, 2, 1))),
    ("next_month", date(2026, 1, 31), (date(2026, 2, 1), date(2026, 3, 1))),
    ("this_quarter", date(2026, 12, 7), (date(2026, 10, 1), date(2027, 1, 1))),
    ("this_quarter", date(2026, 1, 1), (date(2026, 1, 1), date(2026, 4, 1))),
    ("this_quarter", date(2026, 6, 30), (date(2026, 4, 1), date(2026, 7, 1))),
])
def test_closing_windows_are_calendar_months_and_quarters_from_today(closing, today, window):
    assert closing_window(closing, today) == window


@dataclass
class Card:
    title: str = "Fleet renewal"
    account_name: str | None = "Weber GmbH"
    deal_type: str | None = None
    expected_close_date: str | None = None
    stage_entered_at: str = "2026-12-01T09:00:00Z"
    next_task_due_at: str | None = None


def keeps(card: Card, max_days: int | None = 14, **query: str) -> bool:
    return BoardFilter.of_query(**query).keeps(card, max_days, NOW)


def test_text_finds_the_title_or_the_account_in_any_case():
    assert keeps(Card(), q="FLEET") and keeps(Card(), q="weber gm") and keeps(Card(account_name=None), q="renew")
    assert not keeps(Card(), q="müller") and not keeps(Card(account_name=None), q="weber")


def test_type_keeps_that_type_only():
    assert keeps(Card(deal_type="upsell"), deal_type="upsell")
    assert not keeps(Card(deal_type="renewal"), deal_type="upsell") and not keeps(Card(), deal_type="upsell")


def test_stalled_is_longer_in_the_stage_than_it_allows():
    # Given a stage that allows 5 days, and now 2026-12-07 09:30
    assert keeps(Card(stage_entered_at="2026-12-02T09:29:59Z"), 5, stalled="true")
    assert not keeps(Card(stage_entered_at="2026-12-02T09:30:00Z"), 5, stalled="true")
    # And a stage without a limit (won, lost) never stalls; stalled=false filters nothing
    assert not keeps(Card(stage_entered_at="2020-01-01T00:00:00Z"), None, stalled="true")
    assert keeps(Card(), 5, stalled="false") and not BoardFilter.of_query(stalled="false").active


def test_overdue_is_a_next_task_due_before_now():
    assert keeps(Card(next_task_due_at="2026-12-07T09:29:00Z"), overdue="true")
    assert not keeps(Card(next_task_due_at="2026-12-07T09:31:00Z"), overdue="true")
    assert not keeps(Card(), overdue="TRUE")


@pytest.mark.parametrize(("closing", "kept", "left"), [
    ("overdue", ["2026-12-06", "2025-01-01"], ["2026-12-07", None]),
    ("this_month", ["2026-12-01", "2026-12-07", "2026-12-31"], ["2026-11-30", "2027-01-01", None]),
    ("next_month", ["2027-01-01", "2027-01-31"], ["2026-12-31", "2027-02-01", None]),
    ("this_quarter", ["2026-10-01", "2026-12-31"], ["2026-09-30", "2027-01-01", None]),
    ("none", [None], ["2026-12-07"]),
])
def test_closing_keeps_expected_close_dates_in_its_window_by_todays_date_in_utc(closing, kept, left):
    for day in kept:
        assert keeps(Card(expected_close_date=day), closing=closing), day
    for day in left:
        assert not keeps(Card(expected_close_date=day), closing=closing), day


def test_filters_combine_with_and():
    card = Card(deal_type="upsell", expected_close_date="2026-12-20")
    assert keeps(card, q="fleet", deal_type="upsell", closing="this_month")
    assert not keeps(card, q="fleet", deal_type="upsell", closing="next_month")


def test_a_filter_value_it_cannot_mean_is_refused_naming_the_parameter():
    for query, field in (({"deal_type": "big"}, "type"), ({"closing": "soon"}, "closing"),
                         ({"stalled": "yes"}, "stalled"), ({"overdue": "1"}, "overdue")):
        with pytest.raises(InvalidError) as refused:
            BoardFilter.of_query(**query)
        assert refused.value.field == field
    assert not BoardFilter.of_query().active and BoardFilter.of_query(q="x").active


def errors(model, data):
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return {".".join(str(part) for part in (*error["loc"], *([error["ctx"]["about"]] if "about" in error.get(
        "ctx", {}) else []))): error["type"] for error in caught.value.errors()}


CURRENT = {"title": "Fleet", "amount": "1200.00", "currency": "EUR", "expected_close_date": "2026-12-20",
           "deal_type": "upsell"}


def test_a_deal_change_changes_what_it_names_and_null_clears():
    # When only the close date and the type are given, the first changed and the second cleared
    update = DealUpdate.model_validate({"version": 3, "expected_close_date": "2027-01-15", "deal_type": None})
    # Then those two change and nothing else
    assert update.changes(CURRENT) == {"expected_close_date": "2027-01-15", "deal_type": None}
    # And a value equal to the current one is no change
    assert DealUpdate.model_validate({"version": 3, "title": " Fleet ", "deal_type": "upsell"}).changes(CURRENT) == {}
    # And money is cleared together, or the amount alone
    assert DealUpdate.model_validate({"version": 1, "amount": None, "currency": None}).changes(CURRENT) == {
        "amount": None, "currency": None}
    assert DealUpdate.model_validate({"version": 1, "amount": None}).changes(CURRENT) == {"amount": None}
    # And new money is exact in its currency
    assert DealUpdate.model_validate({"version": 1, "amount": "99.5", "currency": "usd"}).changes(CURRENT) == {
        "amount": "99.50", "currency": "USD"}


def test_a_currency_alone_keeps_the_amount_if_it_fits_the_currency():
    assert DealUpdate.model_validate({"version": 1, "currency": "JPY"}).changes(
        {**CURRENT, "amount": "1200.00"}) == {"amount": "1200", "currency": "JPY"}
    for currency, amount, reason in (("JPY", "1200.50", "currency_places"), (None, "1200.00", "amount_needs_currency")):
        with pytest.raises(InvalidError) as refused:
            DealUpdate.model_validate({"version": 1, "currency": currency}).changes({**CURRENT, "amount": amount})
        assert (refused.value.field, refused.value.reason.code) == ("amount", reason)


def test_a_deal_change_is_refused_field_by_field():
    assert errors(DealUpdate, {"title": "x"}) == {"version": "missing"}
    assert errors(DealUpdate, {"version": 1, "title": None}) == {"title": "string_type"}  # a deal has a title
    assert errors(DealUpdate, {"version": 1, "amount": "10"}) == {"amount": "amount_needs_currency"}
    assert errors(DealUpdate, {"version": 1, "amount": "10", "currency": None}) == {"amount": "amount_needs_currency"}
    assert errors(DealUpdate, {"version": 1, "amount": "1.005", "currency": "EUR"}) == {"amount": "currency_places"}
    assert errors(DealUpdate, {"version": 1, "currency": "XYZ"}) == {"currency": "currency_unknown"}
    assert set(errors(DealUpdate, {"version": 0, "deal_type": "big", "expected_close_date": "2026-13-01",
                                   "stage_id": "proposal"})) == {"version", "deal_type", "expected_close_date",
                                                                 "stage_id"}


def test_quick_create_takes_the_close_date_and_the_type():
    deal = DealCreate.model_validate({"title": "x", "expected_close_date": "2026-12-31", "deal_type": "renewal"})
    assert (deal.expected_close_date, deal.deal_type) == (date(2026, 12, 31), "renewal")
    assert DealCreate.model_validate({"title": "x", "expected_close_date": None, "deal_type": None}).deal_type is None
    assert set(errors(DealCreate, {"title": "x", "deal_type": "big", "expected_close_date": "soon"})) == {
        "deal_type", "expected_close_date"}
