"""Settings an admin edits through the API, kept as data: the ideal customer profile (L5), nurture sequences
(L7), status-change rules (L11) and pipelines (D1). Each falls back to the built-in default until an admin saves
one.

The lead intake reads only the profile: the sequences', rules' and pipelines' models load when first read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pynamodb.attributes import JSONAttribute, UnicodeAttribute

from crm.data.table import CrmItem
from crm.domain.qualification import DEFAULT_PROFILE, IdealCustomerProfile

if TYPE_CHECKING:
    from crm.domain.nurture import Sequence
    from crm.domain.pipelines import Pipeline
    from crm.domain.status_rules import StatusRule

CONFIG_PK = "CONFIG"


class ConfigItem(CrmItem, discriminator="Config"):
    """One document per setting: PK CONFIG, SK e.g. PROFILE, SEQUENCE#default, STATUS_RULES."""

    document = JSONAttribute()
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute()

    @classmethod
    def build(cls, sort_key: str, document: dict, updated_at: str, updated_by: str) -> ConfigItem:
        return cls(CONFIG_PK, sort_key, document=document, updated_at=updated_at, updated_by=updated_by)


PROFILE_KEY = "PROFILE"
STATUS_RULES_KEY = "STATUS_RULES"


def sequence_key(sequence_id: str) -> str:
    return f"SEQUENCE#{sequence_id}"


def pipeline_key(pipeline_id: str) -> str:
    return f"PIPELINE#{pipeline_id}"


def _document(sort_key: str) -> dict | None:
    try:
        return ConfigItem.get(CONFIG_PK, sort_key).document
    except ConfigItem.DoesNotExist:
        return None


def profile_from_document(document: dict) -> IdealCustomerProfile:
    return IdealCustomerProfile(
        company_size_bands=frozenset(document.get("company_size_bands", ())),
        roles=tuple(document.get("roles", ())),
        countries=frozenset(document.get("countries", ())),
        industries=frozenset(document.get("industries", ())),
    )


def profile_document(profile: IdealCustomerProfile) -> dict:
    return {"company_size_bands": sorted(profile.company_size_bands), "roles": list(profile.roles),
            "countries": sorted(profile.countries), "industries": sorted(profile.industries)}


def ideal_customer_profile() -> IdealCustomerProfile:
    document = _document(PROFILE_KEY)
    return DEFAULT_PROFILE if document is None else profile_from_document(document)


def sequence(sequence_id: str | None = None) -> Sequence:
    """The saved sequence, else the built-in default for its id (None: the default sequence)."""
    from crm.domain.nurture import DEFAULT_SEQUENCE, DEFAULT_SEQUENCE_ID, Sequence

    sequence_id = DEFAULT_SEQUENCE_ID if sequence_id is None else sequence_id
    document = _document(sequence_key(sequence_id))
    if document is None:
        if sequence_id == DEFAULT_SEQUENCE_ID:
            return DEFAULT_SEQUENCE
        raise LookupError(f"no nurture sequence {sequence_id!r}")
    return Sequence.model_validate(document)


def sequence_ids() -> list[str]:
    from crm.domain.nurture import DEFAULT_SEQUENCE_ID

    stored = [item.SK.removeprefix("SEQUENCE#")
              for item in ConfigItem.query(CONFIG_PK, ConfigItem.SK.startswith("SEQUENCE#"))]
    return sorted({DEFAULT_SEQUENCE_ID, *stored})


def status_rules() -> tuple[StatusRule, ...]:
    from crm.domain.status_rules import DEFAULT_STATUS_RULES, StatusRule

    document = _document(STATUS_RULES_KEY)
    if document is None:
        return DEFAULT_STATUS_RULES
    return tuple(StatusRule.model_validate(rule) for rule in document.get("rules", ()))


def pipeline(pipeline_id: str | None = None) -> Pipeline | None:
    """The saved pipeline, else the built-in default for its id (None: the default pipeline); None when there is
    no such pipeline."""
    from crm.domain.pipelines import DEFAULT_PIPELINE, DEFAULT_PIPELINE_ID, Pipeline

    pipeline_id = DEFAULT_PIPELINE_ID if pipeline_id is None else pipeline_id
    document = _document(pipeline_key(pipeline_id))
    if document is None:
        return DEFAULT_PIPELINE if pipeline_id == DEFAULT_PIPELINE_ID else None
    return Pipeline.model_validate(document)


def pipelines() -> dict[str, Pipeline]:
    """Every pipeline by id: one query, plus the default while no admin has saved it."""
    from crm.domain.pipelines import DEFAULT_PIPELINE, DEFAULT_PIPELINE_ID, Pipeline

    stored = {item.SK.removeprefix("PIPELINE#"): Pipeline.model_validate(item.document)
              for item in ConfigItem.query(CONFIG_PK, ConfigItem.SK.startswith("PIPELINE#"))}
    return {DEFAULT_PIPELINE_ID: DEFAULT_PIPELINE, **stored}


def save_pipeline(pipeline_id: str, given: Pipeline, by: str, at: str) -> None:
    ConfigItem.build(pipeline_key(pipeline_id), given.model_dump(mode="json"), at, by).save()
