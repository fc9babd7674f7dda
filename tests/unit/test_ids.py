"""An id a caller names (a path's record id, ?owner=, an unsubscribe link's lead) that no record can have is a 404
naming the field, before DynamoDB refuses it as a key (which the APIs would answer as an outage)."""

from __future__ import annotations

import pytest

from crm.errors import NotFoundError
from crm.ids import ID_MAX_CHARS, checked_id


@pytest.mark.parametrize("value", ["01HZZZZZZZZZZZZZZZZZZZZZZZ", "rep-eve", "sales", "deal#1", "x" * ID_MAX_CHARS])
def test_ids_the_crm_makes_pass(value):
    assert checked_id("deal_id", value) == value


@pytest.mark.parametrize("value", ["", "x" * (ID_MAX_CHARS + 1), "x" * 3000, "a b", "a\tb", "a\x00b", "a\x85b"])
def test_what_no_record_can_have_is_a_404_naming_the_field(value):
    with pytest.raises(NotFoundError, match=r"^lead: no record has this id"):
        checked_id("lead", value)
