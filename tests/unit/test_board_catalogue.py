"""The board page speaks every language the site does (static_site/js/i18n/board.js): each language has every
English message with the same placeholders, and a name for every expected-close filter it offers (deal types are named
by the deal panel's catalogue, js/i18n/deal_panel.js, which the board shares)."""

import pytest

from tests.site_catalogues import added_messages

CLOSING = ("overdue", "this_month", "next_month", "this_quarter", "none")  # its `closing` filter values


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return added_messages("board")


def test_every_closing_filter_has_a_name(catalogue):
    assert {f"boardClosing_{value}" for value in CLOSING} <= set(catalogue["en"])
