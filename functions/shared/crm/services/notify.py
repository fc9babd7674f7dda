"""Sending rendered notifications to CRM users (reps and managers) by email and SMS."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm.clock import from_iso
from crm.data.leads import LeadItem
from crm.data.people import UserItem, active_users
from crm.integrations.email import send_email
from crm.integrations.sms import send_sms
from crm.links import record_url
from crm.models.lead_fields import NOTIFIED, stored_value
from crm.notifications.render import render_email, render_sms


def local_time(iso: str, timezone: str) -> str:
    """A UTC timestamp as the reader's wall-clock time, with the zone named."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    moment: datetime = from_iso(iso).astimezone(zone)
    return f"{moment:%Y-%m-%d %H:%M} ({zone.key})"


def lead_url(lead_id: str) -> str:
    """The lead's record page; without a board to link to, the lead's id so the reader can still find it."""
    return record_url("lead", lead_id) or f"lead {lead_id}"


def lead_context(lead: LeadItem) -> dict:
    """The lead as a rep's notification shows it: its id, score and every field declared for the notification."""
    context = {"id": lead.lead_id, **{field.name: stored_value(lead, field) for field in NOTIFIED}}
    context.update(temperature=lead.temperature, score=lead.score)
    return context


def email_user(user: UserItem, template: str, context: dict) -> str:
    rendered = render_email(template, user.language, context)
    return send_email(user.email, rendered, to_name=user.name)


def sms_user(user: UserItem, template: str, context: dict) -> str | None:
    if not user.phone:
        return None
    return send_sms(user.phone, render_sms(template, user.language, context))


def email_managers(template: str, context_for: dict) -> list[str]:
    """Every active manager gets the email in their own language; returns who was told."""
    told = []
    for manager in active_users("manager"):
        email_user(manager, template, {**context_for, "manager": {"name": manager.name}})
        told.append(manager.user_id)
    return told
