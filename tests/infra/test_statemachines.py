"""Every state machine in template.yaml: placeholders match, failures are handled, moto's interpreter runs it."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from itertools import pairwise
from typing import Any

import pytest

from .cfn import ROOT, functions_of, load_template, state_machines_of

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_.:]+)\}")
REGION, ACCOUNT = "us-east-1", "123456789012"
LAMBDA_TRANSIENT = {"Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
                    "Lambda.TooManyRequestsException"}
CATCHABLE = {"Task", "Parallel", "Map"}


def _definition_text(properties: dict[str, Any]) -> str:
    if "DefinitionUri" in properties:
        return (ROOT / properties["DefinitionUri"]).read_text(encoding="utf-8")
    return json.dumps(properties["Definition"])


MACHINES = {logical_id: (properties, _definition_text(properties))
            for logical_id, properties in state_machines_of(load_template()).items()}
machine_ids = pytest.mark.parametrize("logical_id", sorted(MACHINES))


def _states(definition: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(name, state, the States block it lives in), descending into Parallel branches and Map processors."""
    for name, state in definition["States"].items():
        yield name, state, definition["States"]
        for branch in state.get("Branches", []):
            yield from _states(branch)
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                yield from _states(state[key])


def _function_of(value: Any) -> str | None:
    """The function a substitution names, for !GetAtt F.Arn, !Ref F or !Sub "${F.Arn}"."""
    if isinstance(value, dict):
        if "Fn::GetAtt" in value and value["Fn::GetAtt"][1] == "Arn":
            return value["Fn::GetAtt"][0]
        if "Ref" in value:
            return value["Ref"]
    return None


def _fake_value(key: str, value: Any) -> str:
    function = _function_of(value)
    if function is not None:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}"
    if isinstance(value, str):
        return value
    return f"arn:aws:states:{REGION}:{ACCOUNT}:fake:{key}"


def _substituted(logical_id: str) -> str:
    properties, text = MACHINES[logical_id]
    substitutions = properties.get("DefinitionSubstitutions", {})
    return PLACEHOLDER.sub(lambda match: _fake_value(match.group(1), substitutions[match.group(1)]), text)


def _task_functions(logical_id: str) -> dict[str, str]:
    """Task state name -> logical id of the Lambda function it invokes."""
    properties, text = MACHINES[logical_id]
    substitutions = properties.get("DefinitionSubstitutions", {})
    found = {}
    for name, state, _ in _states(json.loads(text)):
        resource = state.get("Resource", "") if state["Type"] == "Task" else ""
        match = PLACEHOLDER.fullmatch(resource)
        if match and _function_of(substitutions.get(match.group(1))):
            found[name] = _function_of(substitutions[match.group(1)])
    return found


@machine_ids
def test_placeholders_and_substitutions_match(logical_id: str):
    properties, text = MACHINES[logical_id]
    used = set(PLACEHOLDER.findall(text))
    given = set(properties.get("DefinitionSubstitutions", {}))
    assert used - given == set(), f"{logical_id}: placeholders without a DefinitionSubstitutions entry"
    assert given - used == set(), f"{logical_id}: DefinitionSubstitutions the ASL never uses"
    assert "arn:aws" not in text, f"{logical_id}: a hard-coded ARN; use a ${{Placeholder}}"


@machine_ids
def test_every_transition_lands_and_every_state_is_reachable(logical_id: str):
    definition = json.loads(MACHINES[logical_id][1])

    def check(block: dict[str, Any]) -> None:
        states = block["States"]
        assert block["StartAt"] in states
        edges: dict[str, set[str]] = {}
        for name, state in states.items():
            targets = {state["Next"]} if "Next" in state else set()
            targets |= {choice["Next"] for choice in state.get("Choices", [])}
            targets |= {state["Default"]} if "Default" in state else set()
            targets |= {catcher["Next"] for catcher in state.get("Catch", [])}
            assert targets <= set(states), f"{logical_id}.{name} goes to an unknown state: {targets - set(states)}"
            edges[name] = targets
            for branch in state.get("Branches", []):
                check(branch)
            for key in ("ItemProcessor", "Iterator"):
                if key in state:
                    check(state[key])
        seen, todo = set(), [block["StartAt"]]
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(edges[name])
        assert seen == set(states), f"{logical_id}: unreachable states {set(states) - seen}"

    check(definition)


