"""The lead's fields, declared once (crm.models.lead_fields): every attribute of the stored lead is declared, and
each list of fields the CRM keeps (submission, item, record, notification, form, export, import) comes from the
declaration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pynamodb.attributes import JSONAttribute, MapAttribute

from crm.data.leads import Consent, FirstTouch, LeadItem
from crm.data.table import CrmItem
from crm.models.lead_fields import (
    FIELDS_BY_NAME,
    KEPT,
    LEAD_FIELDS,
    LEAD_RECORD_ATTRIBUTES,
    NOTIFIED,
    REMOVED,
    SCRUBBED,
    UTM_FIELDS,
    fields_where,
    stored_value,
)
from crm.models.leads import LeadSubmission

SITE = Path(__file__).resolve().parents[2] / "static_site"
MAPS = {"first_touch": FirstTouch, "consent": Consent}
"""The lead's maps with attributes of their own; `qualification` is a JSON map of answers."""


def stored_paths() -> set[str]:
    """Every attribute of the stored lead, and every attribute of its maps as "<map>.<attribute>"."""
    own = set(LeadItem.get_attributes()) - set(CrmItem.get_attributes())
    nested = {f"{name}.{key}" for name, map_class in MAPS.items() for key in map_class.get_attributes()}
    return own - set(MAPS) | nested


def declared_paths() -> set[str]:
    return {field.path for field in LEAD_FIELDS} | set(LEAD_RECORD_ATTRIBUTES)


def test_every_attribute_of_the_stored_lead_is_declared():
    """A field added to the lead without a declaration (and so without a decision about erasure) fails here."""
    json_maps = {field.container for field in LEAD_FIELDS if field.container and field.container not in MAPS}
    undeclared = stored_paths() - declared_paths() - json_maps
    assert not undeclared, f"declare these in crm.models.lead_fields (LEAD_FIELDS or LEAD_RECORD_ATTRIBUTES): " \
                           f"{sorted(undeclared)}"


def test_every_declaration_names_a_place_the_lead_has():
    for field in LEAD_FIELDS:
        if field.container is None:
            assert field.name in LeadItem.get_attributes(), field.name
        elif field.container in MAPS:
            assert field.key in MAPS[field.container].get_attributes(), field.path
        else:
            assert isinstance(LeadItem.get_attributes()[field.container], JSONAttribute), field.path
    assert set(LEAD_RECORD_ATTRIBUTES) <= stored_paths()
    assert set(LEAD_RECORD_ATTRIBUTES.values()) <= {KEPT, REMOVED, SCRUBBED}
    assert not {field.path for field in LEAD_FIELDS} & set(LEAD_RECORD_ATTRIBUTES)


def test_a_field_is_declared_once_and_its_own_attribute_is_text():
    assert len(FIELDS_BY_NAME) == len(LEAD_FIELDS)
    for field in fields_where(container=None):
        attribute = LeadItem.get_attributes()[field.name]
        assert attribute.attr_type == "S" and attribute.null is (field.default is not ...), field.name
        assert not isinstance(attribute, MapAttribute)


def test_the_submission_is_the_declared_fields():
    assert list(LeadSubmission.model_fields) == [field.name for field in LEAD_FIELDS]
    assert [name for name, info in LeadSubmission.model_fields.items() if info.is_required()] == ["name"]


def test_stored_values_are_read_where_the_declaration_says():
    lead = LeadItem("LEAD#1", "LEAD", name="Ann", company="Acme", qualification={"budget": "10k"},
                    first_touch=FirstTouch(at="2030-01-01T00:00:00Z", source="event", utm={"utm_source": "x"}))
    values = {field.name: stored_value(lead, field) for field in LEAD_FIELDS}
    assert {name: value for name, value in values.items() if value is not None} == {
        "name": "Ann", "company": "Acme", "budget": "10k", "source": "event", "utm": {"utm_source": "x"}}


def test_the_rep_notification_shows_the_declared_fields_with_a_label_in_every_language():
    from crm.notifications.messages import MESSAGES
    from crm.notifications.render import LEAD_FIELDS as CONTEXT_FIELDS
    from crm.notifications.render import REP_ANSWERS, REP_DETAILS

    assert REP_DETAILS == ("rating", "company", "role", "company_size", "country", "email", "phone",
                           "best_time_to_contact", "source", "utm", "message")
    assert REP_ANSWERS == ("budget", "authority", "need", "timing")
    assert set(CONTEXT_FIELDS) == {"id", "temperature", "score", *(field.name for field in NOTIFIED)}
    for language, catalogue in MESSAGES.items():
        missing = {name for name in (*REP_DETAILS, *REP_ANSWERS) if name not in catalogue["fields"]}
        assert not missing, f"{language}: no fields.* label for {missing}"


