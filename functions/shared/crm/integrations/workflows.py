"""Starting the per-lead Step Functions execution; one execution per lead, named after it."""

from __future__ import annotations

import json

from crm.integrations.aws import client
from crm.settings import get_settings


def lifecycle_execution_name(lead_id: str) -> str:
    return f"lead-{lead_id}"


def start_lead_lifecycle(lead_id: str) -> str:
    """Start the lead's workflow; if it already exists (a retried start) that one is the lead's workflow."""
    sfn = client("stepfunctions")
    name = lifecycle_execution_name(lead_id)
    arn = get_settings().lead_lifecycle_arn
    try:
        return sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps({"lead_id": lead_id}))[
            "executionArn"
        ]
    except sfn.exceptions.ExecutionAlreadyExists:
        return arn.replace(":stateMachine:", ":execution:") + f":{name}"