def _failure_handlers(definition: dict[str, Any]) -> set[str]:
    return {catcher["Next"] for _, state, _ in _states(definition) for catcher in state.get("Catch", [])}


@machine_ids
def test_every_task_retries_and_catches_to_a_reported_failure(logical_id: str):
    definition = json.loads(MACHINES[logical_id][1])
    handlers = _failure_handlers(definition)
    assert handlers, f"{logical_id} has no failure path"
    for name, state, siblings in _states(definition):
        if state["Type"] not in CATCHABLE:
            continue
        assert state.get("Retry"), f"{logical_id}.{name} has no Retry"
        if name in handlers:
            # the failure-reporting task: retried, then the execution fails visibly
            assert state["Type"] == "Task"
            assert siblings[state["Next"]]["Type"] == "Fail", f"{logical_id}.{name} must lead to a Fail state"
            continue
        catchers = state.get("Catch", [])
        assert catchers, f"{logical_id}.{name} has no Catch"
        assert any("States.ALL" in catcher["ErrorEquals"] for catcher in catchers), \
            f"{logical_id}.{name}: some error is not caught"
        assert all(catcher["Next"] in handlers for catcher in catchers)
        assert all(catcher.get("ResultPath") not in (None, "$") for catcher in catchers), \
            f"{logical_id}.{name}: a Catch must keep the input (ResultPath) so the report knows the lead"
    for handler in handlers:
        state = definition["States"].get(handler)
        assert state is not None and state["Type"] == "Task", f"{logical_id}: failures go to a Task that reports"


@machine_ids
def test_lambda_tasks_retry_transient_errors_and_outlive_the_function(logical_id: str):
    template = load_template()
    functions = functions_of(template)
    definition = json.loads(MACHINES[logical_id][1])
    states = {name: state for name, state, _ in _states(definition)}
    for name, function in _task_functions(logical_id).items():
        state = states[name]
        retried = {error for retrier in state["Retry"] for error in retrier["ErrorEquals"]}
        if "States.ALL" not in retried:
            assert retried >= LAMBDA_TRANSIENT, f"{logical_id}.{name} does not retry {LAMBDA_TRANSIENT - retried}"
        assert "TimeoutSeconds" in state, f"{logical_id}.{name}: no TimeoutSeconds (the default is a year)"
        assert state["TimeoutSeconds"] > functions[function]["Timeout"], \
            f"{logical_id}.{name}: the task times out before {function} does"


@machine_ids
def test_state_machine_may_invoke_each_function_it_calls(logical_id: str):
    properties = MACHINES[logical_id][0]
    granted = {policy["LambdaInvokePolicy"]["FunctionName"]["Ref"] for policy in properties.get("Policies", [])
               if isinstance(policy, dict) and "LambdaInvokePolicy" in policy}
    called = set(_task_functions(logical_id).values())
    assert called <= granted, f"{logical_id} may not invoke {called - granted}"
    assert granted <= called, f"{logical_id} may invoke functions it never calls: {granted - called}"


@machine_ids
def test_waits_use_a_computed_timestamp(logical_id: str):
    """Domain code computes when to wake (time zone, business hours, local time compression)."""
    for name, state, _ in _states(json.loads(MACHINES[logical_id][1])):
        if state["Type"] == "Wait":
            assert "TimestampPath" in state, f"{logical_id}.{name} waits a fixed time"


@machine_ids
def test_moto_parser_accepts_the_definition(logical_id: str):
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.static_analyser.static_analyser import StaticAnalyser

    definition = _substituted(logical_id)
    AmazonStateLanguageParser.parse(definition)
    StaticAnalyser().analyse(definition)


