"""Reading template.yaml for the infra checks, with the same loader the local stack uses."""

from __future__ import annotations

from typing import Any

from local.template import REPO_ROOT as ROOT
from local.template import TEMPLATE_PATH as TEMPLATE
from local.template import load_template

__all__ = ["ROOT", "TEMPLATE", "functions_of", "load_template", "state_machines_of"]


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


def state_machines_of(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {logical_id: resource.get("Properties", {}) for logical_id, resource in template["Resources"].items()
            if resource["Type"] == "AWS::Serverless::StateMachine"}
