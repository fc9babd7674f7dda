import pytest

from crm.domain.assignment import (
    Assignment,
    LeadFacts,
    NoActiveRepError,
    RoutingRule,
    manager_assignment,
    rep_assignment,
    round_robin_pick,
    rule_assignment,
)
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


def test_round_robin_is_not_asked_for_a_turn_when_a_rule_assigns_the_lead():
    turns = []
    def take_turn() -> int:
        turns.append(1)
        return 0

    assert rep_assignment(LeadFacts(country="DE"), RULES, REPS, take_turn) == Assignment("anna", "rule:dach")
    assert turns == []
    assert rep_assignment(LeadFacts(country="FR"), RULES, REPS, take_turn) == Assignment("anna", "round_robin")
    assert turns == [1]


DACH_TEAM = [RoutingRule("dach", 10, ("anna", "dora"), countries=frozenset({"DE", "AT", "CH"})), *RULES[1:]]
GERMAN = LeadFacts(country="DE", language="de")


def test_an_escalation_goes_to_the_next_rep_of_the_same_rule_first():
    # Given a German lead Anna missed, and a DACH rule with Dora too
    # When it is passed on, Then Dora takes it by the same rule, not the round robin
    assert rep_assignment(GERMAN, DACH_TEAM, ["anna", "bela", "chris", "dora"], lambda: 0,
                          exclude=frozenset({"anna"}), first_rule_id="dach") == Assignment("dora", "rule:dach")


def test_an_escalation_falls_back_to_round_robin_among_untried_reps_once_the_rule_has_nobody_left():
    reps = ["anna", "bela", "chris", "dora"]
    tried = frozenset({"anna", "dora"})
    picks = {rep_assignment(GERMAN, DACH_TEAM, reps, lambda turn=turn: turn, tried, "dach").rep_id for turn in range(4)}
    assert picks == {"bela", "chris"}
    # an inactive rep of the rule is skipped like a tried one
    assert rep_assignment(GERMAN, DACH_TEAM, ["anna", "chris"], lambda: 0, frozenset({"anna"}), "dach") == \
        Assignment("chris", "round_robin")


def test_the_rule_that_assigned_the_lead_comes_before_higher_priority_ones():
    # Given a big German lead given to Chris by the enterprise rule (Anna was away), and Anna now back
    lead = LeadFacts(country="DE", company_size="1000+")
    # When Chris misses it, Then the enterprise rule's other rep takes it before the DACH rule is asked
    assert rep_assignment(lead, DACH_TEAM, REPS, lambda: 0, frozenset({"chris"}), "enterprise") == \
        Assignment("bela", "rule:enterprise")
    # and a rule that no longer matches the lead is not preferred
    assert rule_assignment(LeadFacts(country="DE"), DACH_TEAM, REPS, first_rule_id="enterprise") == \
        Assignment("anna", "rule:dach")


def test_a_manager_takes_the_lead_once_every_rep_was_tried():
    assert rep_assignment(GERMAN, DACH_TEAM, ["anna", "bela"], lambda: 0, frozenset({"anna", "bela"})) is None
    assert manager_assignment(["max", "maria"]) == Assignment("maria", "no_active_rep")
    assert manager_assignment(["max", "maria"], exclude=frozenset({"maria"})).rep_id == "max"
    with pytest.raises(NoActiveRepError):
        manager_assignment(["maria"], exclude=frozenset({"maria"}))


def test_the_assigning_rule_is_read_back_from_the_reason():
    assert Assignment("anna", "rule:dach").rule_id == "dach"
    assert Assignment("anna", "round_robin").rule_id is None


def test_no_active_rep_is_a_clear_error():
    with pytest.raises(NoActiveRepError):
        round_robin_pick([], 0)


@pytest.mark.parametrize(("count", "band"), [(1, "1-10"), (10, "1-10"), (11, "11-50"), (200, "51-200"),
                                             (1000, "201-1000"), (5000, "1000+")])
def test_head_counts_fall_into_bands(count, band):
    assert band_for(count) == band
    assert band_minimum(band) <= count