def test_moto_parser_rejects_a_broken_definition():
    """The check above can fail: a misspelt field is a syntax error to moto's parser."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser, ASLParserException

    broken = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Nxt": "B"}, "B": {"Type": "Succeed"}}}
    with pytest.raises(ASLParserException):
        AmazonStateLanguageParser.parse(json.dumps(broken))


# ---------------------------------------------------------------- running in moto's interpreter

Script = dict[str, Callable[[dict[str, Any]], dict[str, Any]]]


class TaskFailed(Exception):
    """Raised by a scripted function: the Lambda answers with an unhandled function error."""


@pytest.fixture
def stepfunctions(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Script]]:
    """A moto Step Functions client whose Lambda tasks run scripted Python functions, in process, no Docker."""
    import boto3
    from moto import mock_aws
    from moto.awslambda_simple.models import LambdaSimpleBackend

    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(key, value)
    script: Script = {}

    def invoke(self: Any, function_name: str, qualifier: Any, body: Any, headers: Any,
               response_headers: dict) -> bytes:
        name = function_name.rsplit(":", 1)[-1]
        try:
            return json.dumps(script[name](json.loads(body or "{}"))).encode()
        except TaskFailed as error:
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorType": "TaskFailed", "errorMessage": str(error)}).encode()

    monkeypatch.setattr(LambdaSimpleBackend, "invoke", invoke)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}):
        yield boto3.client("stepfunctions", region_name=REGION), script


def _create(client: Any, logical_id: str) -> str:
    return client.create_state_machine(name=logical_id, definition=_substituted(logical_id), type="STANDARD",
                                       roleArn=f"arn:aws:iam::{ACCOUNT}:role/{logical_id}Role")["stateMachineArn"]


def _run(client: Any, machine_arn: str, payload: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    execution = client.start_execution(stateMachineArn=machine_arn, name=uuid.uuid4().hex,
                                       input=json.dumps(payload))["executionArn"]
    deadline = time.monotonic() + 20
    while (described := client.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not finish"
        time.sleep(0.02)
    events = client.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    entered = [event["stateEnteredEventDetails"]["name"] for event in events if "stateEnteredEventDetails" in event]
    return described, entered


@machine_ids
def test_moto_creates_the_state_machine(stepfunctions: tuple[Any, Script], logical_id: str):
    client, _ = stepfunctions
    arn = _create(client, logical_id)
    assert json.loads(client.describe_state_machine(stateMachineArn=arn)["definition"])["StartAt"]


LIFECYCLE = "LeadLifecycleStateMachine"
lifecycle_only = pytest.mark.skipif(LIFECYCLE not in MACHINES, reason="no lead lifecycle state machine")
PAST = "2020-01-01T00:00:00Z"


def _in_order(entered: list[str], expected: list[str]) -> bool:
    """The expected states were entered in this order (guard states in between are allowed)."""
    remaining = iter(entered)
    return all(name in remaining for name in expected)


def _lifecycle_script(script: Script, outcomes: list[str], calls: list[str], route: str = "personal",
                      nurture: list[dict[str, Any]] | None = None) -> None:
    pending = list(outcomes)
    steps = list(nurture or [{"next": "done"}])

    def step(function: str, result: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        def run(event: dict[str, Any]) -> dict[str, Any]:
            assert event["lead_id"] == "lead-1"
            calls.append(function)
            return result(event)
        script[function] = run

    by_state = _task_functions(LIFECYCLE)
    step(by_state["NotifyAssignee"], lambda _: {"email": True, "sms": True})
    step(by_state["PlanFirstContactCheck"], lambda _: {"due_at": PAST, "wake_at": PAST})
    step(by_state["ReviewFirstContact"], lambda _: {"outcome": pending.pop(0)})
    step(by_state["EscalateMissedContact"], lambda _: {"assigned_to": "rep-2"})
    step(by_state["ReportFailure"], lambda event: {"reported": event.get("error", {}).get("Error")})
    step(by_state["ChooseRoute"], lambda _: {"route": route})
    step(by_state["NurtureStep"], lambda _: steps.pop(0))


@lifecycle_only
def test_lifecycle_first_contact_in_time(stepfunctions: tuple[Any, Script]):
    client, script = stepfunctions
    calls: list[str] = []
    _lifecycle_script(script, ["contacted"], calls)
    described, entered = _run(client, _create(client, LIFECYCLE), {"lead_id": "lead-1"})
    assert described["status"] == "SUCCEEDED"
    assert _in_order(entered, ["NotifyAssignee", "PlanFirstContactCheck", "WaitForFirstContactDeadline",
                               "ReviewFirstContact", "FirstContactOutcome", "FirstContactMade"])
    assert entered[-1] == "FirstContactMade"
    assert "ReportFailure" not in entered


@lifecycle_only
def test_lifecycle_escalates_then_the_new_rep_calls(stepfunctions: tuple[Any, Script]):
    client, script = stepfunctions
    calls: list[str] = []
    _lifecycle_script(script, ["escalate", "contacted"], calls)
    described, entered = _run(client, _create(client, LIFECYCLE), {"lead_id": "lead-1"})
    assert described["status"] == "SUCCEEDED"
    assert entered.count("NotifyAssignee") == 2
    assert entered.index("EscalateMissedContact") < len(entered) - entered[::-1].index("NotifyAssignee")
    assert entered[-1] == "FirstContactMade"
    assert json.loads(described["output"])["escalation"] == {"assigned_to": "rep-2"}


@lifecycle_only
def test_lifecycle_leaves_a_lead_cold(stepfunctions: tuple[Any, Script]):
    client, script = stepfunctions
    _lifecycle_script(script, ["escalate", "escalate", "unreached"], [])
    described, entered = _run(client, _create(client, LIFECYCLE), {"lead_id": "lead-1"})
    assert described["status"] == "SUCCEEDED"
    assert entered.count("EscalateMissedContact") == 2
    assert entered[-1] == "LeftUnreached"


@lifecycle_only
def test_lifecycle_nurtures_with_three_transitions_per_step(stepfunctions: tuple[Any, Script]):
    client, script = stepfunctions
    calls: list[str] = []
    waits = [{"next": "wait", "wake_at": PAST, "step": number} for number in range(3)]
    _lifecycle_script(script, [], calls, route="nurture", nurture=[*waits, {"next": "done", "reason": "finished"}])
    described, entered = _run(client, _create(client, LIFECYCLE), {"lead_id": "lead-1"})
    assert described["status"] == "SUCCEEDED"
    assert entered[-1] == "NurtureEnded"
    assert "PlanFirstContactCheck" not in entered
    starts = [index for index, name in enumerate(entered) if name == "NurtureStep"]
    assert len(starts) == 4
    assert {later - earlier for earlier, later in pairwise(starts)} == {3}
    assert entered[starts[0] + 1: starts[1]] == ["NurtureChoice", "WaitForNurtureStep"]


@lifecycle_only
def test_lifecycle_leaves_a_no_prospect_alone(stepfunctions: tuple[Any, Script]):
    client, script = stepfunctions
    calls: list[str] = []
    _lifecycle_script(script, [], calls, route="none")
    described, entered = _run(client, _create(client, LIFECYCLE), {"lead_id": "lead-1"})
    assert described["status"] == "SUCCEEDED"
    assert entered[-1] == "NoAutomation"
    assert _task_functions(LIFECYCLE)["NurtureStep"] not in calls


@lifecycle_only
@pytest.mark.parametrize(("route", "nurture"), [("somewhere", None), ("nurture", [{"next": "wait"}]),
                                                ("nurture", [{"next": "wait", "wake_at": "later"}])])
def test_lifecycle_reports_an_unknown_route_or_plan(stepfunctions: tuple[Any, Script], route: str,
                                                    nurture: list[dict[str, Any]] | None):
    client, script = stepfunctions
    _lifecycle_script(script, [], [], route=route, nurture=nurture)
    described, entered = _run(client, _create(client, LIFECYCLE), {"lead_id": "lead-1"})
    assert described["status"] == "FAILED"
    assert entered[-2:] == ["ReportFailure", "WorkflowFailed"]


@lifecycle_only
@pytest.mark.parametrize("failing", ["NotifyAssignee", "ChooseRoute", "PlanFirstContactCheck", "ReviewFirstContact",
                                     "EscalateMissedContact"])
def test_lifecycle_reports_a_failed_step(stepfunctions: tuple[Any, Script], failing: str):
    client, script = stepfunctions
    calls: list[str] = []
    _lifecycle_script(script, ["escalate", "contacted"], calls)
    function = _task_functions(LIFECYCLE)[failing]

    def fail(_event: dict[str, Any]) -> dict[str, Any]:
        raise TaskFailed(f"{failing} broke")

    script[function] = fail
    described, entered = _run(client, _create(client, LIFECYCLE), {"lead_id": "lead-1"})
    assert described["status"] == "FAILED"
    assert entered[-3:] == [failing, "ReportFailure", "WorkflowFailed"]
    assert calls[-1] == _task_functions(LIFECYCLE)["ReportFailure"]
    assert described["error"] == "LeadLifecycleFailed"


@lifecycle_only
def test_lifecycle_reports_a_malformed_plan(stepfunctions: tuple[Any, Script]):
    client, script = stepfunctions
    calls: list[str] = []
    _lifecycle_script(script, ["contacted"], calls)
    script[_task_functions(LIFECYCLE)["PlanFirstContactCheck"]] = lambda _: {"wake_at": "tomorrow"}
    described, entered = _run(client, _create(client, LIFECYCLE), {"lead_id": "lead-1"})
    assert described["status"] == "FAILED"
    assert "ReportFailure" in entered


@lifecycle_only
def test_lifecycle_reports_a_review_without_outcome(stepfunctions: tuple[Any, Script]):
    client, script = stepfunctions
    _lifecycle_script(script, [], [])
    script[_task_functions(LIFECYCLE)["ReviewFirstContact"]] = lambda _: {"status": "unknown"}
    described, entered = _run(client, _create(client, LIFECYCLE), {"lead_id": "lead-1"})
    assert described["status"] == "FAILED"
    assert "ReportFailure" in entered


STATUS_MESSAGE = "StatusMessageStateMachine"


def test_status_message_waits_then_sends(stepfunctions: tuple[Any, Script]):
    client, script = stepfunctions
    sent: list[dict[str, Any]] = []
    functions = _task_functions(STATUS_MESSAGE)
    script[functions["SendStatusMessage"]] = lambda event: sent.append(event) or {"sent": ["email"]}
    payload = {"lead_id": "lead-1", "status": "attempting", "template": "lead_status_attempting", "send_at": PAST}
    described, entered = _run(client, _create(client, STATUS_MESSAGE), payload)
    assert described["status"] == "SUCCEEDED"
    assert entered == ["CheckSendAt", "WaitForSendAt", "SendStatusMessage", "Sent"]
    assert sent == [payload]


def test_status_message_without_a_time_is_reported(stepfunctions: tuple[Any, Script]):
    client, script = stepfunctions
    functions = _task_functions(STATUS_MESSAGE)
    reported: list[str] = []
    script[functions["ReportFailure"]] = lambda event: reported.append(event["error"]["Error"]) or {}
    described, _ = _run(client, _create(client, STATUS_MESSAGE), {"lead_id": "lead-1", "send_at": "soon"})
    assert described["status"] == "FAILED"
    assert reported == ["InvalidInput"]


@lifecycle_only
def test_lifecycle_hands_a_long_sequence_to_a_fresh_run_which_resumes_nurture(stepfunctions: tuple[Any, Script]):
    client, script = stepfunctions
    calls: list[str] = []
    seen: list[dict[str, Any]] = []
    _lifecycle_script(script, [], calls, route="nurture", nurture=[{"next": "continued", "execution": "next-run"}])
    nurture_function = _task_functions(LIFECYCLE)["NurtureStep"]
    scripted = script[nurture_function]
    script[nurture_function] = lambda event: (seen.append(event), scripted(event))[1]
    machine = _create(client, LIFECYCLE)
    described, entered = _run(client, machine, {"lead_id": "lead-1"})
    assert described["status"] == "SUCCEEDED" and entered[-1] == "NurtureContinued"
    assert set(seen[0]) == {"lead_id", "execution_started_at"}  # the step knows how old its execution is
    _lifecycle_script(script, [], calls, route="nurture", nurture=[{"next": "done", "reason": "finished"}])
    described, entered = _run(client, machine, {"lead_id": "lead-1", "resume": "nurture"})
    assert described["status"] == "SUCCEEDED" and entered[-1] == "NurtureEnded"
    assert "NotifyAssignee" not in entered and "ChooseRoute" not in entered  # the rep is not told twice


@lifecycle_only
@pytest.mark.parametrize("route", ["personal", "none"])
def test_lifecycle_resumed_past_the_notice_chooses_the_route_again(stepfunctions: tuple[Any, Script], route: str):
    # Given a run the reconciler resumes for a lead whose rep was already told
    client, script = stepfunctions
    calls: list[str] = []
    _lifecycle_script(script, ["contacted"], calls, route=route)
    # When it starts with resume "route"
    described, entered = _run(client, _create(client, LIFECYCLE), {"lead_id": "lead-1", "resume": "route"})
    # Then it goes on from the choice of route, and the rep is not told twice
    assert described["status"] == "SUCCEEDED"
    assert "NotifyAssignee" not in entered
    assert entered[entered.index("ChooseRoute") - 1] == "ResumeChoice"
    assert entered[-1] == ("FirstContactMade" if route == "personal" else "NoAutomation")


def _retry_span(retrier: dict[str, Any]) -> float:
    """The longest time a retrier waits over all its attempts (FULL jitter waits a random part of each delay)."""
    delay, cap, total = retrier.get("IntervalSeconds", 1), retrier.get("MaxDelaySeconds", float("inf")), 0.0
    for _ in range(retrier.get("MaxAttempts", 3)):
        total += min(delay, cap)
        delay *= retrier.get("BackoffRate", 2.0)
    return total


@machine_ids
def test_every_lambda_task_retries_an_outage_for_minutes_and_so_does_the_failure_report(logical_id: str):
    """crm.retryable raises a dependency's outage as TransientError: every step, the failure report included, waits
    it out for minutes (an outage of DynamoDB Local for 10 s used to fail runs and their report alike)."""
    definition = json.loads(MACHINES[logical_id][1])
    states = {name: state for name, state, _ in _states(definition)}
    tasks = _task_functions(logical_id)
    assert set(_failure_handlers(definition)) <= set(tasks)
    for name in tasks:
        retriers = [retrier for retrier in states[name]["Retry"] if "TransientError" in retrier["ErrorEquals"]]
        assert len(retriers) == 1, f"{logical_id}.{name} does not retry TransientError"
        retrier = retriers[0]
        assert "States.Timeout" in retrier["ErrorEquals"], f"{logical_id}.{name}: a hung dependency is an outage too"
        assert 5 * 60 <= _retry_span(retrier) <= 30 * 60, f"{logical_id}.{name} retries for {_retry_span(retrier)} s"
        assert retrier["MaxDelaySeconds"] <= 300 and retrier.get("JitterStrategy") == "FULL", \
            f"{logical_id}.{name}: a recovering table gets the retries spread out, none waiting too long"


def test_a_status_message_reports_its_failure_as_its_own(stepfunctions: tuple[Any, Script]):
    """The failure report is shared: a status message's names its workflow, so an outage there never resumes the
    lead's lifecycle (crm.services.lifecycle.report_workflow_failure)."""
    client, script = stepfunctions
    reports: list[dict[str, Any]] = []
    script[_task_functions(STATUS_MESSAGE)["ReportFailure"]] = lambda event: reports.append(event) or {}
    described, _ = _run(client, _create(client, STATUS_MESSAGE), {"lead_id": "lead-1", "send_at": "soon"})
    assert described["status"] == "FAILED"
    assert [(report["lead_id"], report["workflow"], report["error"]["Error"]) for report in reports] == [
        ("lead-1", "status message", "InvalidInput")]
