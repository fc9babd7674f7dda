"""Reading template.yaml for the infra checks: a YAML loader that knows CloudFormation's short tags.

Kept here on purpose (not local/template.py) so these checks stand on their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


class CfnLoader(yaml.SafeLoader):
    """SafeLoader plus the short intrinsic-function tags (!Ref, !GetAtt, !Sub, ...)."""


def _intrinsic(loader: CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        resource, _, attribute = value.partition(".")
        value = [resource, attribute]
    return {f"Fn::{tag_suffix}": value}


CfnLoader.add_multi_constructor("!", _intrinsic)
# CloudFormation reads 2010-09-09 as text, not a date.
CfnLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=CfnLoader)


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
