"""Qualification of a stored lead (L5): its score, temperature and cycle, with the explanation kept."""

from __future__ import annotations

from dataclasses import replace

from pynamodb.expressions.update import Action

from crm.cache import ttl_cached
from crm.data.config import ideal_customer_profile
from crm.data.leads import LeadItem
from crm.domain.qualification import IdealCustomerProfile, LeadSignals, Qualification, Thresholds, explain, qualify
from crm.settings import get_settings


@ttl_cached(seconds=60)
def current_profile() -> IdealCustomerProfile:
    """The admin's ideal customer profile, re-read at most once a minute per process (intake is hot)."""
    return ideal_customer_profile()


def forget_profile() -> None:
    """After an admin saves a new profile, this process scores with it at once."""
    current_profile.forget()


def qualify_lead(lead: LeadItem) -> Qualification:
    """Scored from what the lead told us, how they came, how they answer and what they open and click.

    A lead promoted by its engagement (L7) stays an expected buyer whatever its points say.
    """
    answers = lead.qualification or {}
    settings = get_settings()
    signals = LeadSignals(
        budget=answers.get("budget"), authority=answers.get("authority"), need=answers.get("need") or lead.message,
        timing=answers.get("timing"), company_size=lead.company_size, role=lead.role, country=lead.country,
        industry=lead.industry, recent_company_change=bool(lead.recent_company_change),
        referred_by_customer=bool(lead.referred_by), source=lead.first_touch.source,
        answered_calls=int(lead.answered_calls), replies=int(lead.replies),
        unanswered_attempts=int(lead.attempts_without_response), opens=int(lead.opens), clicks=int(lead.clicks),
    )
    result = qualify(signals, current_profile(), Thresholds(warm=settings.score_warm, hot=settings.score_hot))
    return replace(result, cycle="expected_buyer") if lead.promoted_at else result


def apply_qualification(lead: LeadItem, result: Qualification) -> None:
    lead.score, lead.temperature, lead.cycle = result.score, result.temperature, result.cycle
    lead.score_parts = explain(result)


def qualification_actions(result: Qualification) -> list[Action]:
    """The same attributes as `apply_qualification`, as update actions on a stored lead."""
    return [LeadItem.score.set(result.score), LeadItem.temperature.set(result.temperature),
            LeadItem.cycle.set(result.cycle), LeadItem.score_parts.set(explain(result))]


def qualification_changed(lead: LeadItem, result: Qualification) -> bool:
    return (lead.score, lead.temperature, lead.cycle) != (result.score, result.temperature, result.cycle)


def scored_event_data(result: Qualification) -> dict:
    """What the timeline keeps of each scoring: the history of why a lead is hot, warm or cold."""
    return {"score": result.score, "temperature": result.temperature, "cycle": result.cycle,
            "parts": explain(result)}
