"""template.yaml's "nothing fails silently" on AWS: the topics SES and CloudWatch publish to can be published to, every
function, state machine and API has an alarm, asynchronous failures land somewhere with an alarm, logs expire, and a
failed first deploy leaves nothing behind. Every check derives its list from the template, so a function, state machine
or API added later is held to the same rules."""

from __future__ import annotations

from typing import Any

from .cfn import functions_of, sam_transform

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


# ---------------------------------------------------------------- alarms

OPERATIONS = {"Ref": "OperationsTopic"}
MAX_ALARM_METRICS = 10  # a metric math alarm's metrics
# a lead's workflow is stopped (aborted) by design whenever it is converted, junked or erased
STOPPED_BY_DESIGN = {"LeadLifecycleStateMachine"}


def watched(template: dict[str, Any], namespace: str, metric: str) -> list[dict[str, Any]]:
    """The dimensions of every `namespace`/`metric` an alarm to the operations topic watches."""
    found = []
    for logical_id, alarm in of_type(template, "AWS::CloudWatch::Alarm").items():
        properties = alarm["Properties"]
        assert OPERATIONS in properties["AlarmActions"], f"{logical_id} tells no one"
        stats = [query["MetricStat"]["Metric"] for query in properties.get("Metrics", []) if "MetricStat" in query]
        if "MetricName" in properties:
            stats.append(properties)
        found += [{dimension["Name"]: dimension["Value"] for dimension in stat.get("Dimensions", [])}
                  for stat in stats if (stat["Namespace"], stat["MetricName"]) == (namespace, metric)]
    return found


def test_every_metric_math_alarm_adds_up_all_its_metrics(template):
    for logical_id, alarm in of_type(template, "AWS::CloudWatch::Alarm").items():
        queries = alarm["Properties"].get("Metrics")
        if queries is None:
            continue
        [returned] = [query for query in queries if query.get("ReturnData")]
        metric_ids = [query["Id"] for query in queries if "MetricStat" in query]
        assert len(metric_ids) <= MAX_ALARM_METRICS, f"{logical_id}: start another alarm"
        if "METRICS()" not in returned["Expression"]:
            assert all(metric_id in returned["Expression"] for metric_id in metric_ids), logical_id


def test_every_function_has_an_alarm_on_its_errors(template):
    watched_functions = {referenced(dimensions["FunctionName"])
                         for dimensions in watched(template, "AWS/Lambda", "Errors")}
    unwatched = sorted(set(lambda_functions(template)) - watched_functions)
    assert not unwatched, f"no alarm watches the errors of {unwatched}: add them to an *ErrorsAlarm"


def test_every_state_machine_has_alarms_on_executions_that_ended_badly(template):
    machines = {*of_type(template, "AWS::Serverless::StateMachine"),
                *of_type(template, "AWS::StepFunctions::StateMachine")}
    assert {"LeadLifecycleStateMachine", "StatusMessageStateMachine"} <= machines
    for metric in ("ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"):
        watched_machines = {referenced(dimensions["StateMachineArn"])
                            for dimensions in watched(template, "AWS/States", metric)}
        expected = machines - STOPPED_BY_DESIGN if metric == "ExecutionsAborted" else machines
        assert watched_machines == expected, metric


def api_name(api: dict[str, Any]) -> Any:
    """What API Gateway's metrics call a REST API: its Name, else its OpenAPI title (SAM's default: the stack name)."""
    properties = api["Properties"]
    return properties.get("Name") or properties.get("DefinitionBody", {}).get("info", {}).get("title")


def test_every_api_has_an_alarm_on_its_5xx_answers(template):
    apis = of_type(template, "AWS::Serverless::Api")
    names = {logical_id: api_name(api) for logical_id, api in apis.items()}
    assert None not in names.values(), f"an API named after the stack, as another may be: {names}"
    assert len({str(name) for name in names.values()}) == len(names), "two APIs' metrics would be one"
    watched_names = [dimensions["ApiName"] for dimensions in watched(template, "AWS/ApiGateway", "5XXError")]
    assert not [logical_id for logical_id, name in names.items() if name not in watched_names]


