"""The lead lifecycle state machine from infra/ run by moto's interpreter on our handlers (L3, L4, L6).

Time runs 30x faster (CLOCK_SPEEDUP), so the one-minute SLA set here elapses in two seconds: the
ASL is the deployed one, only the domain's computed wake-up time changes.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator

import boto3
import pytest
from moto.awslambda.models import LambdaFunction

from local.moto_stack import MotoStack
from local.provision import create_secrets
from local.template import Resolver, function_specs, load_template, ses_configuration_set_names, state_machine_specs
from tests.integration.conftest import HOT_ANSWERS, api_event, finished_execution, lead_id_of, seed_team
from tests.integration.test_board_api import board  # noqa: F401

PARAMETERS = {"SenderAddress": "crm@example.com", "SlaMinutes": "1", "MaxEscalations": "1",
              "BoardUrl": "https://crm.example.com", "DefaultPhoneRegion": "DE"}


@pytest.fixture(scope="module")
def stack(dynamodb_local: str) -> Iterator[tuple[MotoStack, str]]:
    saved_env, saved_invoke = dict(os.environ), LambdaFunction._invoke_lambda
    template = load_template()
    resolver = Resolver(template, PARAMETERS)
    functions = function_specs(template, resolver)
    moto = MotoStack().start()
    try:
        os.environ["AWS_ENDPOINT_URL"] = moto.endpoint
        for function in functions:
            os.environ.update(function.environment)
        os.environ.update({"CLOCK_SPEEDUP": "30", "POWERTOOLS_TRACE_DISABLED": "true"})
        moto.create_functions(functions)
        machines = state_machine_specs(template, resolver)
        moto.create_state_machines(machines)
        moto.set_up_email(PARAMETERS["SenderAddress"], ses_configuration_set_names(template, resolver))
        create_secrets(template, resolver, moto.client("secretsmanager"))
        yield moto, next(machine.arn for machine in machines if machine.logical_id == "LeadLifecycleStateMachine")
    finally:
        moto.stop()
        LambdaFunction._invoke_lambda = saved_invoke  # type: ignore[method-assign]
        os.environ.clear()
        os.environ.update(saved_env)
        _reset_caches()


def _reset_caches() -> None:
    from crm.integrations.aws import client
    from crm.settings import get_settings

    get_settings.cache_clear()
    client.cache_clear()


@pytest.fixture
def crm(stack, clean_tables):
    _reset_caches()
    seed_team()
    return stack


def invoke(function_dir: str, handler: str, event: dict) -> dict:
    from local.lambda_dispatch import LocalLambdaContext, call_handler
    from local.template import REPO_ROOT

    return call_handler(REPO_ROOT / "functions" / function_dir, handler, event, LocalLambdaContext(handler))


def post_lead(payload: dict) -> str:
    """A hot lead: the personal route with its first-contact deadline."""
    posted = {**HOT_ANSWERS, **payload}
    response = invoke("lead_intake", "app.handler", api_event(json.dumps(posted)))
    assert response["statusCode"] == 201, response
    return lead_id_of(posted)


def finished(execution_arn: str) -> dict:
    return finished_execution(boto3.client("stepfunctions"), execution_arn)


def states_entered(execution_arn: str) -> list[str]:
    events = boto3.client("stepfunctions").get_execution_history(executionArn=execution_arn)["events"]
    return [event["stateEnteredEventDetails"]["name"] for event in events if "stateEnteredEventDetails" in event]


def execution_arn(machine_arn: str, lead_id: str) -> str:
    return machine_arn.replace(":stateMachine:", ":execution:") + f":lead-{lead_id}"


def sent(kind: str = "email") -> list[dict]:
    """What moto's SES and SNS hold, as (to, subject-or-text)."""
    import email

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    if kind == "sms":
        return [{"to": to, "text": text}
                for to, text in sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages.values()]
    messages = []
    for message in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages:
        parsed = email.message_from_string(message.raw_data, policy=email.policy.default)
        messages.append({"to": parsed["To"], "subject": str(parsed["Subject"]),
                         "html": parsed.get_body(("html",)).get_content()})
    return messages


def test_a_call_within_the_sla_ends_the_workflow_without_escalation(crm, board):
    _moto, machine = crm
    before = len(sent())
    lead_id = post_lead({"name": "Prompt Lead", "email": "prompt@example.com", "phone": "030 901820"})
    answer = board.call("POST", f"/api/leads/{lead_id}/activities", "rep-anna", {"type": "call", "outcome": "answered"})
    assert answer.json()["first_contact"] is True
    execution = finished(execution_arn(machine, lead_id))
    assert execution["status"] == "SUCCEEDED"
    assert states_entered(execution["executionArn"])[-2:] == ["FirstContactOutcome", "FirstContactMade"]
    emails = sent()[before:]
    assert [message["to"] for message in emails] == ["Anna Schmidt <anna@example.com>"]
    assert "Prompt Lead" in emails[0]["subject"]
    # the rating, in German: hot (more points if the answered call was logged before the email went out)
    assert "Einstufung" in emails[0]["html"] and re.search(r"Heiß · \d+/100", emails[0]["html"])
    assert any("Prompt Lead" in sms["text"] and sms["to"] == "+4930901820" for sms in sent("sms"))
    from crm.data.leads import get_lead

    lead = get_lead(lead_id)
    assert lead.GSI2PK is None and lead.status == "contacted" and lead.seconds_to_first_contact is not None


