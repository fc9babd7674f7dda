"""A deployment environment's stack (samconfig.toml) for the commands around `sam deploy`:
`python -m deploy.stack --env dev retained` names what `sam delete` leaves behind and how to remove it.
"""

from __future__ import annotations

import argparse
import tomllib
from typing import Any

from deploy.build import ROOT

SAMCONFIG = ROOT / "samconfig.toml"
RETAINING = ("Retain", "RetainExceptOnCreate")
REMOVAL = {
    "AWS::DynamoDB::Table": (
        "aws dynamodb create-backup --table-name {id} --backup-name {id}-final   # if you may want it back",
        "aws dynamodb update-table --table-name {id} --no-deletion-protection-enabled",
        "aws dynamodb delete-table --table-name {id}"),
    "AWS::Cognito::UserPool": (
        "aws cognito-idp update-user-pool --user-pool-id {id} --deletion-protection INACTIVE",
        "aws cognito-idp delete-user-pool --user-pool-id {id}"),
}


def stack_name(environment: str) -> str:
    """The stack of a config environment of samconfig.toml."""
    config = tomllib.loads(SAMCONFIG.read_text(encoding="utf-8"))
    try:
        return config[environment]["deploy"]["parameters"]["stack_name"]
    except KeyError:
        raise SystemExit(f"samconfig.toml has no [{environment}.deploy.parameters] stack_name") from None


def retained_report(template: dict[str, Any], physical_ids: dict[str, str]) -> str:
    """What the template keeps when its stack is deleted (DeletionPolicy), by the names this stack gave them, and
    the commands that remove each for good."""
    lines = []
    for logical_id, resource in template["Resources"].items():
        if resource.get("DeletionPolicy") not in RETAINING or logical_id not in physical_ids:
            continue
        physical_id = physical_ids[logical_id]
        lines.append(f"{logical_id} ({resource['Type']}) stays: {physical_id}")
        steps = REMOVAL.get(resource["Type"], ("remove it in the AWS console",))
        lines += [f"    {step.format(id=physical_id)}" for step in steps]
    if not lines:
        return "The stack retains nothing: deleting it removes everything it made."
    return "\n".join(["Deleting the stack keeps these, with their data; to remove them afterwards:", *lines])


def main(argv: list[str] | None = None) -> None:
    import boto3

    from local.template import load_template

    parser = argparse.ArgumentParser(prog="python -m deploy.stack", description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--env", default="dev", help="config environment of samconfig.toml")
    parser.add_argument("--region", help="default: the AWS profile's")
    parser.add_argument("command", choices=("retained",))
    args = parser.parse_args(argv)
    cloudformation = boto3.Session(region_name=args.region).client("cloudformation")
    pages = cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack_name(args.env))
    physical_ids = {resource["LogicalResourceId"]: resource["PhysicalResourceId"]
                    for page in pages for resource in page["StackResourceSummaries"]}
    print(retained_report(load_template(), physical_ids))


if __name__ == "__main__":
    main()
