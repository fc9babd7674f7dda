"""The site's message catalogues (static_site/js/i18n/*.js, browser ES modules) read with Node, for the tests that
hold them to the server's own lists."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

I18N = Path(__file__).resolve().parents[1] / "static_site" / "js" / "i18n"
# A page catalogue's one import is the site's i18n.js (a browser module): a stand-in prints what it adds instead.
_PRINT_ADDED_MESSAGES = """
import {readFileSync} from "node:fs";
const source = readFileSync(process.argv[1], "utf8")
  .replace(/^import .*$/m, "const addMessages = (catalogue) => console.log(JSON.stringify(catalogue));");
await import("data:text/javascript," + encodeURIComponent(source));
"""


def run_node(script: str, argument: str) -> Any:
    """What `script` (an ES module, given `argument` as process.argv[1]) prints as JSON."""
    node = shutil.which("node")
    assert node, "Node.js reads the site's catalogues here"
    done = subprocess.run([node, "--input-type=module", "-e", script, argument],
                          capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def added_messages(catalogue: str) -> dict[str, dict[str, Any]]:
    """The messages a page catalogue (e.g. "lists") adds with addMessages, by language."""
    return run_node(_PRINT_ADDED_MESSAGES, str(I18N / f"{catalogue}.js"))


def exported(catalogue: str, name: str) -> Any:
    """A constant a catalogue module exports, e.g. SYSTEM_TASK_TITLES of "system_tasks"."""
    return run_node(f"const m = await import(process.argv[1]); console.log(JSON.stringify(m.{name}));",
                    (I18N / f"{catalogue}.js").as_uri())


def placeholders(message: str | dict) -> set[str]:
    """The {name} placeholders of a message, or of all of a plural message's forms."""
    forms = message.values() if isinstance(message, dict) else [message]
    return {name for form in forms for name in re.findall(r"\{(\w+)\}", form)}
