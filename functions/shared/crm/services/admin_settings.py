"""The admin's settings kept as data: the ideal customer profile (L5), nurture sequences (L7) and status rules
(L11). A GET shows the built-in default until someone saves; every save keeps who and when."""

from __future__ import annotations

from datetime import datetime

from crm.clock import to_iso
from crm.data.config import (
    CONFIG_PK,
    PROFILE_KEY,
    STATUS_RULES_KEY,
    ConfigItem,
    profile_document,
    sequence_key,
)
from crm.domain.nurture import DEFAULT_SEQUENCE, DEFAULT_SEQUENCE_ID, Sequence
from crm.domain.qualification import DEFAULT_PROFILE
from crm.domain.status_rules import DEFAULT_STATUS_RULES, StatusRule
from crm.models.admin_settings import ProfileInput
from crm.observability import count, logger
from crm.services.qualification import forget_profile


def profile() -> dict:
    return _shown(_stored(PROFILE_KEY), profile_document(DEFAULT_PROFILE))


def save_profile(given: ProfileInput, by: str, now: datetime) -> dict:
    """Scoring in this process uses the new profile at once; other processes within a minute."""
    shown = _save(PROFILE_KEY, profile_document(given.to_profile()), by, now)
    forget_profile()
    return shown


def sequences() -> dict:
    """Every sequence by id, with its name and step counts: one query, plus the default if none replaced it."""
    stored = {item.SK.removeprefix("SEQUENCE#"): item
              for item in ConfigItem.query(CONFIG_PK, ConfigItem.SK.startswith("SEQUENCE#"), consistent_read=True)}
    shown = {sequence_id: _shown(item, {}) for sequence_id, item in stored.items()}
    shown.setdefault(DEFAULT_SEQUENCE_ID, _shown(None, _sequence_document(DEFAULT_SEQUENCE)))
    return {"sequences": [{"id": sequence_id, "name": document["name"], "steps": len(document["steps"]),
                           "emails": sum(step["kind"] == "email" for step in document["steps"]),
                           "updated_by": document["updated_by"], "updated_at": document["updated_at"]}
                          for sequence_id, document in sorted(shown.items())]}


def sequence(sequence_id: str) -> dict | None:
    """The full sequence; None when no such sequence was ever saved (and it is not the default)."""
    item = _stored(sequence_key(sequence_id))
    if item is None and sequence_id != DEFAULT_SEQUENCE_ID:
        return None
    return {"id": sequence_id, **_shown(item, _sequence_document(DEFAULT_SEQUENCE))}


def save_sequence(sequence_id: str, given: Sequence, by: str, now: datetime) -> dict:
    return {"id": sequence_id, **_save(sequence_key(sequence_id), _sequence_document(given), by, now)}


def status_rules() -> dict:
    return _shown(_stored(STATUS_RULES_KEY), _rules_document(DEFAULT_STATUS_RULES))


def save_status_rules(rules: list[StatusRule], by: str, now: datetime) -> dict:
    return _save(STATUS_RULES_KEY, _rules_document(rules), by, now)


def _sequence_document(given: Sequence) -> dict:
    return given.model_dump(mode="json")


def _rules_document(rules: list[StatusRule] | tuple[StatusRule, ...]) -> dict:
    return {"rules": [rule.model_dump(mode="json") for rule in rules]}


def _stored(sort_key: str) -> ConfigItem | None:
    try:
        return ConfigItem.get(CONFIG_PK, sort_key, consistent_read=True)
    except ConfigItem.DoesNotExist:
        return None


def _shown(item: ConfigItem | None, default: dict) -> dict:
    """The saved document with who saved it and when; the default (saved by nobody) when there is none."""
    if item is None:
        return {**default, "updated_by": None, "updated_at": None}
    return {**item.document, "updated_by": item.updated_by, "updated_at": item.updated_at}


def _save(sort_key: str, document: dict, by: str, now: datetime) -> dict:
    item = ConfigItem.build(sort_key, document, to_iso(now), by)
    item.save()
    count("SettingSaved")
    logger.info("setting saved", extra={"setting": sort_key, "updated_by": by})
    return _shown(item, document)
