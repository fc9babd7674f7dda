"""A deployment environment's stack (samconfig.toml) for the commands around `sam deploy`:
`python -m deploy.stack --env dev before-delete` (`make destroy`) names what `sam delete` leaves behind and how to
remove it, and stops when a bucket would stop the delete half-way.
"""

from __future__ import annotations

import argparse
import tomllib
from typing import Any

from deploy.build import ROOT

SAMCONFIG = ROOT / "samconfig.toml"
BUCKET = "AWS::S3::Bucket"
RETAINING = ("Retain", "RetainExceptOnCreate")
REMOVAL = {
    "AWS::DynamoDB::Table": (
        "aws dynamodb create-backup --table-name {id} --backup-name {id}-final   # if you may want it back",
        "aws dynamodb delete-table --table-name {id}"),
    "AWS::Cognito::UserPool": ("aws cognito-idp delete-user-pool --user-pool-id {id}",),
}
UNPROTECT = {  # the step before removal when the template turns deletion protection on: (property, value, command)
    "AWS::DynamoDB::Table": ("DeletionProtectionEnabled", True,
                             "aws dynamodb update-table --table-name {id} --no-deletion-protection-enabled"),
    "AWS::Cognito::UserPool": ("DeletionProtection", "ACTIVE",
                               "aws cognito-idp update-user-pool --user-pool-id {id} --deletion-protection INACTIVE"),
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
        steps = list(REMOVAL.get(resource["Type"], ("remove it in the AWS console",)))
        key, protected, unprotect = UNPROTECT.get(resource["Type"], ("", None, ""))
        if key and resource.get("Properties", {}).get(key) == protected:
            steps.insert(-1, unprotect)
        lines += [f"    {step.format(id=physical_id)}" for step in steps]
    if not lines:
        return "The stack retains nothing: deleting it removes everything it made."
    return "\n".join(["Deleting the stack keeps these, with their data; to remove them afterwards:", *lines])


def emptied_by_the_stack(template: dict[str, Any]) -> set[str]:
    """Buckets a custom resource of the template is given (the site's deployer): it empties them when deleted."""
    return {resource["Properties"]["BucketName"]["Ref"] for resource in template["Resources"].values()
            if resource["Type"].startswith("Custom::")
            and isinstance(resource.get("Properties", {}).get("BucketName"), dict)}


def blocking_buckets(template: dict[str, Any], physical_ids: dict[str, str], s3: Any) -> list[str]:
    """The stack's buckets that hold objects nobody empties: CloudFormation cannot delete them, and the stack's
    delete would fail there (e.g. exports not yet expired)."""
    managed = emptied_by_the_stack(template)
    candidates = [physical_ids[logical_id] for logical_id, resource in template["Resources"].items()
                  if resource["Type"] == BUCKET and logical_id not in managed and logical_id in physical_ids]
    return [bucket for bucket in candidates if s3.list_objects_v2(Bucket=bucket, MaxKeys=1).get("KeyCount")]


def main(argv: list[str] | None = None) -> None:
    import boto3

    from local.template import load_template

    parser = argparse.ArgumentParser(prog="python -m deploy.stack", description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--env", default="dev", help="config environment of samconfig.toml")
    parser.add_argument("--region", help="default: the AWS profile's")
    parser.add_argument("command", choices=("before-delete",))
    args = parser.parse_args(argv)
    session = boto3.Session(region_name=args.region)
    pages = session.client("cloudformation").get_paginator("list_stack_resources").paginate(
        StackName=stack_name(args.env))
    physical_ids = {resource["LogicalResourceId"]: resource["PhysicalResourceId"]
                    for page in pages for resource in page["StackResourceSummaries"]}
    template = load_template()
    print(retained_report(template, physical_ids))
    blocking = blocking_buckets(template, physical_ids, session.client("s3"))
    if blocking:
        raise SystemExit("These buckets still hold objects and would stop the delete; empty them first:\n"
                         + "\n".join(f"    aws s3 rm s3://{bucket} --recursive" for bucket in blocking))


if __name__ == "__main__":
    main()
