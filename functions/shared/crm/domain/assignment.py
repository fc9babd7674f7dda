"""Lead assignment (L6): the first matching routing rule wins; otherwise round robin among active reps; else a manager.

An escalation chooses the same way, without the reps already tried.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from crm.domain.company_size import band_minimum
from crm.errors import UnavailableError


@dataclass(frozen=True)
class LeadFacts:
    """What routing may look at."""

    country: str | None = None
    source: str | None = None
    company_size: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class RoutingRule:
    """Kept as data: every condition given must hold; the lead goes to the first active rep listed."""

    rule_id: str
    priority: int
    rep_ids: tuple[str, ...]
    countries: frozenset[str] = field(default_factory=frozenset)
    sources: frozenset[str] = field(default_factory=frozenset)
    languages: frozenset[str] = field(default_factory=frozenset)
    min_company_size: int | None = None
    max_company_size: int | None = None

    def matches(self, lead: LeadFacts) -> bool:
        if self.countries and lead.country not in self.countries:
            return False
        if self.sources and lead.source not in self.sources:
            return False
        if self.languages and (lead.language or "").split("-")[0] not in self.languages:
            return False
        if self.min_company_size is not None or self.max_company_size is not None:
            if lead.company_size is None:
                return False
            size = band_minimum(lead.company_size)
            if self.min_company_size is not None and size < self.min_company_size:
                return False
            if self.max_company_size is not None and size > self.max_company_size:
                return False
        return True


RULE_REASON = "rule:"


@dataclass(frozen=True)
class Assignment:
    rep_id: str
    reason: str

    @property
    def rule_id(self) -> str | None:
        """The routing rule that chose the rep, if one did."""
        return self.reason.removeprefix(RULE_REASON) if self.reason.startswith(RULE_REASON) else None


def rule_assignment(lead: LeadFacts, rules: Sequence[RoutingRule], active_rep_ids: Sequence[str],
                    exclude: frozenset[str] = frozenset(), first_rule_id: str | None = None) -> Assignment | None:
    """The rep the first matching rule names, skipping reps who are inactive or excluded.

    `first_rule_id`, the rule that assigned a lead now passed on, is tried before the others (if it still matches),
    so an escalated lead stays in its territory while that rule has reps left.
    """
    active = set(active_rep_ids) - exclude
    ordered = sorted(rules, key=lambda rule: (rule.rule_id != first_rule_id, rule.priority, rule.rule_id))
    for rule in ordered:
        if rule.matches(lead):
            for rep_id in rule.rep_ids:
                if rep_id in active:
                    return Assignment(rep_id, f"{RULE_REASON}{rule.rule_id}")
    return None


def round_robin_pick(active_rep_ids: Sequence[str], turn: int) -> Assignment:
    """The rep whose turn it is; `turn` is a counter that only grows, so reps take leads in order."""
    pool = sorted(active_rep_ids)
    if not pool:
        raise NoActiveRepError("there is no active rep to assign the lead to")
    return Assignment(pool[turn % len(pool)], "round_robin")


def rep_assignment(lead: LeadFacts, rules: Sequence[RoutingRule], active_rep_ids: Sequence[str],
                   take_turn: Callable[[], int], exclude: frozenset[str] = frozenset(),
                   first_rule_id: str | None = None) -> Assignment | None:
    """The same choice at intake and at every escalation: the rules, then round robin among the active reps not
    excluded (those already tried); None when no rep is left. `take_turn` is only called for a round robin."""
    by_rule = rule_assignment(lead, rules, active_rep_ids, exclude, first_rule_id)
    if by_rule:
        return by_rule
    pool = sorted(set(active_rep_ids) - exclude)
    return round_robin_pick(pool, take_turn()) if pool else None


def manager_assignment(active_manager_ids: Sequence[str], exclude: frozenset[str] = frozenset()) -> Assignment:
    """The last resort when no rep is left: a manager takes the lead rather than losing it."""
    managers = sorted(set(active_manager_ids) - exclude)
    if not managers:
        raise NoActiveRepError("there is no rep or manager left to assign the lead to")
    return Assignment(managers[0], "no_active_rep")


class NoActiveRepError(UnavailableError):
    """Raised when nobody can take a lead: a configuration problem a person must fix; nothing is stored."""
