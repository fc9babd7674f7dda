"""Every page's message catalogue (static_site/js/i18n/<page>.js) speaks the five languages alike: each language has
every message, with the same placeholders, so no page shows a raw key or a hole in any of them."""

from __future__ import annotations

import pytest

from tests.site_catalogues import I18N, added_messages, placeholders

PAGE_CATALOGUES = sorted(path.stem for path in I18N.glob("*.js") if "addMessages" in path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", PAGE_CATALOGUES)
def test_every_language_has_every_message_with_the_same_placeholders(page: str):
    catalogue = added_messages(page)
    english = catalogue["en"]
    assert list(catalogue) == ["en", "de", "hu", "el", "fa"]
    for language, messages in catalogue.items():
        assert set(messages) == set(english), language
        assert {key: placeholders(text) for key, text in messages.items()} == {
            key: placeholders(text) for key, text in english.items()}, language
