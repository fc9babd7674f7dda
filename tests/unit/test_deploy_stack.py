"""deploy/stack.py: a deployment environment's stack from samconfig.toml, and what deleting it leaves behind."""

from __future__ import annotations

import pytest

from deploy.stack import blocking_buckets, emptied_by_the_stack, retained_report, stack_name
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
    assert "aws cognito-idp delete-user-pool --user-pool-id crm-dev-UserPool-X1" in report
    # And a stack that retains nothing says so
    assert "retains nothing" in retained_report({"Resources": {}}, {})


def test_deletion_protection_is_turned_off_before_the_delete_only_where_the_template_turns_it_on():
    table = {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain"}
    protected = {**table, "Properties": {"DeletionProtectionEnabled": True}}
    lines = retained_report({"Resources": {"T": protected}}, {"T": "t1"}).splitlines()
    assert lines.index("    aws dynamodb update-table --table-name t1 --no-deletion-protection-enabled") == (
        lines.index("    aws dynamodb delete-table --table-name t1") - 1)
    assert "no-deletion-protection" not in retained_report({"Resources": {"T": table}}, {"T": "t1"})


def test_a_bucket_still_holding_objects_stops_the_destroy_unless_the_stack_empties_it():
    import boto3
    from moto import mock_aws

    # Given three buckets: one with an export, the site's (its deployer empties it on delete), an empty one
    bucket = {"Type": "AWS::S3::Bucket"}
    template = {"Resources": {"Exports": bucket, "Site": bucket, "Empty": bucket, "SiteContent": {
        "Type": "Custom::SiteContent", "Properties": {"BucketName": {"Ref": "Site"}}}}}
    names = {"Exports": "crm-dev-exports-1", "Site": "crm-dev-site-1", "Empty": "crm-dev-empty-1"}
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        for name in names.values():
            s3.create_bucket(Bucket=name)
        s3.put_object(Bucket=names["Exports"], Key="exports/a.csv", Body=b"x")
        s3.put_object(Bucket=names["Site"], Key="index.html", Body=b"x")
        # Then only the exports bucket blocks: the site's deployer empties the site bucket itself
        assert blocking_buckets(template, names, s3) == ["crm-dev-exports-1"]
    # And in the real template the site's bucket is the one its deployer empties
    assert "SiteBucket" in emptied_by_the_stack(load_template())
