"""The tasks the CRM makes itself (a new lead's call or follow-up, the nurture call, the engaged lead's call, the
default pipeline's stage-entry robots) are stored with their English title and shown in the reader's language: the
site's catalogue (static_site/js/i18n/system_tasks.js) names every such title, in every other language the site speaks.
"""

import pytest

from tests.site_catalogues import exported


@pytest.fixture(scope="module")
def catalogue() -> dict[str, dict[str, str]]:
    return exported("system_tasks", "SYSTEM_TASK_TITLES")


def system_titles() -> set[str]:
    from crm.data.tasks import CALL_TASK_TITLE
    from crm.domain.pipelines import DEFAULT_PIPELINE
    from crm.services.email_events import PROMOTED_TASK_TITLE
    from crm.services.first_task import FOLLOW_UP_TITLE
    from crm.services.nurture import NURTURE_CALL_TITLE

    robots = {action.title for stage in DEFAULT_PIPELINE.stages for action in stage.entry_actions}
    return {CALL_TASK_TITLE, FOLLOW_UP_TITLE, NURTURE_CALL_TITLE, PROMOTED_TASK_TITLE, *robots}


def test_every_title_the_crm_gives_a_task_is_translated_in_every_language(catalogue):
    assert list(catalogue) == ["de", "hu", "el", "fa"]
    titles = system_titles()
    assert "Call new lead" in titles and "Send the proposal" in titles
    for language, translated in catalogue.items():
        assert set(translated) == titles, language
        assert not {title for title, text in translated.items() if text == title or not text.strip()}, language
