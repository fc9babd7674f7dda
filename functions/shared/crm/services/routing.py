"""Who gets a lead: routing rules kept as data, then round robin among the active reps."""

from __future__ import annotations

from crm.data.people import RoutingRuleItem, active_users, routing_rules, take_round_robin_turn
from crm.domain.assignment import (
    Assignment,
    LeadFacts,
    NoActiveRepError,
    RoutingRule,
    round_robin_pick,
    rule_assignment,
)


def _rule(item: RoutingRuleItem) -> RoutingRule:
    conditions = item.conditions or {}
    return RoutingRule(
        rule_id=item.rule_id,
        priority=int(item.priority),
        rep_ids=tuple(item.rep_ids),
        countries=frozenset(conditions.get("countries", ())),
        sources=frozenset(conditions.get("sources", ())),
        languages=frozenset(conditions.get("languages", ())),
        min_company_size=conditions.get("min_company_size"),
        max_company_size=conditions.get("max_company_size"),
    )


def assign_lead(facts: LeadFacts, exclude: frozenset[str] = frozenset()) -> Assignment:
    """A rep by rule or in turn; with no active rep at all, a manager takes the lead rather than losing it."""
    active = [user.user_id for user in active_users("rep")]
    by_rule = rule_assignment(facts, [_rule(item) for item in routing_rules()], active, exclude)
    if by_rule:
        return by_rule
    if active:
        return round_robin_pick(active, take_round_robin_turn(), exclude)
    managers = sorted(user.user_id for user in active_users("manager"))
    if not managers:
        raise NoActiveRepError("there is no active rep or manager to assign the lead to")
    return Assignment(managers[0], "no_active_rep")
