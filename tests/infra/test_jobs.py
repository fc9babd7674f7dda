"""The jobs' infrastructure in template.yaml: an encrypted queue whose failures end in a dead-letter queue that raises
an alarm, a private bucket that forgets exports, a worker that keeps under the SES send rate, and least-privilege
grants for the board API (start a job, presign a result) and the worker (what it calls)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .cfn import dead_letter_redrive, functions_of, policy_statements, properties_of
from .test_template import transformed  # noqa: F401 - the SAM-transformed template fixture

WORKER, BOARD = "JobsWorkerFunction", "BoardApiFunction"
EXPORTS = {"Fn::Sub": "${JobResultsBucket.Arn}/exports/*"}


def _actions(statement: dict[str, Any]) -> set[str]:
    return set(statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])


def test_the_queue_is_encrypted_and_gives_up_on_a_message_after_a_few_receives(template: dict[str, Any]):
    redrive = dead_letter_redrive(template, "JobsQueue", "JobsDeadLetterQueue")
    assert 2 <= redrive["maxReceiveCount"] <= 5
    # the worker marks a job failed on the last attempt the queue allows: it must know which one that is
    assert functions_of(template)[WORKER]["Environment"]["Variables"]["JOB_MAX_RECEIVES"] == redrive["maxReceiveCount"]


def test_a_message_in_the_dead_letter_queue_alarms_the_operators(template: dict[str, Any]):
    alarm = properties_of(template, "JobsDeadLetterAlarm")
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": ["JobsDeadLetterQueue", "QueueName"]}}]
    assert alarm["Threshold"] == 1 and alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["AlarmActions"] == [{"Ref": "OperationsTopic"}]


def test_the_results_bucket_is_private_encrypted_tls_only_and_forgets_exports(template: dict[str, Any]):
    bucket = properties_of(template, "JobResultsBucket")
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    [encryption] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    [rule] = bucket["LifecycleConfiguration"]["Rules"]
    assert (rule["Status"], rule["Prefix"]) == ("Enabled", "exports/") and 1 <= rule["ExpirationInDays"] <= 7
    assert rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] <= rule["ExpirationInDays"]
    policy = properties_of(template, "JobResultsBucketPolicy")
    assert policy["Bucket"] == {"Ref": "JobResultsBucket"}
    [deny] = policy["PolicyDocument"]["Statement"]
    assert (deny["Effect"], deny["Principal"], deny["Action"]) == ("Deny", "*", "s3:*")
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == [{"Fn::GetAtt": ["JobResultsBucket", "Arn"]}, {"Fn::Sub": "${JobResultsBucket.Arn}/*"}]


def test_the_worker_reads_the_queue_one_message_at_a_time_and_reports_each_failure(template: dict[str, Any]):
    worker = functions_of(template)[WORKER]
    [event] = worker["Events"].values()
    properties = event["Properties"]
    assert event["Type"] == "SQS" and properties["Queue"] == {"Fn::GetAtt": ["JobsQueue", "Arn"]}
    assert properties["BatchSize"] == 1
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    # SQS's advice: a visibility timeout of six times the function's timeout, so a message is never given to a second
    # worker while the first still runs
    assert properties_of(template, "JobsQueue")["VisibilityTimeout"] >= 6 * worker["Timeout"]


def test_the_workers_together_stay_under_the_send_rate_and_a_chunk_fits_in_an_invocation(template: dict[str, Any]):
    from crm.domain.jobs import RECIPIENTS_PER_CHUNK, send_offsets

    worker = functions_of(template)[WORKER]
    variables = worker["Environment"]["Variables"]
    concurrency = worker["Events"]["Jobs"]["Properties"]["ScalingConfig"]["MaximumConcurrency"]
    # the worker spaces its sends for as many workers as the event source may run at once
    assert variables["JOB_CONCURRENCY"] == concurrency and 2 <= concurrency <= 5
    assert variables["MASS_EMAIL_RATE"] == {"Ref": "MassEmailRate"}
    rate = template["Parameters"]["MassEmailRate"]
    assert rate["MinValue"] >= 1 and rate["Default"] >= rate["MinValue"]
    # at the slowest rate allowed, a full chunk's sends take at most half the worker's timeout
    slowest = send_offsets(RECIPIENTS_PER_CHUNK, rate["MinValue"], concurrency)
    assert slowest[-1] <= worker["Timeout"] / 2


def test_the_board_may_only_start_jobs_read_exports_and_reach_recordings(template: dict[str, Any]):
    board = functions_of(template)[BOARD]
    variables = board["Environment"]["Variables"]
    assert variables["JOBS_QUEUE_URL"] == {"Ref": "JobsQueue"}
    assert variables["JOB_RESULTS_BUCKET"] == {"Ref": "JobResultsBucket"}
    assert {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["JobsQueue", "QueueName"]}}} in board["Policies"]
    s3 = [statement for statement in policy_statements(board) if any(action.startswith("s3:") for action in
                                                                _actions(statement))]
    # besides the exports: call recordings' links (presigned GETs) and an erased lead's recordings (T3)
    assert s3 == [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"],
                   "Resource": {"Fn::Sub": "${RecordingsBucket.Arn}/calls/*"}},
                  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": EXPORTS}]


def test_the_worker_may_do_what_it_calls_and_no_more(template: dict[str, Any]):
    worker = functions_of(template)[WORKER]
    variables = worker["Environment"]["Variables"]
    assert variables["JOBS_QUEUE_URL"] == {"Ref": "JobsQueue"}  # an export hands over to a new message
    assert variables["JOB_RESULTS_BUCKET"] == {"Ref": "JobResultsBucket"}
    templates = {name for policy in worker["Policies"] if isinstance(policy, dict) for name in policy}
    assert templates == {"DynamoDBCrudPolicy", "Statement", "SQSSendMessagePolicy"}
    assert {"SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["JobsQueue", "QueueName"]}}} in worker["Policies"]
    s3 = [statement for statement in policy_statements(worker) if any(action.startswith("s3:") for action in
                                                                 _actions(statement))]
    assert s3 == [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": EXPORTS}]
    assert any(action.startswith("ses:Send") for statement in policy_statements(worker)
               for action in _actions(statement))


def test_sam_makes_the_event_source_mapping_with_its_concurrency_and_failure_reports(transformed: dict[str, Any]):
    mappings = [resource["Properties"] for resource in transformed["Resources"].values()
                if resource["Type"] == "AWS::Lambda::EventSourceMapping"
                and resource["Properties"]["FunctionName"] == {"Ref": WORKER}]
    assert len(mappings) == 1
    [mapping] = mappings
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["JobsQueue", "Arn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 2} and mapping["BatchSize"] == 1
    # and the worker's role may poll the queue (SAM adds that grant for an SQS event)
    role = transformed["Resources"][f"{WORKER}Role"]["Properties"]
    granted = json.dumps(role)
    assert "sqs:ReceiveMessage" in granted or "AWSLambdaSQSQueueExecutionRole" in granted


@pytest.mark.parametrize("logical_id", ["JobsQueue", "JobsDeadLetterQueue", "JobResultsBucket"])
def test_jobs_resources_are_named_by_cloudformation(template: dict[str, Any], logical_id: str):
    """No fixed names: two stacks (environments, regions) in one account must not clash."""
    assert not {"QueueName", "BucketName"} & set(properties_of(template, logical_id))
