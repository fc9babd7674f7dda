import pytest

from crm.domain.assignment import LeadFacts, NoActiveRepError, RoutingRule, round_robin_pick, rule_assignment
from crm.domain.company_size import band_for, band_minimum

RULES = [
    RoutingRule("dach", 10, ("anna",), countries=frozenset({"DE", "AT", "CH"})),
    RoutingRule("enterprise", 20, ("chris", "bela"), min_company_size=201),
    RoutingRule("events", 5, ("bela",), sources=frozenset({"event"}), languages=frozenset({"hu"})),
]
REPS = ["anna", "bela", "chris"]


def test_first_matching_rule_by_priority_wins():
    lead = LeadFacts(country="DE", source="event", language="hu-HU", company_size="1000+")
    assert rule_assignment(lead, RULES, REPS).rep_id == "bela"


def test_rule_with_every_condition_needed():
    assert rule_assignment(LeadFacts(source="event", language="en"), RULES, REPS) is None


def test_company_size_rule_uses_the_band_minimum():
    assert rule_assignment(LeadFacts(company_size="201-1000"), RULES, REPS).rep_id == "chris"
    assert rule_assignment(LeadFacts(company_size="51-200"), RULES, REPS) is None
    assert rule_assignment(LeadFacts(), RULES, REPS) is None


def test_inactive_or_excluded_rep_passes_the_lead_to_the_next_one_listed():
    lead = LeadFacts(company_size="1000+")
    assert rule_assignment(lead, RULES, ["bela", "anna"]).rep_id == "bela"
    assert rule_assignment(lead, RULES, REPS, exclude=frozenset({"chris"})).rep_id == "bela"
    assert rule_assignment(LeadFacts(country="AT"), RULES, ["bela"]) is None


def test_round_robin_takes_turns_in_a_stable_order():
    picks = [round_robin_pick(["chris", "anna", "bela"], turn).rep_id for turn in range(4)]
    assert picks == ["anna", "bela", "chris", "anna"]


def test_round_robin_skips_excluded_reps_unless_nobody_else_is_left():
    assert round_robin_pick(REPS, 0, exclude=frozenset({"anna"})).rep_id == "bela"
    assert round_robin_pick(["anna"], 3, exclude=frozenset({"anna"})).rep_id == "anna"


def test_no_active_rep_is_a_clear_error():
    with pytest.raises(NoActiveRepError):
        round_robin_pick([], 0)


@pytest.mark.parametrize(("count", "band"), [(1, "1-10"), (10, "1-10"), (11, "11-50"), (200, "51-200"),
                                             (1000, "201-1000"), (5000, "1000+")])
def test_head_counts_fall_into_bands(count, band):
    assert band_for(count) == band
    assert band_minimum(band) <= count
