"""The board's deal panel and a deal's planning facts speak every language the site does
(static_site/js/i18n/deal_panel.js, static_site/js/i18n/record.js): each language has every English message with the
same placeholders, a name for every deal type the API accepts, and the record page a label for each new deal fact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crm.domain.deal_cards import DEAL_TYPES
from tests.site_catalogues import added_messages

SITE_JS = Path(__file__).resolve().parents[2] / "static_site" / "js"


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return added_messages("deal_panel")


def test_every_deal_type_the_api_accepts_is_named_and_offered(catalogue):
    for language, messages in catalogue.items():
        assert {f"dealPanelType_{kind}" for kind in DEAL_TYPES} <= set(messages), language
    offered = re.search(r"DEAL_TYPES = Object\.freeze\((\[.*?\])\)", (SITE_JS / "deal_fields.js").read_text())
    assert offered and set(re.findall(r"\"(\w+)\"", offered.group(1))) == set(DEAL_TYPES)


def test_the_record_page_labels_a_deals_planning_facts_in_every_language():
    record = added_messages("record")
    shown = re.search(r"DEAL_FACTS = Object\.freeze\((\[.*?\])\)", (SITE_JS / "deal_fields.js").read_text())
    assert shown
    for language, messages in record.items():
        assert {f"recordFact_{name}" for name in re.findall(r"\"(\w+)\"", shown.group(1))} <= set(messages), language
