"""The lists page speaks every language the site does, jobs included (static_site/js/i18n/lists.js): each language
has every English message, with the same placeholders, and the words a job's progress needs."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CATALOGUE = Path(__file__).resolve().parents[2] / "static_site" / "js" / "i18n" / "lists.js"
# the module's one import is the site's i18n.js (a browser module): replaced by a stand-in that prints the catalogue
READ_CATALOGUE = """
import {readFileSync} from "node:fs";
const source = readFileSync(process.argv[1], "utf8")
  .replace(/^import .*$/m, "const addMessages = (catalogue) => console.log(JSON.stringify(catalogue));");
await import("data:text/javascript," + encodeURIComponent(source));
"""
JOB_MESSAGES = ("listsJobQueued", "listsJobFailed", "listsExportRunning", "listsExportDone", "listsDownload",
                "listsExportProgress", "listsEmailSending", "listsEmailDone", "listsEmailProgress")


@pytest.fixture(scope="module")
def catalogue() -> dict:
    node = shutil.which("node")
    assert node, "Node.js reads the site's catalogue here"
    done = subprocess.run([node, "--input-type=module", "-e", READ_CATALOGUE, str(CATALOGUE)],
                          capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def placeholders(message: str | dict) -> set[str]:
    forms = message.values() if isinstance(message, dict) else [message]
    return {name for form in forms for name in re.findall(r"\{(\w+)\}", form)}


def test_every_language_has_every_message_with_the_same_placeholders(catalogue):
    english = catalogue["en"]
    assert list(catalogue) == ["en", "de", "hu", "el", "fa"]
    for language, messages in catalogue.items():
        assert set(messages) == set(english), language
        assert {key: placeholders(text) for key, text in messages.items()} == {
            key: placeholders(text) for key, text in english.items()}, language


def test_a_jobs_progress_and_end_are_worded(catalogue):
    english = catalogue["en"]
    assert set(JOB_MESSAGES) <= set(english)
    assert placeholders(english["listsEmailDone"]) == {"sent", "skipped"}
    assert placeholders(english["listsEmailSending"]) == {"done", "total"}
    assert placeholders(english["listsExportDone"]) == {"count", "file"}
