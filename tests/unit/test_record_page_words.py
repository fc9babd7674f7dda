"""The record page names everything it shows in each of the five languages: every timeline event type the services
write, every lead status and temperature (a missing label shows the raw value, e.g. `went_cold`, to the rep)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crm.domain.follow_up import CONVERTED, STATUSES
from crm.domain.qualification import TEMPERATURES

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "static_site" / "js" / "i18n"
LANGUAGES = ("en", "de", "hu", "el", "fa")
# how services name the event they write: TimelineEventItem.build(pk, "type", ...), a module's own _event or
# _decision_event(lead_id, "type", ...), and the SES event types mapped to "email_*" types
WRITTEN = re.compile(r"(?:TimelineEventItem\.build|_event|_decision_event)\(\s*[^,()]+(?:\([^()]*\))?,\s*\"([a-z_]+)\"")
MAPPED = re.compile(r"_EVENT_TYPES = \{(.*?)\}", re.S)


def catalogue(name: str) -> dict[str, set[str]]:
    """The message keys of static_site/js/i18n/<name>.js, by language."""
    text = (CATALOGUES / f"{name}.js").read_text()
    starts = [(match.group(1), match.end()) for match in re.finditer(r"^  (\w\w): \{$", text, re.M)]
    ends = [start for _, start in starts[1:]] + [len(text)]
    return {language: set(re.findall(r"(?:^|,)\s*(\w+):\s*[\"{]", text[start:end], re.M))
            for (language, start), end in zip(starts, ends, strict=True)}


def event_types() -> set[str]:
    found = {"activity"}  # activities.py writes a logged call or email under this type
    for source in (ROOT / "functions" / "shared" / "crm").rglob("*.py"):
        text = source.read_text()
        found |= set(WRITTEN.findall(text))
        for mapping in MAPPED.findall(text):
            found |= set(re.findall(r":\s*\"([a-z_]+)\"", mapping))
    return found


def test_the_services_event_types_are_found():
    assert {"went_cold", "escalated", "touch", "email_opened", "nurture_started", "erased"} <= event_types()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_timeline_event_type_has_a_label(language):
    missing = {kind for kind in event_types() if f"recordEvent_{kind}" not in catalogue("record")[language]}
    assert not missing, f"{language}: the timeline would show these raw: {sorted(missing)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_lead_status_and_temperature_has_a_name(language):
    keys = catalogue("record")[language] | catalogue("lists")[language]
    wanted = {f"listsStatus_{status}" for status in (*STATUSES, CONVERTED)} | {
        f"recordTemperature_{temperature}" for temperature in TEMPERATURES}
    assert wanted <= keys, sorted(wanted - keys)
