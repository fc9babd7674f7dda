"""Sending rendered notifications to CRM users (reps and managers) by email and SMS."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm.clock import from_iso
from crm.data.leads import LeadItem
from crm.data.people import UserItem, active_users
from crm.integrations.email import send_email
from crm.integrations.sms import send_sms
from crm.notifications.render import render_email, render_sms
from crm.settings import get_settings


def local_time(iso: str, timezone: str) -> str:
    """A UTC timestamp as the reader's wall-clock time, with the zone named."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    moment: datetime = from_iso(iso).astimezone(zone)
    return f"{moment:%Y-%m-%d %H:%M} ({zone.key})"


def lead_url(lead_id: str) -> str:
    base = get_settings().board_url.rstrip("/")
    return f"{base}/#/leads/{lead_id}" if base else f"lead {lead_id}"


def lead_context(lead: LeadItem) -> dict:
    fields = ("name", "email", "phone", "company", "role", "company_size", "country", "message",
              "best_time_to_contact")
    context = {"id": lead.lead_id, **{name: getattr(lead, name) for name in fields}}
    context["source"] = lead.first_touch.source
    context.update(temperature=lead.temperature, score=lead.score)
    context["utm"] = lead.first_touch.utm or {}
    context.update({name: (lead.qualification or {}).get(name) for name in ("budget", "authority", "need", "timing")})
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
