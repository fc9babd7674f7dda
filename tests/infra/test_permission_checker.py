"""The permission check itself (tests/permissions/checker.py) on a small SAM template, and the recorder's reading of
calls as IAM sees them (local/call_recorder.py)."""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import botocore.session
import pytest
import yaml

from local.call_recorder import _Recorder, condition_context, handler_key, iam_accesses, running
from local.template import REPO_ROOT, TemplateLoader
from tests.permissions.checker import Report, check, load_records

WORKFLOW = REPO_ROOT / "functions" / "workflow_engine"
NOTIFY = handler_key(WORKFLOW, "app.notify_assignee")
TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  SenderAddress: {Type: String}
Resources:
  CrmTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
  NotifyAssigneeFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/workflow_engine/
      Handler: app.notify_assignee
      Runtime: python3.12
      Environment:
        Variables: {TABLE_NAME: !Ref CrmTable, SENDER_ADDRESS: !Ref SenderAddress}
      Policies:
        - DynamoDBReadPolicy: {TableName: !Ref CrmTable}
        - Statement:
            - Effect: Allow
              Action: ses:SendEmail
              Resource: !Sub "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*"
              Condition: {StringEquals: {"ses:FromAddress": !Ref SenderAddress}}
            - Effect: Allow
              Action: sns:Publish
              NotResource: !Sub "arn:${AWS::Partition}:sns:*:*:*"
  ChooseRouteFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/workflow_engine/
      Handler: app.choose_route
      Runtime: python3.12
      Policies:
        - DynamoDBCrudPolicy: {TableName: !Ref CrmTable}
