"""Every AWS call a function made during this test session is one its role in template.yaml allows (run last)."""

from __future__ import annotations

import json

import pytest

from local.template import load_template
from tests.permissions.checker import check, load_records
from tests.permissions.plugin import CALLS, SUMMARY_KEY, UNUSED_GRANTS


def test_every_recorded_aws_call_is_allowed_by_its_functions_role(request: pytest.FixtureRequest):
    # Given every call the session's handlers made (here and in the local stacks), when checked against their roles
    report = check(load_records(CALLS), load_template())
    UNUSED_GRANTS.write_text(json.dumps(report.unused_document(), indent=2) + "\n", encoding="utf-8")
    request.config.stash[SUMMARY_KEY] = report.summary()
    # Then none was refused; a function the session never ran is not a failure
    if report.denied:
        pytest.fail("\n".join(map(str, report.denied)), pytrace=False)
