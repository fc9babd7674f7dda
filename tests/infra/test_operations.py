"""template.yaml's "nothing fails silently" on AWS: the topics SES and CloudWatch publish to can be published to, every
function, state machine and API has an alarm, asynchronous failures land somewhere with an alarm, logs expire, and a
failed first deploy leaves nothing behind. Every check derives its list from the template, so a function, state machine
or API added later is held to the same rules."""

from __future__ import annotations

from typing import Any

from .cfn import functions_of

Resources = dict[str, dict[str, Any]]


def of_type(template: dict[str, Any], kind: str) -> Resources:
    return {logical_id: resource for logical_id, resource in template["Resources"].items() if resource["Type"] == kind}


def referenced(value: Any) -> str:
    """The logical id a {"Ref": id} or {"Fn::GetAtt": [id, attribute]} names."""
    if "Ref" in value:
        return value["Ref"]
    return value["Fn::GetAtt"][0]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# ---------------------------------------------------------------- the topics' key

PUBLISHING_SERVICES = {"ses.amazonaws.com", "cloudwatch.amazonaws.com"}


def test_every_topic_is_encrypted_with_a_rotated_key_of_the_stack(template):
    """SNS's AWS managed key (alias/aws/sns) cannot let SES or CloudWatch publish: no event, no alarm would come."""
    resources = template["Resources"]
    topics = of_type(template, "AWS::SNS::Topic")
    assert {"EmailEventsTopic", "OperationsTopic"} <= set(topics)
    for logical_id, topic in topics.items():
        key_id = topic["Properties"]["KmsMasterKeyId"]
        assert isinstance(key_id, dict), f"{logical_id} is encrypted with {key_id!r}, a key no stack policy governs"
        key = resources[referenced(key_id)]
        assert key["Type"] == "AWS::KMS::Key"
        assert key["Properties"]["EnableKeyRotation"] is True
        aliases = [alias for alias in of_type(template, "AWS::KMS::Alias").values()
                   if alias["Properties"]["TargetKeyId"] == {"Ref": referenced(key_id)}]
        assert aliases, f"the key of {logical_id} has no alias"


def test_the_topic_key_lets_the_account_administer_it_and_only_ses_and_cloudwatch_use_it(template):
    [key] = of_type(template, "AWS::KMS::Key").values()
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    assert {statement["Effect"] for statement in statements} == {"Allow"}
    accounts = [statement for statement in statements if "AWS" in statement["Principal"]]
    assert [statement["Principal"]["AWS"] for statement in accounts] == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}]
    services = [statement for statement in statements if "Service" in statement["Principal"]]
    assert {service for statement in services for service in as_list(statement["Principal"]["Service"])} == \
        PUBLISHING_SERVICES
    for statement in services:
        assert set(as_list(statement["Action"])) == {"kms:GenerateDataKey*", "kms:Decrypt"}
        assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    assert len(accounts) + len(services) == len(statements), "a statement for some other principal"


# ---------------------------------------------------------------- what a deploy leaves behind

def test_a_failed_first_deploy_leaves_no_data_resource_behind(template):
    """Retain would keep a table or user pool the failed first deploy created; RetainExceptOnCreate keeps only those a
    later deploy or the stack's deletion would remove, and deletion protection would refuse the rollback's delete."""
    kept = {logical_id: resource for logical_id, resource in template["Resources"].items()
            if resource.get("DeletionPolicy", "Delete") != "Delete"}
    assert {"CrmTable", "UserPool"} <= set(kept)
    for logical_id, resource in kept.items():
        assert resource["DeletionPolicy"] == "RetainExceptOnCreate", logical_id
        assert resource.get("UpdateReplacePolicy") == "Retain", f"{logical_id} would be lost when replaced"
        properties = resource["Properties"]
        assert not properties.get("DeletionProtectionEnabled") and properties.get("DeletionProtection") != "ACTIVE", \
            f"{logical_id}: deletion protection makes the rollback of a failed first deploy fail"


# ---------------------------------------------------------------- logs

def lambda_functions(template: dict[str, Any]) -> Resources:
    """Every Lambda function's properties: SAM functions with the Globals merged in, and plain ones."""
    plain = {logical_id: resource["Properties"] for logical_id, resource in
             of_type(template, "AWS::Lambda::Function").items()}
    return {**functions_of(template), **plain}


def test_every_function_logs_to_a_group_that_forgets(template):
    """Logs can name people: an erased lead must not live on in logs kept forever (Lambda's default group)."""
    resources = template["Resources"]
    functions = lambda_functions(template)
    assert "SiteDeployerFunction" in functions and "LeadIntakeFunction" in functions
    for logical_id, properties in functions.items():
        group_id = referenced(properties.get("LoggingConfig", {}).get("LogGroup", {"Ref": None}))
        assert group_id in resources, f"{logical_id} logs to Lambda's default group, kept forever"
        group = resources[group_id]
        assert group["Type"] == "AWS::Logs::LogGroup"
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        assert not group["Properties"]["LogGroupName"]["Fn::Sub"].startswith("aws/")  # Lambda refuses those names
    retention = template["Parameters"]["LogRetentionDays"]
    assert retention["Default"] <= 90 and max(retention["AllowedValues"]) <= 365
