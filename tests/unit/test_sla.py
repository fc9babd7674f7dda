from datetime import UTC, datetime, timedelta

import pytest

from crm.clock import compressed_wake_time, from_iso, to_iso
from crm.domain.sla import BusinessHours, first_contact_due, seconds_between

BUDAPEST_OFFICE = BusinessHours.parse("Mon-Fri 09:00-17:00", "Europe/Budapest")


def test_without_business_hours_the_deadline_is_twenty_minutes_later():
    received = datetime(2026, 11, 28, 23, 55, tzinfo=UTC)  # a Saturday night
    assert first_contact_due(received, 20, None) == received + timedelta(minutes=20)


def test_inside_business_hours_the_deadline_counts_straight_on():
    received = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tue 10:00 in Budapest
    assert first_contact_due(received, 20, BUDAPEST_OFFICE) == datetime(2026, 11, 24, 9, 20, tzinfo=UTC)


def test_a_lead_at_friday_closing_is_due_monday_morning():
    received = datetime(2026, 11, 27, 15, 50, tzinfo=UTC)  # Fri 16:50 in Budapest: 10 open minutes left
    assert first_contact_due(received, 20, BUDAPEST_OFFICE) == datetime(2026, 11, 30, 8, 10, tzinfo=UTC)


def test_a_weekend_lead_is_due_twenty_minutes_after_opening():
    received = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    assert first_contact_due(received, 20, BUDAPEST_OFFICE) == datetime(2026, 11, 30, 8, 20, tzinfo=UTC)


def test_business_hours_follow_daylight_saving_time():
    summer = datetime(2026, 7, 6, 6, 50, tzinfo=UTC)  # Mon 08:50 CEST
    assert first_contact_due(summer, 20, BUDAPEST_OFFICE) == datetime(2026, 7, 6, 7, 20, tzinfo=UTC)


def test_wrapping_weekday_ranges_are_understood():
    assert BusinessHours.parse("Fri-Mon 09:00-17:00", "UTC").weekdays == frozenset({4, 5, 6, 0})


@pytest.mark.parametrize("spec", ["weekdays", "Mon-Fri 17:00-09:00", "Xyz 09:00-10:00"])
def test_bad_business_hours_are_refused(spec):
    with pytest.raises(ValueError):
        BusinessHours.parse(spec, "UTC")


def test_local_time_compression_shortens_the_wait_only():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    due = now + timedelta(minutes=20)
    assert compressed_wake_time(now, due, 1.0) == due
    assert compressed_wake_time(now, due, 600.0) == now + timedelta(seconds=2)
    assert compressed_wake_time(now, now - timedelta(minutes=1), 60.0) == now


def test_iso_round_trip_is_utc_with_z():
    moment = datetime(2026, 11, 23, 12, 0, 5, tzinfo=UTC)
    assert to_iso(moment) == "2026-11-23T12:00:05Z"
    assert from_iso("2026-11-23T12:00:05Z") == moment


def test_seconds_between_never_goes_negative():
    now = datetime(2026, 11, 23, tzinfo=UTC)
    assert seconds_between(now, now + timedelta(seconds=90)) == 90
    assert seconds_between(now, now - timedelta(seconds=5)) == 0


@pytest.mark.parametrize(("received", "closes"), [
    (datetime(2026, 11, 24, 9, 0, tzinfo=UTC), datetime(2026, 11, 25, 16, 0, tzinfo=UTC)),  # Tue 10:00: Wed's close
    (datetime(2026, 11, 27, 15, 50, tzinfo=UTC), datetime(2026, 11, 30, 16, 0, tzinfo=UTC)),  # Fri: Monday's close
    (datetime(2026, 11, 28, 10, 0, tzinfo=UTC), datetime(2026, 11, 30, 16, 0, tzinfo=UTC)),  # Saturday: Monday's
    (datetime(2026, 11, 24, 6, 0, tzinfo=UTC), datetime(2026, 11, 24, 16, 0, tzinfo=UTC)),  # before opening: today
    (datetime(2026, 7, 6, 12, 0, tzinfo=UTC), datetime(2026, 7, 7, 15, 0, tzinfo=UTC)),  # summer time: 17:00 CEST
])
def test_a_follow_up_is_due_when_the_next_business_day_closes(received, closes):
    assert BUDAPEST_OFFICE.next_day_closes(received) == closes
