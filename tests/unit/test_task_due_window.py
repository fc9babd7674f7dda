"""'My tasks today' (D6, L12): today is the viewer's local day, so the window moves with their time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crm.errors import InvalidError
from crm.services.tasks import due_window

# 23:30 UTC on 1 March: already 2 March in Budapest, still 1 March in New York
NOW = datetime(2030, 3, 1, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(("timezone", "end_of_today"), [
    ("UTC", "2030-03-01T23:59:59Z"),
    ("Europe/Budapest", "2030-03-02T22:59:59Z"),
    ("America/New_York", "2030-03-02T04:59:59Z"),
    ("Not/AZone", "2030-03-01T23:59:59Z"),
])
def test_today_ends_at_the_viewers_local_midnight(timezone, end_of_today):
    assert due_window("today", NOW, timezone) == ("0", end_of_today)


def test_upcoming_starts_tomorrow_and_overdue_ends_now():
    assert due_window("upcoming", NOW, "Europe/Budapest") == ("2030-03-02T23:00:00Z", "~")
    assert due_window("overdue", NOW, "Europe/Budapest") == ("0", "2030-03-01T23:29:59Z")


def test_an_unknown_view_names_the_parameter():
    with pytest.raises(InvalidError) as raised:
        due_window("someday", NOW, "UTC")
    assert raised.value.field == "due"
