"""The first-contact deadline as configured: SLA minutes, optionally counted in business hours (L4), and the
working day a lead without the SLA is followed up in."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm.clock import to_iso
from crm.domain.sla import OFFICE_WEEK, BusinessHours, first_contact_due
from crm.settings import get_settings


def first_contact_deadline(start: datetime) -> str:
    settings = get_settings()
    hours = BusinessHours.parse(settings.sla_business_hours, settings.sla_timezone) \
        if settings.sla_business_hours else None
    return to_iso(first_contact_due(start, settings.sla_minutes, hours))


def next_business_day_end(start: datetime, timezone: str | None) -> str:
    """The close of the rep's next business day: the configured business hours (a working week when the SLA
    counts every minute), on the rep's clock when known."""
    settings = get_settings()
    zone = settings.sla_timezone
    with suppress(ZoneInfoNotFoundError, ValueError):  # a user's unreadable zone: the office's
        zone = ZoneInfo(timezone).key if timezone else zone
    return to_iso(BusinessHours.parse(settings.sla_business_hours or OFFICE_WEEK, zone).next_day_closes(start))
