"""Who gets a lead: routing rules kept as data, then round robin among the active reps, then a manager."""

from __future__ import annotations

from crm.data.people import RoutingRuleItem, active_users, routing_rules, take_round_robin_turn
from crm.domain.assignment import Assignment, LeadFacts, RoutingRule, manager_assignment, rep_assignment


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


def assign_lead(facts: LeadFacts, exclude: frozenset[str] = frozenset(),
                first_rule_id: str | None = None) -> Assignment:
    """A rep by rule or in turn, else a manager rather than losing the lead. An escalation excludes the reps already
    tried and names the rule that assigned the lead (`first_rule_id`), whose other reps come first."""
    active = [user.user_id for user in active_users("rep")]
    rules = [_rule(item) for item in routing_rules()]
    chosen = rep_assignment(facts, rules, active, take_round_robin_turn, exclude, first_rule_id)
    return chosen or manager_assignment([user.user_id for user in active_users("manager")], exclude)
