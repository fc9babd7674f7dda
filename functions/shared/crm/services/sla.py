"""The first-contact deadline as configured: SLA minutes, optionally counted in business hours (L4)."""

from __future__ import annotations

from datetime import datetime

from crm.clock import to_iso
from crm.domain.sla import BusinessHours, first_contact_due
from crm.settings import get_settings


def first_contact_deadline(start: datetime) -> str:
    settings = get_settings()
    hours = BusinessHours.parse(settings.sla_business_hours, settings.sla_timezone) \
        if settings.sla_business_hours else None
    return to_iso(first_contact_due(start, settings.sla_minutes, hours))