def test_the_form_asks_for_each_declared_form_field():
    from crm.web_form import BANT_FIELDS, HIDDEN_FIELDS, LABELS, render_lead_form

    page = render_lead_form({}, [])
    posted = set(re.findall(r'name="([a-z_]+)"', page))
    expected = {name for field in LEAD_FIELDS if field.form
                for name in (UTM_FIELDS if field.name == "utm" else (field.name,))}
    assert expected <= posted
    assert set(LABELS) == {field.name for field in LEAD_FIELDS if field.form and field.form.section != "hidden"}
    assert BANT_FIELDS == ("budget", "authority", "need", "timing")
    assert set(HIDDEN_FIELDS) == {"source", "form_id", "page_url", "referrer", "consent_text", "language",
                                 *UTM_FIELDS}


def test_export_columns_hold_the_declared_fields():
    from crm.services.lists import COLUMNS

    assert COLUMNS["leads"][:6] == ("id", "name", "company", "email", "phone", "source")


def _site_labels(path: Path, prefix: str) -> dict[str, set[str]]:
    """The `<prefix><name>` keys of each language block of a site i18n module."""
    text = path.read_text(encoding="utf-8")
    blocks = re.split(r"^  ([a-z]{2}): \{$", text, flags=re.MULTILINE)[1:]
    return {language: set(re.findall(rf"\b{prefix}(\w+):", block)) for language, block in zip(blocks[::2],
                                                                                               blocks[1::2],
                                                                                               strict=True)}


def test_every_importable_field_can_be_mapped_and_is_named_in_every_language():
    from crm.domain.csv_import import _SYNONYMS, FIELDS

    importable = {field.name for field in fields_where(importable=True)}
    assert {field.name for field in FIELDS["leads"]} == importable | {"first_name", "last_name"}
    assert importable <= set(_SYNONYMS)
    labels = _site_labels(SITE / "js" / "i18n" / "import.js", "importField_")
    assert set(labels) == {"en", "de", "hu", "el", "fa"}
    for language, names in labels.items():
        assert importable <= names, f"{language}: no importField_ label for {importable - names}"


def test_the_record_page_shows_the_declared_record_facts_named_in_every_language():
    from crm.models.lead_fields import SITE_MODULE, site_module

    regenerate = ("PYTHONPATH=functions/shared python -c \"from pathlib import Path; from crm.models.lead_fields "
                  "import SITE_MODULE, site_module; Path(SITE_MODULE).write_text(site_module())\"")
    assert (SITE.parent / SITE_MODULE).read_text(encoding="utf-8") == site_module(), f"regenerate it: {regenerate}"
    assert "...LEAD_RECORD_FACTS" in (SITE / "js" / "record.js").read_text(encoding="utf-8")
    shown = {field.name for field in LEAD_FIELDS if field.record}
    labels = _site_labels(SITE / "js" / "i18n" / "record.js", "recordFact_")
    assert set(labels) == {"en", "de", "hu", "el", "fa"}
    for language, names in labels.items():
        assert shown <= names, f"{language}: no recordFact_ label for {shown - names}"


def test_the_lead_view_has_every_field_the_lead_keeps_as_its_own():
    from crm.services.lead_view import _FACTS

    assert {field.name for field in fields_where(container=None)} <= set(_FACTS)


@pytest.mark.parametrize("field", [field for field in LEAD_FIELDS if field.personal], ids=lambda field: field.name)
def test_personal_fields_are_the_erased_ones(field):
    from crm.services.deletion import ERASED_PATHS

    assert field.path in ERASED_PATHS


def test_erasure_clears_the_personal_fields_and_the_removed_attributes_only():
    from crm.services.deletion import ERASED_PATHS

    removed = {path for path, fate in LEAD_RECORD_ATTRIBUTES.items() if fate == REMOVED}
    assert set(ERASED_PATHS) == {field.path for field in LEAD_FIELDS if field.personal} | removed
