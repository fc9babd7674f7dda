"""Qualification of a stored lead (L5): its score, temperature and cycle, with the explanation kept."""

from __future__ import annotations

from pynamodb.expressions.update import Action

from crm.data.leads import LeadItem
from crm.domain.qualification import LeadSignals, Qualification, Thresholds, explain, qualify
from crm.settings import get_settings


def qualify_lead(lead: LeadItem) -> Qualification:
    """Scored from what the lead told us, how they came and how they answer; email opens and clicks join with
    nurture (L7)."""
    answers = lead.qualification or {}
    settings = get_settings()
    signals = LeadSignals(
        budget=answers.get("budget"), authority=answers.get("authority"), need=answers.get("need") or lead.message,
        timing=answers.get("timing"), company_size=lead.company_size, role=lead.role, country=lead.country,
        industry=lead.industry, recent_company_change=bool(lead.recent_company_change),
        referred_by_customer=bool(lead.referred_by), source=lead.first_touch.source,
        answered_calls=int(lead.answered_calls), replies=int(lead.replies),
        unanswered_attempts=int(lead.attempts_without_response),
    )
    return qualify(signals, thresholds=Thresholds(warm=settings.score_warm, hot=settings.score_hot))


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
