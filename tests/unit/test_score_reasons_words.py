"""The record page tells why a lead scored what it did in the reader's language: every reason code the scoring gives
(crm.domain.qualification.SCORE_REASONS) is in the site's catalogue (static_site/js/i18n/score_reasons.js) in each
of the five languages, with the placeholders the code's params fill."""

import pytest

from crm.domain.qualification import SCORE_REASONS
from tests.site_catalogues import added_messages, placeholders


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return added_messages("score_reasons")


def test_every_reason_code_is_worded_in_every_language_with_its_params(catalogue):
    assert list(catalogue) == ["en", "de", "hu", "el", "fa"]
    expected = {f"scoreReason_{code}": placeholders(text) for code, text in SCORE_REASONS.items()}
    for language, messages in catalogue.items():
        assert set(messages) == set(expected), language
        for key, message in messages.items():
            # a plural's "one" form may say "once" instead of the count
            assert placeholders(message) == expected[key] or (
                isinstance(message, dict) and placeholders(message["other"]) == expected[key]), (language, key)
        if language != "en":
            same = {key for key, message in messages.items() if message == catalogue["en"][key]}
            assert not same, f"{language}: left in English: {same}"