"""


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return yaml.load(io.StringIO(TEMPLATE), Loader=TemplateLoader)


def recorded(prefix: str, operation: str, params: dict[str, Any], aliases: dict[str, list[str]] | None = None,
             function: str = NOTIFY) -> dict[str, Any]:
    """A record as local.call_recorder writes it (JSON round trip included)."""
    return json.loads(json.dumps({
        "function": function, "operation": f"{prefix}:{operation}",
        "accesses": iam_accesses(prefix, operation, params), "context": condition_context(prefix, operation, params),
        "aliases": aliases or {}, "test": "tests/infra/test_permission_checker.py"}))


def denials(report: Report) -> list[str]:
    return [str(call) for call in report.denied]


def test_a_transaction_write_under_a_read_policy_is_refused_naming_function_action_and_resource(template):
    # Given a function whose role only reads the table, when its code runs a TransactWriteItems (as NotifyAssignee did)
    write = recorded("dynamodb", "TransactWriteItems", {"TransactItems": [
        {"Update": {"TableName": "crm", "Key": {}}}, {"Put": {"TableName": "crm", "Item": {}}}]})
    report = check([write], template)
    # Then each item's action on the table is refused, with the function, the action and the table's ARN
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/crm"
    assert [(call.function, call.action, call.resource) for call in report.denied] == [
        ("NotifyAssigneeFunction", "dynamodb:PutItem", table), ("NotifyAssigneeFunction", "dynamodb:UpdateItem", table)]
    assert all("dynamodb:TransactWriteItems" in message for message in denials(report))


def test_calls_the_role_allows_pass_and_what_they_used_is_not_reported_unused(template):
    # Given reads by key and on an index, which DynamoDBReadPolicy grants on the table and its indexes
    reads = [recorded("dynamodb", "GetItem", {"TableName": "crm", "Key": {}}),
             recorded("dynamodb", "Query", {"TableName": "crm", "IndexName": "GSI1"})]
    report = check(reads, template)
    # Then nothing is refused, and the read grants they used are not among the unused ones
    assert denials(report) == []
    unused = {(grant["action"], grant["resource"]) for grant in report.unused["NotifyAssigneeFunction"]}
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/crm"
    assert ("dynamodb:GetItem", table) not in unused
    assert ("dynamodb:Query", f"{table}/index/*") not in unused
    assert ("dynamodb:Scan", table) in unused
    assert report.not_exercised == ["ChooseRouteFunction"]


def test_a_query_on_an_index_needs_the_index_arn(template):
    index_query = recorded("dynamodb", "Query", {"TableName": "crm", "IndexName": "GSI1"})
    template = json.loads(json.dumps(template))
    crud = template["Resources"]["NotifyAssigneeFunction"]["Properties"]["Policies"]
    crud[0] = {"Statement": [{"Effect": "Allow", "Action": "dynamodb:Query",
                              "Resource": {"Fn::GetAtt": ["CrmTable", "Arn"]}}]}
    assert denials(check([index_query], template)) == [
        "NotifyAssigneeFunction: dynamodb:Query on arn:aws:dynamodb:us-east-1:123456789012:table/crm/index/GSI1 is "
        "not allowed by its role (the code called dynamodb:Query, first in tests/infra/test_permission_checker.py)"]


def test_not_resource_allows_sms_to_a_phone_but_not_a_publish_to_a_topic(template):
    sms = recorded("sns", "Publish", {"PhoneNumber": "+4930901820", "Message": "New lead"})
    topic = recorded("sns", "Publish", {"TopicArn": "arn:aws:sns:us-east-1:123456789012:ops", "Message": "x"})
    assert denials(check([sms, topic], template)) == [
        "NotifyAssigneeFunction: sns:Publish on arn:aws:sns:us-east-1:123456789012:ops is not allowed by its role "
        "(the code called sns:Publish, first in tests/infra/test_permission_checker.py)"]


def test_the_ses_from_address_condition_is_honoured(template):
    def send(sender: str) -> dict[str, Any]:
        return recorded("ses", "SendEmail", {"FromEmailAddress": sender, "Destination": {"ToAddresses": ["a@b.c"]},
                                             "Content": {"Raw": {"Data": b"Subject: hi\n\nhi"}}})

    report = check([send("crm@example.com"), send("Someone <other@example.com>")], template)
    assert [(call.action, call.resource, dict(call.context)) for call in report.denied] == [
        ("ses:SendEmail", "arn:aws:ses:us-east-1:123456789012:identity/other@example.com",
         {"ses:FromAddress": "other@example.com"})]


def test_names_read_from_the_environment_are_checked_as_the_templates(template):
    # Given a test fixture's own table name, which the code read from TABLE_NAME
    read = recorded("dynamodb", "GetItem", {"TableName": "fixture-table", "Key": {}},
                    aliases={"fixture-table": ["TABLE_NAME"]})
    # Then it is checked as the template's table (the one TABLE_NAME names there), and allowed
    assert denials(check([read], template)) == []
    # And a name from a variable the template does not give the function is refused, saying so
    other = recorded("dynamodb", "GetItem", {"TableName": "fixture-table", "Key": {}},
                     aliases={"fixture-table": ["OTHER_TABLE"]})
    [message] = denials(check([other], template))
    assert "fixture-table came from $OTHER_TABLE, which the template does not set for it" in message


def test_calls_of_code_the_template_does_not_deploy_are_noted_not_checked(template):
    stray = recorded("dynamodb", "DeleteTable", {"TableName": "crm"}, function="functions/gone:app.handler")
    report = check([stray], template)
    assert denials(report) == []
    assert report.unknown_handlers == ["functions/gone:app.handler"]


def test_the_recorder_reads_calls_as_iam_sees_them():
    assert iam_accesses("dynamodb", "BatchWriteItem", {"RequestItems": {"crm": [], "crm-idempotency": []}}) == [
        ("dynamodb:BatchWriteItem", ("dynamodb:table", "crm")),
        ("dynamodb:BatchWriteItem", ("dynamodb:table", "crm-idempotency"))]
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:LeadLifecycle"
    assert iam_accesses("states", "StopExecution", {"executionArn": f"{machine}:lead-1".replace("stateMachine",
                                                                                              "execution")}) == [
        ("states:StopExecution", ("states:execution", machine, "lead-1"))]
    assert iam_accesses("ses", "SendEmail", {"FromEmailAddress": "crm@example.com", "ConfigurationSetName": "crm"}) == [
        ("ses:SendEmail", ("ses:identity", "crm@example.com")), ("ses:SendEmail", ("ses:configuration-set", "crm"))]
    assert iam_accesses("sqs", "SendMessageBatch", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/jobs"}) == [
        ("sqs:SendMessage", ("sqs:queue", "https://sqs.us-east-1.amazonaws.com/1/jobs"))]
    assert iam_accesses("s3", "ListObjectsV2", {"Bucket": "exports"}) == [("s3:ListBucket", ("s3:bucket", "exports"))]
    assert iam_accesses("kms", "Decrypt", {}) == [("kms:Decrypt", ("*",))]


def test_only_calls_made_while_a_handler_runs_are_recorded_also_from_its_reader_threads(tmp_path: Path):
    recorder = _Recorder(tmp_path)
    model = botocore.session.get_session().get_service_model("dynamodb").operation_model("GetItem")
    recorder(params={"TableName": "outside", "Key": {}}, model=model)  # test setup: not a function's call
    with running(WORKFLOW, "app.notify_assignee"), ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(recorder, params={"TableName": "crm", "Key": {}}, model=model).result()
    [record] = load_records(tmp_path)
    assert record["function"] == NOTIFY == "functions/workflow_engine:app.notify_assignee"
    assert record["accesses"] == [["dynamodb:GetItem", ["dynamodb:table", "crm"]]]
