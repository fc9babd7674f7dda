"""Which filters each list takes and how a wrong one is named, for the list page, its export and mass email."""

import pytest
from pydantic import ValidationError

from crm.errors import InvalidError
from crm.models.lists import ListFilters, MassEmailRequest, parse_filters


def test_a_leads_list_takes_cycle_status_source_and_owner():
    filters = parse_filters("leads", {"cycle": "nurturable", "status": "attempting", "source": "ebook",
                                      "owner": "rep-anna"})
    assert filters.given() == {"cycle": "nurturable", "status": "attempting", "source": "ebook", "owner": "rep-anna"}


def test_deals_take_pipeline_stage_and_state_and_default_to_the_sales_pipeline():
    filters = parse_filters("deals", {"stage": "proposal", "state": "open"})
    assert (filters.pipeline_id, filters.stage, filters.state) == ("sales", "proposal", "open")
    assert parse_filters("deals", {"pipeline": "renewals"}).pipeline_id == "renewals"


@pytest.mark.parametrize(("kind", "given", "field"), [
    ("contacts", {"cycle": "nurturable"}, "cycle"),  # not a filter of contacts
    ("accounts", {"stage": "proposal"}, "stage"),
    ("deals", {"source": "ebook"}, "source"),
    ("leads", {"cycle": "maybe"}, "cycle"),  # not a cycle
    ("leads", {"status": "won"}, "status"),
    ("leads", {"source": "billboard"}, "source"),
    ("deals", {"state": "pending"}, "state"),
    ("deals", {"stage": "Not A Slug"}, "stage"),
])
def test_a_wrong_or_misplaced_filter_is_refused_naming_it(kind, given, field):
    with pytest.raises(InvalidError) as refused:
        parse_filters(kind, given)
    assert refused.value.field == field


def test_converted_is_a_status_a_lead_list_can_show():
    assert parse_filters("leads", {"status": "converted"}).status == "converted"


def test_no_filter_is_every_record():
    assert parse_filters("accounts", {}) == ListFilters()


def test_mass_email_goes_to_leads_or_contacts_with_filters_that_fit_the_kind():
    request = MassEmailRequest.model_validate({"kind": "leads", "filters": {"cycle": "nurturable"},
                                               "template_id": "intro"})
    assert request.filters.cycle == "nurturable"
    with pytest.raises(ValidationError, match="do not apply to contacts"):
        MassEmailRequest.model_validate({"kind": "contacts", "filters": {"cycle": "nurturable"},
                                         "template_id": "intro"})
    with pytest.raises(ValidationError):
        MassEmailRequest.model_validate({"kind": "deals", "template_id": "intro"})
