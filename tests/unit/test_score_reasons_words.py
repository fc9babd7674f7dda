"""The record page tells why a lead scored what it did in the reader's language: every reason code the scoring gives
(crm.domain.qualification.SCORE_REASONS) is in the site's catalogue (static_site/js/i18n/score_reasons.js) in each
of the five languages, with the placeholders the code's params fill."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from crm.domain.qualification import SCORE_REASONS

CATALOGUE = Path(__file__).resolve().parents[2] / "static_site" / "js" / "i18n" / "score_reasons.js"
# the module's one import is the site's i18n.js (a browser module): replaced by a stand-in that prints the catalogue
READ_CATALOGUE = """
import {readFileSync} from "node:fs";
const source = readFileSync(process.argv[1], "utf8")
  .replace(/^import .*$/m, "const addMessages = (catalogue) => console.log(JSON.stringify(catalogue));");
await import("data:text/javascript," + encodeURIComponent(source));
"""


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
