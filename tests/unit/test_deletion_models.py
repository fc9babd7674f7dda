"""What erasure keeps of a lead's history (L9), and what a flag or a decision must carry."""

import pytest
from pydantic import ValidationError

from crm.data.leads import FirstTouch, LeadItem
from crm.models.deletion import DecisionInput, ReasonInput
from crm.services.deletion import PersonalData


def personal() -> PersonalData:
    lead = LeadItem(name="Anna Lee", email="anna@lee.example", role="CEO", company="Lee Kft", language="hu",
                    qualification={"need": "a CRM for the Lee brewery"},
                    first_touch=FirstTouch(at="2030-01-01T00:00:00Z", source="web_page"))
    return PersonalData.of(lead)


def test_short_values_are_not_searched_for():
    # "hu" would match ordinary words; "Anna Lee" is tried before "Lee Kft" or a shorter overlap
    assert "hu" not in personal().values and personal().values[0] == "a CRM for the Lee brewery"


def test_free_text_quoting_the_person_is_scrubbed_and_the_rest_kept():
    assert personal().scrub("anna lee called about LEE KFT") == "(erased) called about (erased)"
    assert personal().scrub("no first contact") == "no first contact"
    assert personal().scrub("Anna, your info pack") == "(erased), your info pack"


def test_score_parts_keep_signal_and_points():
    parts = [{"signal": "role", "points": 5, "reason": "role 'CEO' signals authority"},
             {"signal": "need", "points": 14, "reason": "stated a need"}]
    assert personal().scrub_parts(parts) == [{"signal": "role", "points": 5, "reason": "role '(erased)' signals "
                                                                                       "authority"}, parts[1]]


def test_a_score_reasons_params_are_scrubbed_like_its_text():
    """The site shows a reason from its code and params: a role quoted there goes with the person too."""
    part = {"signal": "role", "points": 5, "reason": "role 'CEO' signals authority", "code": "role_fit",
            "params": {"role": "CEO"}}
    assert personal().scrub_parts([part]) == [{**part, "reason": "role '(erased)' signals authority",
                                               "params": {"role": "(erased)"}}]
    counted = {"signal": "opens", "points": 2, "reason": "opened 2 emails", "code": "opens", "params": {"count": 2}}
    assert personal().scrub_parts([counted]) == [counted]


def test_event_data_keeps_process_facts_only():
    touch = {"source": "ebook", "first": True, "name": "Anna Lee", "email": "anna@lee.example",
             "page_url": "https://x.example/?u=anna", "utm": {"utm_campaign": "spring"}, "message": "hi"}
    activity = {"type": "call", "by": "rep-anna", "outcome": "answered", "note": "Anna wants a demo"}
    failure = {"error": "States.TaskFailed", "cause": "lead anna@lee.example: boom"}
    assert personal().event_data(touch) == {"source": "ebook", "first": True}
    assert personal().event_data(activity) == {"type": "call", "by": "rep-anna", "outcome": "answered"}
    assert personal().event_data(failure) == {"error": "States.TaskFailed"}
    assert personal().event_data({"unknown": "anything"}) == {}


def test_erasing_twice_changes_nothing_more():
    data = {"score": 40, "parts": [{"signal": "role", "points": 5, "reason": "role 'CEO' signals authority"}],
            "reason": "Anna Lee asked"}
    once = personal().event_data(data)
    assert personal().event_data(once) == once


def test_a_flag_needs_a_reason_and_a_decision_note_is_optional():
    assert ReasonInput.model_validate({"reason": "  fake  "}).reason == "fake"
    with pytest.raises(ValidationError):
        ReasonInput.model_validate({"reason": " "})
    with pytest.raises(ValidationError):
        ReasonInput.model_validate({"reason": "x", "extra": 1})
    assert DecisionInput.model_validate({}).note is None
