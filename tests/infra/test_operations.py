"""template.yaml's "nothing fails silently" on AWS: the topics SES and CloudWatch publish to can be published to, every
function, state machine and API has an alarm, asynchronous failures land somewhere with an alarm, logs expire, and a
failed first deploy leaves nothing behind. Every check derives its list from the template, so a function, state machine
or API added later is held to the same rules."""

from __future__ import annotations

from typing import Any

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
