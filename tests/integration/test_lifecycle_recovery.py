"""A lead's workflow survives an outage: a step retries it as TransientError, a run that still fails is queued by its
failure report and resumed by the reconciler from where its lead stood, and after a few unfinished runs the
reconciler gives up and tells the managers. The deployed ASL runs in moto's interpreter on our handlers."""

from __future__ import annotations

import time
from types import SimpleNamespace

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from pynamodb.exceptions import GetError

from tests.integration.test_lead_lifecycle import (  # noqa: F401  (stack: the module's moto and state machines)
    crm,
    execution_arn,
    finished,
    invoke,
    post_lead,
    sent,
    stack,
    states_entered,
)

LONG_AGO = "2000-01-01T00:00:00Z"


@pytest.fixture
def instant_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's interpreter sleeps through each retry's delay: the minutes of backoff pass at once here."""
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    monkeypatch.setattr(retrier_decl, "time", SimpleNamespace(sleep=lambda _seconds: None))


def reconcile() -> dict[str, list[str]]:
    """The scheduled reconciler, looking at every queued lead (as if they had waited its delay)."""
    from crm.data.leads import LIFECYCLE_PENDING, LeadItem

    for lead in LeadItem.state_index.query(LIFECYCLE_PENDING):
        lead.update(actions=[LeadItem.GSI2SK.set(LONG_AGO)], add_version_condition=False)
    return invoke("workflow_engine", "app.start_pending_lifecycles", {"source": "aws.events"})


def only(outcome: dict[str, list[str]], **expected: list[str]) -> bool:
    return {kind: ids for kind, ids in outcome.items() if ids} == expected


def test_a_run_that_outlasts_its_retries_is_resumed_where_its_lead_stood(crm, instant_retries, monkeypatch):
    _moto, machine = crm
    import crm.services.nurture as nurture
    from crm.data.leads import LIFECYCLE_PENDING, get_lead, timeline

    # Given DynamoDB unreachable whenever the workflow chooses the lead's route, after the rep was told
    attempts: list[str] = []

    def unreachable(lead_id: str) -> dict:
        attempts.append(lead_id)
        raise GetError("Failed to get item", EndpointConnectionError(endpoint_url="http://127.0.0.1:8000"))

    with monkeypatch.context() as outage:
        outage.setattr(nurture, "choose_route", unreachable)
        lead_id = post_lead({"name": "Outage Lead", "email": "outage@example.com"})
        first = finished(execution_arn(machine, lead_id))
    # Then the step was retried as TransientError (once and 8 retries), and the run failed after reporting it
    assert len(attempts) == 9
    assert first["status"] == "FAILED"
    assert states_entered(first["executionArn"])[-2:] == ["ReportFailure", "WorkflowFailed"]
    lead = get_lead(lead_id)
    assert (lead.GSI2PK, lead.lifecycle_resume) == (LIFECYCLE_PENDING, "route")  # queued to resume past the notice
    failure = next(event for event in timeline(f"LEAD#{lead_id}") if event.event_type == "workflow_failed")
    assert failure.data["error"] == "TransientError" and failure.data["will_resume"] is True
    assert not [message for message in sent() if "Automation failed" in message["subject"]]  # not before it gives up

    # When DynamoDB is back and the reconciler runs
    outcome = reconcile()

    # Then it resumes the lead in a new run that starts at the choice of route: the rep is not told again
    assert only(outcome, resumed=[lead_id])
    lead = get_lead(lead_id)
    resumed_arn = execution_arn(machine, lead_id) + "-r1"
    assert (lead.lifecycle_execution, lead.lifecycle_resumes) == (resumed_arn, 1)
    resumed = finished(resumed_arn)
    assert resumed["status"] == "SUCCEEDED"
    assert states_entered(resumed_arn)[:3] == ["Start", "ResumeChoice", "ChooseRoute"]
    # and once the resumed run finished (it told the rep the lead was escalated to), the lead is out of the queue
    reconcile()
    assert get_lead(lead_id).GSI2PK is None
    assert only(reconcile())


def _queued_after(lead_id: str, run: str | None, resumes: int, status: str) -> None:
    """The lead queued for the reconciler, its recorded run in `status` (stopped, not by the CRM, for ABORTED)."""
    from crm.data.leads import LIFECYCLE_PENDING, LeadItem, get_lead
    from crm.integrations.workflows import lifecycle_execution_arn, start_lead_lifecycle

    arn = start_lead_lifecycle(lead_id, run)
    if status == "ABORTED":
        deadline = time.monotonic() + 30
        while not states_entered(arn):  # moto ignores (or fails) a stop that comes before the run entered a state
            assert time.monotonic() < deadline, f"{arn} entered no state"
            time.sleep(0.05)
        boto3.client("stepfunctions").stop_execution(executionArn=arn, error="Operator", cause="stopped by hand")
        assert finished(arn)["status"] == "ABORTED"
    get_lead(lead_id).update(actions=[
        LeadItem.GSI2PK.set(LIFECYCLE_PENDING), LeadItem.GSI2SK.set(LONG_AGO),
        LeadItem.lifecycle_execution.set(lifecycle_execution_arn(lead_id, run)),
        LeadItem.lifecycle_resumes.set(resumes)], add_version_condition=False)


def test_the_reconciler_gives_up_after_the_limit_and_tells_the_managers(crm, capsys):
    _moto, machine = crm
    from crm.data.leads import get_lead, timeline
    from crm.services.lifecycle import MAX_RESUMES

    # Given a lead whose last allowed resumed run ended unfinished too
    lead_id = post_lead({"name": "Hopeless Lead", "email": "hopeless@example.com"})
    assert finished(execution_arn(machine, lead_id))["status"] == "SUCCEEDED"
    _queued_after(lead_id, f"r{MAX_RESUMES}", MAX_RESUMES, "ABORTED")
    before = len(sent())
    capsys.readouterr()
    # When the reconciler runs
    outcome = reconcile()
    # Then it starts no further run: the lead leaves the queue, its timeline says so, the managers get an email
    assert only(outcome, gave_up=[lead_id])
    assert get_lead(lead_id).GSI2PK is None
    machine_runs = boto3.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"]
    assert not [run for run in machine_runs if run["name"] == f"lead-{lead_id}-r{MAX_RESUMES + 1}"]
    event = next(event for event in timeline(f"LEAD#{lead_id}") if event.event_type == "workflow_failed")
    assert event.data["error"] == "LeadLifecycleGaveUp"
    reports = sent()[before:]
    assert [message["to"] for message in reports] == ["Maria Manager <maria@example.com>"]
    assert "LeadLifecycleGaveUp" in reports[0]["html"]
    # and the give-up is counted in the metric its alarm watches
    assert '"LifecycleResumeGaveUp"' in capsys.readouterr().out


def test_a_stopped_lead_or_a_finished_run_is_not_resumed(crm):
    _moto, machine = crm
    from crm.data.leads import LeadItem, get_lead

    # Given a queued lead whose run finished, and a junk one whose run was stopped
    finished_id = post_lead({"name": "Done Lead", "email": "done@example.com"})
    assert finished(execution_arn(machine, finished_id))["status"] == "SUCCEEDED"
    _queued_after(finished_id, None, 0, "SUCCEEDED")
    junk_id = post_lead({"name": "Junk Lead", "email": "junk@example.com"})
    finished(execution_arn(machine, junk_id))
    _queued_after(junk_id, "r1", 1, "ABORTED")
    get_lead(junk_id).update(actions=[LeadItem.junk.set({"reason": "spam", "by": "rep-anna", "at": LONG_AGO})],
                             add_version_condition=False)
    # When the reconciler runs, then both leave the queue and no run starts
    outcome = reconcile()
    assert sorted(outcome.pop("settled")) == sorted([finished_id, junk_id]) and only(outcome)
    assert get_lead(finished_id).GSI2PK is None and get_lead(junk_id).GSI2PK is None


def test_a_status_message_failed_by_an_outage_is_reported_and_resumes_no_lifecycle(crm):
    _moto, machine = crm
    from crm.clock import utcnow
    from crm.data.leads import get_lead
    from crm.services.lifecycle import report_workflow_failure

    # Given a lead whose lifecycle finished
    lead_id = post_lead({"name": "Status Lead", "email": "status@example.com"})
    assert finished(execution_arn(machine, lead_id))["status"] == "SUCCEEDED"
    before = len(sent())
    # When its status message's workflow fails for an outage
    report = report_workflow_failure({"lead_id": lead_id, "workflow": "status message",
                                      "error": {"Error": "TransientError", "Cause": "DynamoDB down"}}, utcnow())
    # Then the managers hear of the status message, and the lead is not queued to resume its lifecycle
    assert report["will_resume"] is False and report["told"]
    assert get_lead(lead_id).GSI2PK is None
    assert "status message" in sent()[before]["html"]
