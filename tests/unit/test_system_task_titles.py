"""The tasks the CRM makes itself (a new lead's call, the nurture call, the engaged lead's call, the default
pipeline's stage-entry robots) are stored with their English title and shown in the reader's language: the site's
catalogue (static_site/js/i18n/system_tasks.js) names every such title, in every other language the site speaks."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

CATALOGUE = Path(__file__).resolve().parents[2] / "static_site" / "js" / "i18n" / "system_tasks.js"
READ = "const m = await import(process.argv[1]); console.log(JSON.stringify(m.SYSTEM_TASK_TITLES));"


@pytest.fixture(scope="module")
def catalogue() -> dict[str, dict[str, str]]:
    node = shutil.which("node")
    assert node, "Node.js reads the site's catalogue here"
    done = subprocess.run([node, "--input-type=module", "-e", READ, CATALOGUE.as_uri()],
                          capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def system_titles() -> set[str]:
    from crm.data.tasks import CALL_TASK_TITLE
    from crm.domain.pipelines import DEFAULT_PIPELINE
    from crm.services.email_events import PROMOTED_TASK_TITLE
    from crm.services.nurture import NURTURE_CALL_TITLE

    robots = {action.title for stage in DEFAULT_PIPELINE.stages for action in stage.entry_actions}
    return {CALL_TASK_TITLE, NURTURE_CALL_TITLE, PROMOTED_TASK_TITLE, *robots}


def test_every_title_the_crm_gives_a_task_is_translated_in_every_language(catalogue):
    assert list(catalogue) == ["de", "hu", "el", "fa"]
    titles = system_titles()
    assert "Call new lead" in titles and "Send the proposal" in titles
    for language, translated in catalogue.items():
        assert set(translated) == titles, language
        assert not {title for title, text in translated.items() if text == title or not text.strip()}, language
