"""deploy/stack.py: a deployment environment's stack from samconfig.toml, and what deleting it leaves behind."""

from __future__ import annotations

import pytest

from deploy.stack import retained_report, stack_name
from local.template import load_template


def test_each_environment_names_its_own_stack():
    assert (stack_name("dev"), stack_name("prod")) == ("crm-dev", "crm-prod")
    with pytest.raises(SystemExit, match=r"\[staging.deploy.parameters\]"):
        stack_name("staging")


def test_the_report_names_what_the_template_retains_and_how_to_remove_it():
    # Given the template and the names a deployed stack gave its resources
    template = load_template()
    physical_ids = {logical_id: f"crm-dev-{logical_id}-X1" for logical_id in template["Resources"]}
    # When the report is made
    report = retained_report(template, physical_ids)
    # Then it names the CRM table and the user pool, with the commands that remove them for good
    retained = {logical_id for logical_id, resource in template["Resources"].items()
                if resource.get("DeletionPolicy", "Delete") != "Delete"}
    assert {"CrmTable", "UserPool"} <= retained
    for logical_id in retained:
        assert f"{logical_id} (" in report and physical_ids[logical_id] in report
    assert "aws dynamodb delete-table --table-name crm-dev-CrmTable-X1" in report
    assert "--no-deletion-protection-enabled" in report
    assert "aws cognito-idp delete-user-pool --user-pool-id crm-dev-UserPool-X1" in report
    # And a stack that retains nothing says so
    assert "retains nothing" in retained_report({"Resources": {}}, {})