def test_ses_bounce_and_complaint_rates_alarm_before_ses_pauses_the_account(template):
    alarms = {alarm["Properties"]["MetricName"]: alarm["Properties"] for alarm in
              of_type(template, "AWS::CloudWatch::Alarm").values()
              if alarm["Properties"].get("Namespace") == "AWS/SES"}
    assert {name: (alarm["Threshold"], alarm["ComparisonOperator"]) for name, alarm in alarms.items()} == {
        "Reputation.BounceRate": (0.05, "GreaterThanThreshold"),  # rates are 0 to 1
        "Reputation.ComplaintRate": (0.001, "GreaterThanThreshold")}
    assert template["Resources"]["EmailConfigurationSet"]["Properties"]["ReputationOptions"] == {
        "ReputationMetricsEnabled": True}


# ---------------------------------------------------------------- asynchronous invocations

ASYNC_EVENTS = {"SNS", "S3", "Schedule", "ScheduleV2", "CloudWatchEvent", "EventBridgeRule", "CloudWatchLogs",
                "IoTRule"}  # the event sources that invoke a function asynchronously: Lambda retries, then drops


def asynchronous_functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {logical_id: properties for logical_id, properties in functions_of(template).items()
            if {event["Type"] for event in properties.get("Events", {}).values()} & ASYNC_EVENTS}


def test_asynchronous_failures_land_in_a_queue_with_an_alarm(template):
    functions = asynchronous_functions(template)
    assert {"EmailEventsFunction", "DealRobotsFunction", "LifecycleReconcilerFunction"} <= set(functions)
    alarmed = {dimensions["QueueName"]["Fn::GetAtt"][0]
               for dimensions in watched(template, "AWS/SQS", "ApproximateNumberOfMessagesVisible")}
    for logical_id, properties in functions.items():
        on_failure = properties.get("EventInvokeConfig", {}).get("DestinationConfig", {}).get("OnFailure")
        assert on_failure and on_failure["Type"] == "SQS", f"{logical_id}: a failed event would vanish"
        queue = referenced(on_failure["Destination"])
        assert template["Resources"][queue]["Type"] == "AWS::SQS::Queue"
        assert queue in alarmed, f"{logical_id}'s failures land in {queue}, which no alarm watches"


def test_each_asynchronous_function_may_send_its_failures(template):
    """SAM grants the destination to the function's role; Lambda sends with that role."""
    from .test_template import PARAMETERS, PSEUDO

    resources = sam_transform(template, PARAMETERS, PSEUDO)["Resources"]
    for logical_id, properties in asynchronous_functions(template).items():
        queue = properties["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]["Destination"]
        role = resources[resources[logical_id]["Properties"]["Role"]["Fn::GetAtt"][0]]
        grants = [statement for policy in role["Properties"]["Policies"]
                  for statement in policy["PolicyDocument"]["Statement"]]
        assert [grant for grant in grants if grant["Action"] == "sqs:SendMessage" and grant["Resource"] == queue], \
            logical_id


def test_custom_metrics_are_per_stack_and_their_alarms_read_them_there(template):
    # Given two stacks in one account and region: each must alarm on its own metrics only
    namespace = template["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"]
    assert "${AWS::StackName}" in namespace["Fn::Sub"]
    for logical_id, alarm in of_type(template, "AWS::CloudWatch::Alarm").items():
        stats = [query["MetricStat"]["Metric"] for query in alarm["Properties"].get("Metrics", [])
                 if "MetricStat" in query]
        stats += [alarm["Properties"]] if "Namespace" in alarm["Properties"] else []
        for stat in stats:
            if not str(stat["Namespace"]).startswith("AWS/"):
                assert stat["Namespace"] == namespace, f"{logical_id} reads metrics outside this stack's namespace"
