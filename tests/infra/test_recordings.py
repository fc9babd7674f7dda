"""Call recordings' infrastructure in template.yaml (T3): an encrypted queue whose failures end in a dead-letter queue
that raises an alarm, a private, encrypted, TLS-only bucket that forgets recordings after RecordingRetentionDays, and
a worker that may do only what it calls (read and link the call, put or remove audio, read the telephony secret)."""

from __future__ import annotations

import json
from typing import Any

from .cfn import dead_letter_redrive, functions_of, policy_statements, properties_of
from .test_template import transformed  # noqa: F401 - the SAM-transformed template fixture

WORKER = "RecordingsWorkerFunction"
AUDIO = {"Fn::Sub": "${RecordingsBucket.Arn}/calls/*"}


def test_a_recording_that_fails_every_attempt_waits_in_the_dead_letter_queue_and_alarms(template: dict[str, Any]):
    redrive = dead_letter_redrive(template, "RecordingsQueue", "RecordingsDeadLetterQueue")
    assert 3 <= redrive["maxReceiveCount"] <= 10
    alarm = properties_of(template, "RecordingsDeadLetterAlarm")
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["RecordingsDeadLetterQueue", "QueueName"]}}]
    assert alarm["Threshold"] == 1 and alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["AlarmActions"] == [{"Ref": "OperationsTopic"}]


def test_the_bucket_is_private_encrypted_tls_only_and_keeps_recordings_for_the_retention_setting(
        template: dict[str, Any]):
    bucket = properties_of(template, "RecordingsBucket")
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    [encryption] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    [rule] = bucket["LifecycleConfiguration"]["Rules"]
    assert (rule["Status"], rule["Prefix"]) == ("Enabled", "calls/")
    assert rule["ExpirationInDays"] == {"Ref": "RecordingRetentionDays"}
    retention = template["Parameters"]["RecordingRetentionDays"]
    assert retention["Type"] == "Number" and retention["Default"] == 365 and retention["MinValue"] >= 1
    policy = properties_of(template, "RecordingsBucketPolicy")
    [deny] = policy["PolicyDocument"]["Statement"]
    assert (deny["Effect"], deny["Principal"], deny["Action"]) == ("Deny", "*", "s3:*")
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == [{"Fn::GetAtt": ["RecordingsBucket", "Arn"]}, {"Fn::Sub": "${RecordingsBucket.Arn}/*"}]


def test_the_worker_reads_one_message_at_a_time_reports_failures_and_may_do_only_what_it_calls(
        template: dict[str, Any]):
    worker = functions_of(template)[WORKER]
    assert (worker["CodeUri"], worker["Handler"]) == ("functions/telephony_webhook/", "recordings.handler")
    [event] = worker["Events"].values()
    assert event["Type"] == "SQS" and event["Properties"]["Queue"] == {"Fn::GetAtt": ["RecordingsQueue", "Arn"]}
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties_of(template, "RecordingsQueue")["VisibilityTimeout"] >= 6 * worker["Timeout"]
    variables = worker["Environment"]["Variables"]
    assert variables["RECORDINGS_BUCKET"] == {"Ref": "RecordingsBucket"}
    assert variables["TELEPHONY_SECRET"] == {"Ref": "TelephonySecret"}
    templates = {name for policy in worker["Policies"] if isinstance(policy, dict) for name in policy}
    assert templates == {"Statement", "AWSSecretsManagerGetSecretValuePolicy"}
    assert {"AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": {"Ref": "TelephonySecret"}}} in worker["Policies"]
    assert sorted(policy_statements(worker), key=json.dumps) == sorted([
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
         "Resource": {"Fn::GetAtt": ["CrmTable", "Arn"]}},
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": AUDIO}], key=json.dumps)


def test_sam_makes_the_event_source_mapping_with_failure_reports(transformed: dict[str, Any]):
    [mapping] = [resource["Properties"] for resource in transformed["Resources"].values()
                 if resource["Type"] == "AWS::Lambda::EventSourceMapping"
                 and resource["Properties"]["FunctionName"] == {"Ref": WORKER}]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["RecordingsQueue", "Arn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
