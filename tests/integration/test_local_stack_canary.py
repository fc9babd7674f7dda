"""Canary for the moto internals the local stack hooks into (see LOCAL_STACK_NOTES.md, "Pin and guard").

Runs state machines on the runner's own MotoStack (threaded server, ASL interpreter, in-process
Lambda dispatcher): a Lambda task, a TimestampPath wait and a task token; and a handler error that
Catch must route by the exception's class name. A moto upgrade that breaks a hook fails here.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.awslambda.models import LambdaFunction

from local.lambda_dispatch import load_handler
from local.moto_stack import LOCAL_ROLE_ARN, MotoStack
from local.template import FunctionSpec, function_arn
from tests.integration.conftest import finished_execution

CANARY_DIR = Path(__file__).parent / "canary_handlers"

HAPPY_PATH = {
    "StartAt": "Plan",
    "States": {
        "Plan": {"Type": "Task", "Resource": function_arn("CanaryPlan"), "ResultPath": "$.plan", "Next": "Wait"},
        "Wait": {"Type": "Wait", "TimestampPath": "$.plan.wake_at", "Next": "Approve"},
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "CanaryParkToken", "Payload": {"token.$": "$$.Task.Token"}},
            "ResultPath": "$.approval",
            "End": True,
        },
    },
}

CATCH_PATH = {
    "StartAt": "Fail",
    "States": {
        "Fail": {
            "Type": "Task",
            "Resource": function_arn("CanaryFail"),
            "Retry": [{"ErrorEquals": ["TransientError"], "MaxAttempts": 2, "IntervalSeconds": 1}],
            "Catch": [
                {"ErrorEquals": ["SomethingElse"], "Next": "WrongBranch"},
                {"ErrorEquals": ["CanaryError"], "ResultPath": "$.error", "Next": "Caught"},
            ],
            "End": True,
        },
        "WrongBranch": {"Type": "Fail", "Error": "WrongBranch"},
        "Caught": {"Type": "Pass", "End": True},
    },
}


def _spec(name: str, handler: str) -> FunctionSpec:
    return FunctionSpec(logical_id=name, name=name, arn=function_arn(name), code_uri=str(CANARY_DIR),
                        handler=handler, timeout=10, memory_size=128, environment={},
                        api_routes=(), schedules=())


@pytest.fixture(scope="module")
def moto_stack() -> Iterator[MotoStack]:
    original_invoke, original_port = LambdaFunction._invoke_lambda, os.environ.get("MOTO_PORT")
    stack = MotoStack().start()
    try:
        stack.create_functions([_spec("CanaryPlan", "handlers.plan"), _spec("CanaryParkToken", "handlers.park_token"),
                                _spec("CanaryFail", "handlers.fail")])
        yield stack
    finally:
        stack.stop()
        LambdaFunction._invoke_lambda = original_invoke  # type: ignore[method-assign]
        if original_port is None:
            os.environ.pop("MOTO_PORT", None)
        else:
            os.environ["MOTO_PORT"] = original_port


def _run(stack: MotoStack, definition: dict, payload: dict) -> str:
    stepfunctions = stack.client("stepfunctions")
    machine = stepfunctions.create_state_machine(
        name=f"canary-{uuid.uuid4().hex[:8]}", definition=json.dumps(definition),
        roleArn=LOCAL_ROLE_ARN)
    return stepfunctions.start_execution(stateMachineArn=machine["stateMachineArn"], name="canary-run",
                                         input=json.dumps(payload))["executionArn"]


def test_lambda_task_timestamp_wait_and_task_token(moto_stack: MotoStack) -> None:
    started = time.monotonic()
    execution_arn = _run(moto_stack, HAPPY_PATH, {"value": 21})

    token = load_handler(CANARY_DIR, "handlers.take_token")(10)
    assert time.monotonic() - started >= 0.9, "the TimestampPath wait did not wait"
    moto_stack.client("stepfunctions").send_task_success(taskToken=token, output=json.dumps({"approved": True}))

    execution = finished_execution(moto_stack.client("stepfunctions"), execution_arn)
    assert execution["status"] == "SUCCEEDED", execution
    output = json.loads(execution["output"])
    assert output["value"] == 21
    assert output["plan"]["doubled"] == 42
    assert output["plan"]["function_name"] == "CanaryPlan"
    assert 0 < output["plan"]["remaining_ms"] <= 10_000
    assert output["approval"] == {"approved": True}


def test_handler_exception_is_caught_by_its_class_name(moto_stack: MotoStack) -> None:
    execution = finished_execution(moto_stack.client("stepfunctions"), _run(moto_stack, CATCH_PATH, {"value": 7}))

    assert execution["status"] == "SUCCEEDED", execution
    error = json.loads(execution["output"])["error"]
    assert error["Error"] == "CanaryError"
    cause = json.loads(error["Cause"])
    assert cause["errorType"] == "CanaryError"
    assert cause["errorMessage"] == "failed on purpose for 7"
