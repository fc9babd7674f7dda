"""The lifecycle reconciler in template.yaml: it may see how a lead's run ended, and its giving up raises an alarm."""

from __future__ import annotations

from typing import Any

from .test_operations import OPERATIONS, of_type


def test_the_reconciler_may_describe_the_lifecycle_executions(template: dict[str, Any]):
    policies = template["Resources"]["LifecycleReconcilerFunction"]["Properties"]["Policies"]
    statements = [statement for policy in policies if isinstance(policy, dict) and "Statement" in policy
                  for statement in (policy["Statement"] if isinstance(policy["Statement"], list)
                                    else [policy["Statement"]])]
    describe = [statement for statement in statements if statement.get("Action") == "states:DescribeExecution"]
    assert len(describe) == 1
    assert describe[0]["Resource"]["Fn::Sub"].endswith(":execution:${LeadLifecycleStateMachine.Name}:*")


def test_giving_up_on_a_lead_raises_an_alarm_on_the_stacks_metric(template: dict[str, Any]):
    namespace = template["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"]
    alarms = [alarm["Properties"] for alarm in of_type(template, "AWS::CloudWatch::Alarm").values()
              if alarm["Properties"].get("MetricName") == "LifecycleResumeGaveUp"]
    assert len(alarms) == 1
    alarm = alarms[0]
    assert alarm["Namespace"] == namespace and alarm["Statistic"] == "Sum"
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
    assert alarm["TreatMissingData"] == "notBreaching" and OPERATIONS in alarm["AlarmActions"]
