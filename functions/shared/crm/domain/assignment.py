"""Lead assignment (L6): the first matching routing rule wins; otherwise round robin among active reps."""

from __future__ import annotations

from collections.abc import Sequence
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


@dataclass(frozen=True)
class Assignment:
    rep_id: str
    reason: str


def rule_assignment(lead: LeadFacts, rules: Sequence[RoutingRule], active_rep_ids: Sequence[str],
                    exclude: frozenset[str] = frozenset()) -> Assignment | None:
    """The rep the first matching rule names, skipping reps who are inactive or excluded."""
    active = set(active_rep_ids) - exclude
    for rule in sorted(rules, key=lambda rule: (rule.priority, rule.rule_id)):
        if rule.matches(lead):
            for rep_id in rule.rep_ids:
                if rep_id in active:
                    return Assignment(rep_id, f"rule:{rule.rule_id}")
    return None


def round_robin_pick(active_rep_ids: Sequence[str], turn: int, exclude: frozenset[str] = frozenset()) -> Assignment:
    """The rep whose turn it is; `turn` is a counter that only grows, so reps take leads in order."""
    pool = sorted(set(active_rep_ids) - exclude) or sorted(active_rep_ids)
    if not pool:
        raise NoActiveRepError("there is no active rep to assign the lead to")
    return Assignment(pool[turn % len(pool)], "round_robin")


class NoActiveRepError(UnavailableError):
    """Raised when nobody can take a lead: a configuration problem a person must fix; nothing is stored."""
