"""Reading template.yaml for the infra checks, with the same loader the local stack uses."""

from __future__ import annotations

import copy
import json
import os
from typing import Any

from local.template import REPO_ROOT as ROOT
from local.template import TEMPLATE_PATH as TEMPLATE
from local.template import load_template

__all__ = ["ROOT", "TEMPLATE", "dead_letter_redrive", "functions_of", "load_template", "policy_statements",
           "properties_of", "sam_transform", "state_machines_of"]


def functions_of(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every AWS::Serverless::Function with the Globals merged in (the way SAM does for these keys)."""
    function_globals = template.get("Globals", {}).get("Function", {})
    found = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        properties = dict(resource.get("Properties", {}))
        for key, value in function_globals.items():
            if key == "Environment":
                variables = {**value.get("Variables", {}),
                             **properties.get("Environment", {}).get("Variables", {})}
                properties["Environment"] = {"Variables": variables}
            else:
                properties.setdefault(key, value)
        found[logical_id] = properties
    return found


def properties_of(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return template["Resources"][logical_id]["Properties"]


def policy_statements(properties: dict[str, Any]) -> list[dict[str, Any]]:
    """The inline statements of a function's Policies (not its SAM policy templates)."""
    return [statement for policy in properties["Policies"] if isinstance(policy, dict) and "Statement" in policy
            for statement in policy["Statement"]]


def dead_letter_redrive(template: dict[str, Any], queue_id: str, dead_id: str) -> dict[str, Any]:
    """Checks what every queue with a dead-letter queue must be (both encrypted, the dead letters kept longer than
    the messages they were, so someone can look at them) and answers the queue's RedrivePolicy."""
    queue, dead = properties_of(template, queue_id), properties_of(template, dead_id)
    assert queue["SqsManagedSseEnabled"] is True and dead["SqsManagedSseEnabled"] is True
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": [dead_id, "Arn"]}
    assert dead["MessageRetentionPeriod"] > queue["MessageRetentionPeriod"]
    return queue["RedrivePolicy"]


def state_machines_of(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {logical_id: resource.get("Properties", {}) for logical_id, resource in template["Resources"].items()
            if resource["Type"] == "AWS::Serverless::StateMachine"}


class OfflinePolicyLoader:
    """SAM's ManagedPolicyLoader asks IAM for AWS managed policy ARNs; these checks never leave the machine."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def load(self) -> dict[str, str]:
        return {name: f"arn:aws:iam::aws:policy/{name}" for name in self.names}


def _managed_policy_names(template: dict[str, Any]) -> set[str]:
    names = set()
    for properties in [*functions_of(template).values(), *state_machines_of(template).values()]:
        names |= {policy for policy in properties.get("Policies", []) if isinstance(policy, str)}
    return names


def _as_packaged(template: dict[str, Any]) -> dict[str, Any]:
    """What `sam package` hands to CloudFormation: local code folders become S3 objects, ASL files are inlined."""
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str) and not properties[key].startswith("s3://"):
                properties[key] = f"s3://crm-artifacts/{logical_id}.zip"
        if isinstance(properties.get("DefinitionUri"), str):
            properties["Definition"] = json.loads((ROOT / properties.pop("DefinitionUri")).read_text())
    return template


def sam_transform(template: dict[str, Any], parameters: dict[str, Any], pseudo: dict[str, Any]) -> dict[str, Any]:
    """The template as CloudFormation gets it from SAM's transform (`template` itself is left as it was)."""
    from samtranslator.translator.transform import transform

    # SAM reads the region from a boto3 session (environment only, no call); no credentials are needed.
    saved = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = pseudo["AWS::Region"]
    try:
        loader = OfflinePolicyLoader(_managed_policy_names(template))
        return transform(_as_packaged(copy.deepcopy(template)), {**parameters, **pseudo}, loader)
    finally:
        if saved is None:
            del os.environ["AWS_DEFAULT_REGION"]
        else:
            os.environ["AWS_DEFAULT_REGION"] = saved
