"""Starting the per-lead Step Functions execution; one execution per lead, named after it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from crm.integrations.aws import client
from crm.settings import get_settings


def lifecycle_execution_name(lead_id: str) -> str:
    return f"lead-{lead_id}"


def lifecycle_execution_arn(lead_id: str, run: str | None = None) -> str:
    return get_settings().lead_lifecycle_arn.replace(":stateMachine:", ":execution:") + \
        f":{lifecycle_execution_name(lead_id)}" + (f"-{run}" if run else "")


@dataclass(frozen=True)
class LifecycleRun:
    """What DescribeExecution tells of one of a lead's runs."""

    status: str  # RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED (or PENDING_REDRIVE)
    started_at: datetime
    error: str | None


def describe_lifecycle_run(lead_id: str, execution_arn: str | None = None) -> LifecycleRun | None:
    """The lead's run (its first, lead-<id>, unless another is named), or None when it was never started."""
    sfn = client("stepfunctions")
    try:
        described = sfn.describe_execution(executionArn=execution_arn or lifecycle_execution_arn(lead_id))
    except sfn.exceptions.ExecutionDoesNotExist:
        return None
    return LifecycleRun(described["status"], described["startDate"], described.get("error"))


def run_of(lead_id: str, execution_arn: str | None) -> str | None:
    """The `run` part of an execution's name lead-<id>-<run> (None for the lead's first run)."""
    name = (execution_arn or "").rpartition(":")[2]
    return name.removeprefix(f"{lifecycle_execution_name(lead_id)}-") if name.startswith(f"lead-{lead_id}-") else None


def start_lead_lifecycle(lead_id: str, run: str | None = None, resume: str | None = None) -> str:
    """Start the lead's workflow; if it already exists (a retried start) that one is the lead's workflow.

    `run` names a later run, e.g. when a no-prospect lead engages again after its first workflow ended.
    `resume` ("nurture", "route") starts the run there: for a run that takes over from one near its time limit, or
    one the reconciler resumes.
    """
    sfn = client("stepfunctions")
    name = lifecycle_execution_name(lead_id) + (f"-{run}" if run else "")
    arn = get_settings().lead_lifecycle_arn
    payload = {"lead_id": lead_id, **({"resume": resume} if resume else {})}
    try:
        return sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(payload))["executionArn"]
    except sfn.exceptions.ExecutionAlreadyExists:
        return arn.replace(":stateMachine:", ":execution:") + f":{name}"


def stop_lead_lifecycle(lead_id: str, cause: str, execution_arn: str | None = None) -> bool:
    """Stop the lead's workflow now (converted, deleted, junk, promoted ...); False if none was running.

    Every workflow step also re-reads the lead on wake-up, so a stop that fails here only costs a wake-up.
    """
    sfn = client("stepfunctions")
    try:
        sfn.stop_execution(executionArn=execution_arn or lifecycle_execution_arn(lead_id),
                           error="LeadAutomationStopped", cause=cause[:32768])
    except (sfn.exceptions.ExecutionDoesNotExist, sfn.exceptions.InvalidArn):
        return False
    return True


def start_status_message(lead_id: str, event_id: str, payload: dict) -> str:
    """A status-change message (L11) waits in its own small workflow; named after the status event, so a retry
    starts it once."""
    sfn = client("stepfunctions")
    arn = get_settings().status_message_arn
    name = f"status-{event_id}"[:80]
    try:
        return sfn.start_execution(stateMachineArn=arn, name=name,
                                   input=json.dumps({"lead_id": lead_id, **payload}))["executionArn"]
    except sfn.exceptions.ExecutionAlreadyExists:
        return arn.replace(":stateMachine:", ":execution:") + f":{name}"
