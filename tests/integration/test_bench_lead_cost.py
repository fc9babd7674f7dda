"""The cost benchmark runs end to end and the default sequence stays within its transition and price targets."""

from __future__ import annotations

import json
import subprocess
import sys

from local.template import REPO_ROOT


def test_the_default_sequence_costs_what_the_readme_says():
    finished = subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "lead_cost.py")], capture_output=True,
                              text=True, timeout=300, cwd=REPO_ROOT)
    assert finished.returncode == 0, finished.stderr[-3000:]
    figures = json.loads(finished.stdout)
    assert figures["nurture_emails"] == 12
    assert figures["lead"]["nurture_ended"] == "no opens after the big bang email"
    assert figures["lead"]["cycle"] == "no_prospect"
    assert figures["transitions_per_email_step"] <= 4
    assert figures["usd_per_1000_leads"] <= 3
    assert all(figures["meets_targets"].values())