def test_a_missed_sla_escalates_reassigns_and_finally_leaves_the_lead_unreached(crm):
    _moto, machine = crm
    before = len(sent())
    lead_id = post_lead({"name": "Silent Lead", "email": "silent@example.com", "country": "AT"})
    execution = finished(execution_arn(machine, lead_id))
    assert execution["status"] == "SUCCEEDED"
    path = states_entered(execution["executionArn"])
    assert path.count("EscalateMissedContact") == 1 and path[-1] == "LeftUnreached"
    from crm.data.leads import get_lead, timeline
    from crm.data.tasks import TaskItem

    lead = get_lead(lead_id)
    assert lead.status == "unreached" and lead.previous_owner_ids == ["rep-anna"] and lead.owner_id != "rep-anna"
    from crm.domain.qualification import TEMPERATURES

    assert lead.status not in TEMPERATURES  # what happened, beside a temperature that is still the score's
    assert TaskItem.get(*TaskItem.key(lead.call_task_id)).owner_id == lead.owner_id
    assert {"escalated", "went_cold"} <= {event.event_type for event in timeline(f"LEAD#{lead_id}")}
    recipients = [message["to"] for message in sent()[before:]]
    assert recipients[0] == "Anna Schmidt <anna@example.com>"
    assert recipients.count("Maria Manager <maria@example.com>") == 2  # missed, then never reached
    assert len(recipients) == 4  # first rep, manager, second rep, manager


def test_a_failing_step_is_caught_reported_to_the_managers_and_fails_visibly(crm):
    _moto, machine = crm
    before = len(sent())
    sfn = boto3.client("stepfunctions")
    started = sfn.start_execution(stateMachineArn=machine, name="lead-does-not-exist",
                                  input=json.dumps({"lead_id": "does-not-exist"}))
    execution = finished(started["executionArn"])
    assert execution["status"] == "FAILED"
    assert states_entered(execution["executionArn"])[-2:] == ["ReportFailure", "WorkflowFailed"]
    reports = sent()[before:]
    assert [message["to"] for message in reports] == ["Maria Manager <maria@example.com>"]
    assert "LeadGoneError" in reports[0]["html"]


def test_the_reconciler_starts_a_workflow_that_never_started(crm, monkeypatch):
    _moto, machine = crm
    import crm.services.intake as intake
    from crm.clock import utcnow
    from crm.data.leads import LIFECYCLE_PENDING, LeadItem, get_lead
    from crm.services import lifecycle

    # Given a lead stored while its workflow start was lost (the process died in between)
    monkeypatch.setattr(intake, "start_lead_lifecycle", lambda lead_id: None)
    lead_id = post_lead({"name": "Lost Start", "email": "lost@example.com"})
    monkeypatch.undo()
    sfn = boto3.client("stepfunctions")

    def executions_of_lead():
        return [execution for execution in sfn.list_executions(stateMachineArn=machine)["executions"]
                if execution["name"] == f"lead-{lead_id}"]

    assert not executions_of_lead()
    lead = get_lead(lead_id)
    assert lead.GSI2PK == LIFECYCLE_PENDING
    lead.update(actions=[LeadItem.GSI2SK.set("2000-01-01T00:00:00Z")], add_version_condition=False)
    # When the scheduled reconciler runs
    result = invoke("workflow_engine", "app.start_pending_lifecycles", {"source": "aws.events"})
    # Then the lead's workflow runs, and the lead leaves the queue once its rep was told
    assert result["started"] == [lead_id]
    assert len(executions_of_lead()) == 1
    assert finished(execution_arn(machine, lead_id))["status"] == "SUCCEEDED"
    assert get_lead(lead_id).GSI2PK is None
    assert not any(lifecycle.start_pending_lifecycles(utcnow()).values())


@pytest.fixture
def two_escalations(monkeypatch) -> Iterator[None]:
    """MaxEscalations 2 for one test: the lead is passed on twice before it goes cold."""
    monkeypatch.setenv("MAX_ESCALATIONS", "2")
    _reset_caches()
    yield
    monkeypatch.undo()
    _reset_caches()


def test_a_missed_lead_stays_in_its_territory_while_the_rule_has_reps_then_falls_back(crm, two_escalations):
    _moto, machine = crm
    from crm.data.leads import get_lead, timeline
    from crm.data.people import RoutingRuleItem, UserItem
    from crm.notifications.messages import MESSAGES

    # Given a second German-speaking rep in the DACH rule, after Anna
    UserItem.build(user_id="rep-dora", name="Dora Weber", email="dora@example.com", role="rep",
                   phone="+43664123456", language="de", timezone="Europe/Vienna").save()
    RoutingRuleItem.build("dach", 10, ["rep-anna", "rep-dora"], {"countries": ["DE", "AT", "CH"]}).save()
    # When a German lead's first contact is missed twice
    lead_id = post_lead({"name": "Greta Grün", "email": "greta@example.com", "country": "DE", "language": "de"})
    execution = finished(execution_arn(machine, lead_id))
    assert execution["status"] == "SUCCEEDED"
    assert states_entered(execution["executionArn"]).count("EscalateMissedContact") == 2
    # Then Dora takes it by the same rule first, and only with the rule's reps used up the round robin does
    lead = get_lead(lead_id)
    escalations = sorted((event.data for event in timeline(f"LEAD#{lead_id}") if event.event_type == "escalated"),
                         key=lambda data: data["escalation"])
    assert [(data["owner_id"], data["reason"]) for data in escalations] == [
        ("rep-dora", "rule:dach"), (lead.owner_id, "round_robin")]
    assert lead.previous_owner_ids == ["rep-anna", "rep-dora"] and lead.owner_id in {"rep-bela", "rep-chris"}
    # and each rep's SMS is in that rep's language: German for Dora
    dora_sms = [sms["text"] for sms in sent("sms") if sms["to"] == "+43664123456"]
    german = MESSAGES["de"]["new_lead_for_rep"]["sms"].split("{")[0]
    assert len(dora_sms) == 1 and dora_sms[0].startswith(german) and "Greta" in dora_sms[0]
