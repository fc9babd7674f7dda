"""A refusal carries a code the site translates, its parameters, and the English text API clients read."""

import pytest
from pydantic import BaseModel, Field, ValidationError

from crm.domain.pipelines import DEFAULT_PIPELINE
from crm.models.leads import LeadSubmission, field_errors
from crm.reasons import REASONS, Reason, explained, field_error, refusals


def test_a_reason_reads_as_its_english_text_and_carries_its_code_and_parameters():
    reason = Reason("page_limit", maximum=200)
    assert reason == "must be between 1 and 200"
    assert (reason.code, reason.params) == ("page_limit", {"maximum": 200})
    assert field_error("limit", reason) == {"field": "limit", "message": "must be between 1 and 200",
                                            "code": "page_limit", "params": {"maximum": 200}}


def test_plain_text_has_no_code_to_translate():
    assert explained("something odd") == {"message": "something odd"}


def test_an_unknown_code_is_a_programming_error_not_a_silent_english_message():
    with pytest.raises(KeyError):
        Reason("no_such_reason")


def test_every_reason_is_worded_with_the_parameters_it_names():
    for code, template in REASONS.items():
        names = {part.split("}")[0] for part in template.split("{")[1:]}
        assert Reason(code, **dict.fromkeys(names, "x")).code == code


def test_a_rule_about_the_whole_lead_names_the_field_it_is_about():
    with pytest.raises(ValidationError) as refused:
        LeadSubmission.model_validate({"name": "Ann", "email": "ann@example.com", "marketing_consent": True})
    [error] = field_errors(refused.value)
    assert (error.field, error.code, error.message) == (
        "consent_text", "consent_text_required", "the wording shown with the consent box is required with consent")


def test_pydantic_refusals_carry_their_type_and_a_count_for_plural_forms():
    class Note(BaseModel):
        text: str = Field(min_length=1, max_length=5)
        tags: list[str] = Field(max_length=2)

    with pytest.raises(ValidationError) as refused:
        Note.model_validate({"text": "too long", "tags": ["a", "b", "c"]})
    found = {field: (reason.code, reason.params) for field, reason in refusals(refused.value)}
    assert found["text"] == ("string_too_long", {"max_length": 5, "count": 5})
    assert found["tags"][0] == "too_long" and found["tags"][1]["count"] == 2


def test_a_domain_rule_refusal_is_a_reason_too():
    with pytest.raises(ValueError, match="a lost deal needs one of") as refused:
        DEFAULT_PIPELINE.ensure_can_enter("closed-lost", None)
    assert refused.value.reason.code == "lost_reason_needed"
