"""The local runner's outbox buttons (SES open/click events to the SNS-subscribed function) and a lead's
executions page, through the runner's HTTP server on the runner's own MotoStack, in this process."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from moto.awslambda.models import LambdaFunction

from crm.integrations.email import build_message
from local.__main__ import local_parameters
from local.dynamodb_local import free_port
from local.executions import template_state_machine_arns
from local.http_server import LocalStackServer
from local.moto_stack import LOCAL_ROLE_ARN, MotoStack
from local.template import FunctionSpec, Resolver, function_arn, function_specs, load_template, state_machine_specs
from tests.integration.conftest import finished_execution

SENDER = "crm@example.com"
CONFIGURATION_SET = "crm-local-crm"
PRICING = "https://www.example.com/pricing"
CANARY_DIR = Path(__file__).parent / "canary_handlers"
LIFECYCLE = {
    "StartAt": "Plan",
    "States": {
        "Plan": {"Type": "Task", "Resource": function_arn("CanaryPlan"), "ResultPath": "$.plan", "Next": "Wait"},
        "Wait": {"Type": "Wait", "TimestampPath": "$.plan.wake_at", "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    },
}
STATUS_MESSAGE = {"StartAt": "Sent", "States": {"Sent": {"Type": "Succeed"}}}


@dataclass
class Content:
    subject: str
    html: str
    text: str = "see the HTML part"


@dataclass
class Invocations:
    """Stands in for local.lambda_dispatch.invoke_function: records what the server invokes."""

    calls: list[tuple[FunctionSpec, Any]] = field(default_factory=list)
    failure: Exception | None = None

    def __call__(self, spec: FunctionSpec, event: Any) -> Any:
        self.calls.append((spec, event))
        if self.failure is not None:
            raise self.failure
        return {"handled": len(event["Records"])}


@dataclass
class Stack:
    url: str
    moto: MotoStack
    invocations: Invocations

    def send_email(self, html: str, lead_id: str | None = None, configuration_set: str | None = CONFIGURATION_SET,
                   tags: dict[str, str] | None = None) -> str:
        headers = {"X-Crm-Lead-Id": lead_id} if lead_id else {}
        mime = build_message(SENDER, "ada@example.com", Content("Your pricing question", html), headers=headers)
        request: dict[str, Any] = {"FromEmailAddress": SENDER, "Destination": {"ToAddresses": ["ada@example.com"]},
                                   "Content": {"Raw": {"Data": mime.as_bytes()}}}
        if configuration_set:
            request["ConfigurationSetName"] = configuration_set
        if tags:
            request["EmailTags"] = [{"Name": name, "Value": value} for name, value in tags.items()]
        return self.moto.client("sesv2").send_email(**request)["MessageId"]

    def post_event(self, message_id: str, body: Any) -> requests.Response:
        return requests.post(f"{self.url}/outbox/{message_id}/events", json=body, timeout=10)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    template = load_template()
    functions = function_specs(template, Resolver(template, local_parameters(8000, {})))
    original_invoke = LambdaFunction._invoke_lambda
    with pytest.MonkeyPatch.context() as env:
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env.setenv(key, "local")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        moto = MotoStack()
        env.setenv("MOTO_PORT", str(moto.port))
        moto.start()
        env.setenv("AWS_ENDPOINT_URL", moto.endpoint)
        moto.set_up_email(SENDER, [CONFIGURATION_SET])
        invocations = Invocations()
        ready = threading.Event()
        ready.set()
        server = LocalStackServer(free_port(), functions, invocations, ready)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield Stack(f"http://127.0.0.1:{server.server_address[1]}", moto, invocations)
        finally:
            server.shutdown()
            server.server_close()
            moto.stop()
            LambdaFunction._invoke_lambda = original_invoke  # type: ignore[method-assign]


@pytest.fixture
def invocations(stack: Stack) -> Invocations:
    stack.invocations.calls.clear()
    stack.invocations.failure = None
    return stack.invocations


def test_outbox_json_lists_each_emails_links_and_lead(stack: Stack) -> None:
    message_id = stack.send_email(f'<a href="{PRICING}">prices</a> <a href="https://example.org/b">b</a>', "L-json")

    entry = next(entry for entry in requests.get(f"{stack.url}/outbox.json", timeout=10).json()
                 if entry["id"] == message_id)

    assert entry["links"] == [PRICING, "https://example.org/b"]
    assert entry["lead_id"] == "L-json"


def test_outbox_page_offers_open_and_click_and_links_the_leads_executions(stack: Stack) -> None:
    message_id = stack.send_email(f'<a href="{PRICING}">prices</a>', "L-page")

    page = requests.get(f"{stack.url}/outbox", timeout=10).text

    assert f'data-id="{message_id}"' in page
    assert "data-event=open" in page
    assert "data-event=click" in page
    assert f"<option>{PRICING}</option>" in page
    assert 'href="/executions?lead=L-page"' in page
    assert "http-equiv=refresh content=5></noscript>" in page, "auto-refresh must be stoppable by the script"


def test_posting_an_open_invokes_the_sns_subscribed_handler_with_the_ses_event(stack: Stack,
                                                                               invocations: Invocations) -> None:
    message_id = stack.send_email(f'<a href="{PRICING}">prices</a>', "L1", tags={"lead_id": "L1"})

    response = stack.post_event(message_id, {"type": "open"})

    assert response.status_code == 202, response.text
    (spec, lambda_event), = invocations.calls
    assert spec.logical_id == "EmailEventsFunction"
    assert spec.handler == "email_events.handler"
    (record,) = lambda_event["Records"]
    assert record["EventSource"] == "aws:sns"
    assert record["Sns"]["TopicArn"] == "arn:aws:sns:us-east-1:123456789012:EmailEventsTopic"
    event = json.loads(record["Sns"]["Message"])
    assert event == response.json()["event"]
    assert event["eventType"] == "Open"
    assert event["mail"]["messageId"] == message_id
    assert event["mail"]["tags"]["lead_id"] == ["L1"]
    assert event["mail"]["tags"]["ses:configuration-set"] == [CONFIGURATION_SET]
    assert datetime.fromisoformat(event["open"]["timestamp"].replace("Z", "+00:00")) <= datetime.now(UTC)
    assert response.json()["deliveries"] == [{"function": "EmailEventsFunction", "topic_arn": record["Sns"]["TopicArn"],
                                              "result": {"handled": 1}}]


def test_a_click_defaults_to_the_first_link_and_accepts_only_the_emails_links(stack: Stack,
                                                                              invocations: Invocations) -> None:
    message_id = stack.send_email(f'<a href="{PRICING}">prices</a> <a href="https://example.org/b">b</a>')

    first = stack.post_event(message_id, {"type": "click"})
    second = stack.post_event(message_id, {"type": "click", "link": "https://example.org/b"})
    foreign = stack.post_event(message_id, {"type": "click", "link": "https://evil.example/"})

    assert first.status_code == second.status_code == 202
    assert [json.loads(event["Records"][0]["Sns"]["Message"])["click"]["link"]
            for _, event in invocations.calls] == [PRICING, "https://example.org/b"]
    assert foreign.status_code == 400


def test_unknown_messages_bad_types_and_unpublished_emails_are_refused(stack: Stack,
                                                                       invocations: Invocations) -> None:
    message_id = stack.send_email("<p>no links</p>")
    without_set = stack.send_email("<p>no set</p>", configuration_set=None)

    assert stack.post_event("no-such-message", {"type": "open"}).status_code == 404
    assert stack.post_event(message_id, {"type": "bounce"}).status_code == 400
    assert stack.post_event(message_id, ["open"]).status_code == 400
    assert stack.post_event(message_id, {"type": "click"}).status_code == 400
    assert stack.post_event(without_set, {"type": "open"}).status_code == 409
    assert invocations.calls == []


def test_a_failing_handler_answers_502_with_its_error(stack: Stack, invocations: Invocations) -> None:
    invocations.failure = LookupError("no lead for this message")
    message_id = stack.send_email("<p>hello</p>")

    response = stack.post_event(message_id, {"type": "open"})

    assert response.status_code == 502
    assert "EmailEventsFunction failed: LookupError: no lead for this message" in response.json()["message"]


def _template_machine(logical_id: str) -> str:
    template = load_template()
    spec = next(spec for spec in state_machine_specs(template, Resolver(template)) if spec.logical_id == logical_id)
    assert spec.arn in template_state_machine_arns(template)
    return spec.name


def test_the_executions_page_lists_a_leads_runs_with_their_history(stack: Stack) -> None:
    stack.moto.create_functions([FunctionSpec(
        logical_id="CanaryPlan", name="CanaryPlan", arn=function_arn("CanaryPlan"), code_uri=str(CANARY_DIR),
        handler="handlers.plan", timeout=10, memory_size=128, environment={}, api_routes=(), schedules=())])
    stepfunctions = boto3.client("stepfunctions")
    machines = {}
    for logical_id, definition in (("LeadLifecycleStateMachine", LIFECYCLE), ("StatusMessageStateMachine",
                                                                              STATUS_MESSAGE)):
        machines[logical_id] = stepfunctions.create_state_machine(
            name=_template_machine(logical_id), definition=json.dumps(definition),
            roleArn=LOCAL_ROLE_ARN)["stateMachineArn"]
    runs = [stepfunctions.start_execution(stateMachineArn=machines[machine], name=name, input=json.dumps(payload))
            for machine, name, payload in (
                ("LeadLifecycleStateMachine", "lead-L1", {"lead_id": "L1", "value": 21}),
                ("LeadLifecycleStateMachine", "lead-L2", {"lead_id": "L2", "value": 1}),
                ("StatusMessageStateMachine", "status-event-1", {"lead_id": "L1", "status": "contacted"}))]
    for run in runs:
        assert finished_execution(stepfunctions, run["executionArn"])["status"] == "SUCCEEDED"

    answer = requests.get(f"{stack.url}/executions.json", params={"lead": "L1"}, timeout=10).json()

    assert answer["lead_id"] == "L1"
    lifecycle, status_message = answer["executions"]
    assert (lifecycle["name"], status_message["name"]) == ("lead-L1", "status-event-1")
    assert lifecycle["status"] == "SUCCEEDED"
    assert lifecycle["started_at"] <= lifecycle["stopped_at"]
    assert lifecycle["transitions"] == 3
    plan, wait, done = lifecycle["steps"]
    assert [(step["name"], step["type"]) for step in lifecycle["steps"]] == [
        ("Plan", "Task"), ("Wait", "Wait"), ("Done", "Pass")]
    assert plan["result"]["doubled"] == 42
    assert wait["wait_until"] == plan["result"]["wake_at"]
    assert wait["entered_at"] <= wait["exited_at"] <= done["entered_at"]
    assert status_message["transitions"] == 1

    page = requests.get(f"{stack.url}/executions", params={"lead": "L1"}, timeout=10).text
    assert "lead-L1" in page
    assert "lead-L2" not in page
    assert "3 state transitions" in page
    assert f"waits until <time>{plan['result']['wake_at']}</time>" in page
    assert requests.get(f"{stack.url}/executions.json", timeout=10).status_code == 400
