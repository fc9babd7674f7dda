"""Checks the AWS calls recorded by local.call_recorder against each function's role in the SAM-transformed template.

Only what the template holds when the check runs counts: the functions (attributed by CodeUri and Handler), their
roles (inline policies, AWS::IAM::Policy resources on the role, the few AWS managed policies SAM attaches) and the
local physical names (local.template.Resolver: CrmTable is table "crm", a state machine is its Name or logical id,
account 123456789012 in us-east-1). Identifiers the code read from an environment variable are followed to the
template's value for that variable in that function, so a test fixture's own names check against the template's.

IAM's rules as far as these roles use them: an explicit Deny wins, else an Allow must match; Action/NotAction
(case-insensitive wildcards), Resource/NotResource (wildcards), and String*/Arn* conditions on the keys a call
carries (ses:FromAddress); an Allow whose condition cannot be evaluated does not allow.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from local.template import ACCOUNT_ID, PARTITION, REGION, STACK_NAME, Resolver, UnresolvableError
from tests.infra.cfn import functions_of, sam_transform

PARAMETERS = {"SenderAddress": "crm@example.com"}  # the local stack's and the integration tests' sender
PSEUDO = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": PARTITION,
          "AWS::StackName": STACK_NAME, "AWS::URLSuffix": "amazonaws.com", "AWS::NotificationARNs": [],
          "AWS::StackId": f"arn:{PARTITION}:cloudformation:{REGION}:{ACCOUNT_ID}:stack/{STACK_NAME}/1"}

# The AWS managed policies SAM attaches; the functions' code never calls their services itself.
MANAGED_POLICIES: dict[str, list[str]] = {
    "AWSLambdaBasicExecutionRole": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
    "AWSXrayWriteOnlyAccess": ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                               "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"],
    "AWSLambdaSQSQueueExecutionRole": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                       "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
    "AWSLambdaDynamoDBExecutionRole": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                                       "dynamodb:ListStreams", "logs:CreateLogGroup", "logs:CreateLogStream",
                                       "logs:PutLogEvents"],
}
_FUNCTION_TYPES = {"AWS::Serverless::Function", "AWS::Lambda::Function"}
MANAGED = "managed"  # sources of grants the code does not use itself: not reported unused
SAM_ADDED = "added by SAM:"


class PolicyResolver(Resolver):
    """local.template's Resolver, with the names and ARNs of the resource kinds policies name besides tables,
    functions and state machines; anything it cannot name becomes a placeholder that matches nothing real."""

    def ref(self, name: str) -> Any:
        kind = self.resources.get(name, {}).get("Type")
        if kind == "AWS::Cognito::UserPool":
            return f"{REGION}_{name}"
        if kind == "AWS::SNS::Topic":
            return f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT_ID}:{self.physical_name(name)}"
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{self.physical_name(name)}"
        if kind == "AWS::SecretsManager::Secret":  # !Ref gives the secret's ARN
            return f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:{self.physical_name(name)}"
        try:
            return super().ref(name)
        except UnresolvableError:
            return f"${{{name}}}"

    def physical_name(self, logical_id: str) -> str:
        properties = self.resources.get(logical_id, {}).get("Properties", {})
        for key in ("QueueName", "TopicName", "BucketName"):
            if key in properties:
                return str(self.resolve(properties[key]))
        return super().physical_name(logical_id)

    def get_att(self, logical_id: str, attribute: str) -> str:
        kind = self.resources.get(logical_id, {}).get("Type")
        name = self.physical_name(logical_id) if kind else logical_id
        arns = {
            "AWS::Cognito::UserPool": f"arn:{PARTITION}:cognito-idp:{REGION}:{ACCOUNT_ID}:userpool/{self.ref(name)}",
            "AWS::SQS::Queue": f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT_ID}:{name}",
            "AWS::SNS::Topic": f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT_ID}:{name}",
            "AWS::S3::Bucket": f"arn:{PARTITION}:s3:::{name}",
            "AWS::Lambda::Function": f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:function:{name}",
        }
        if kind in arns and attribute in ("Arn", "TopicArn"):
            return arns[kind]
        if attribute in ("QueueName", "TopicName"):
            return name
        if attribute == "QueueUrl":
            return str(self.ref(logical_id))
        if kind == "AWS::DynamoDB::Table" and attribute == "StreamArn":
            return f"{self.get_att(logical_id, 'Arn')}/stream/local"
        try:
            return super().get_att(logical_id, attribute)
        except UnresolvableError:
            return f"${{{logical_id}.{attribute}}}"

    def resolve(self, value: Any) -> Any:
        resolved = super().resolve(value)
        return [item for item in resolved if item is not None] if isinstance(resolved, list) else resolved

    def _function(self, name: str, argument: Any) -> Any:
        try:
            return super()._function(name, argument)
        except UnresolvableError:
            return f"${{Fn::{name}}}"


# ---------------------------------------------------------------- policies

@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_action: bool = False
    not_resource: bool = False
    condition: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    source: str = ""  # where the grant comes from, e.g. "Policies[0] DynamoDBCrudPolicy"

    @classmethod
    def parse(cls, raw: dict[str, Any], source: str) -> Statement:
        def strings(value: Any) -> tuple[str, ...]:
            return tuple(str(item) for item in (value if isinstance(value, list) else [value]))

        return cls(effect=raw["Effect"], actions=strings(raw.get("Action", raw.get("NotAction"))),
                   resources=strings(raw.get("Resource", raw.get("NotResource", "*"))),
                   not_action="NotAction" in raw, not_resource="NotResource" in raw,
                   condition=raw.get("Condition", {}), source=source)

    def action_grants(self, matched: list[str] | None = None) -> list[str]:
        """The actions as granted (those of `matched` if given); a NotAction list is one grant."""
        if self.not_action:
            return [f"NotAction {', '.join(self.actions)}"]
        return list(self.actions if matched is None else matched)

    def resource_grants(self, matched: list[str] | None = None) -> list[str]:
        if self.not_resource:
            return [f"NotResource {', '.join(self.resources)}"]
        return list(self.resources if matched is None else matched)

    def grants(self) -> Iterator[tuple[str, str]]:
        return ((action, resource) for action in self.action_grants() for resource in self.resource_grants())


@cache
def _pattern(text: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if char == "*" else "." if char == "?" else re.escape(char) for char in text)
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    return _pattern(pattern, ignore_case).fullmatch(value) is not None


def _condition_holds(condition: dict[str, Any], context: dict[str, str]) -> bool | None:
    """Whether every condition holds; None if one uses an operator this checker does not know."""
    keys = {key.lower(): value for key, value in context.items()}
    for operator, tests in condition.items():
        base = operator.removesuffix("IfExists")
        for key, expected in tests.items():
            wanted = [str(item) for item in (expected if isinstance(expected, list) else [expected])]
            actual = keys.get(key.lower())
            negated = "Not" in base
            if actual is None:
                if operator.endswith("IfExists") or negated:
                    continue
                return False
            if base in ("StringEquals", "ArnEquals", "StringNotEquals", "ArnNotEquals"):
                found = actual in wanted
            elif base in ("StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"):
                found = actual.lower() in {item.lower() for item in wanted}
            elif base in ("StringLike", "ArnLike", "StringNotLike", "ArnNotLike"):
                found = any(wildcard_match(item, actual) for item in wanted)
            else:
                return None
            if found == negated:
                return False
    return True


def _matching(patterns: tuple[str, ...], value: str, ignore_case: bool) -> list[str]:
    return [pattern for pattern in patterns if wildcard_match(pattern, value, ignore_case)]


def evaluate(statements: Iterable[Statement], action: str, resource: str,
             context: dict[str, str]) -> tuple[bool, list[tuple[Statement, str, str]]]:
    """(allowed, the grants that allowed it as (statement, action pattern, resource pattern))."""
    allowed_by: list[tuple[Statement, str, str]] = []
    for statement in statements:
        actions = _matching(statement.actions, action, ignore_case=True)
        resources = _matching(statement.resources, resource, ignore_case=False)
        if statement.not_action == bool(actions) or statement.not_resource == bool(resources):
            continue
        holds = _condition_holds(statement.condition, context)
        if statement.effect == "Deny" and holds is not False:
            return False, []
        if statement.effect == "Allow" and holds:
            allowed_by += [(statement, action_grant, resource_grant)
                           for action_grant in statement.action_grants(actions)
                           for resource_grant in statement.resource_grants(resources)]
    return bool(allowed_by), allowed_by


def _policy_label(policy_name: str, role_id: str, declared: list[Any] | None) -> str:
    """SAM names a function's inline policies <Role>Policy<index in its Policies>; the label names that entry.
    Other policies SAM adds to the role are for AWS services acting for the function (an on-failure destination)."""
    if declared is None:
        return policy_name  # a role written in the template
    index = policy_name.removeprefix(f"{role_id}Policy")
    if index.isdigit() and int(index) < len(declared):
        entry = declared[int(index)]
        kind = next(iter(entry)) if isinstance(entry, dict) else str(entry)
        return f"Policies[{index}] {kind}"
    return f"{SAM_ADDED} {policy_name}"


def role_statements(function_id: str, transformed: dict[str, Any], template: dict[str, Any],
                    resolver: Resolver) -> list[Statement] | None:
    """Every statement of the function's role with intrinsics resolved; None if the role is not in the template."""
    resources = transformed["Resources"]
    role = resources[function_id]["Properties"].get("Role")
    if not (isinstance(role, dict) and "Fn::GetAtt" in role):
        return None
    role_id = role["Fn::GetAtt"][0] if isinstance(role["Fn::GetAtt"], list) else role["Fn::GetAtt"].split(".")[0]
    properties = resources[role_id]["Properties"]
    declared = None
    if template["Resources"].get(function_id, {}).get("Type") == "AWS::Serverless::Function":
        declared = template["Resources"][function_id].get("Properties", {}).get("Policies", [])
        declared = declared if isinstance(declared, list) else [declared]
    documents = [(_policy_label(policy["PolicyName"], role_id, declared), policy["PolicyDocument"])
                 for policy in properties.get("Policies", [])]
    for logical_id, resource in resources.items():
        attached = resource.get("Properties", {}).get("Roles", [])
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and {"Ref": role_id} in attached:
            documents.append((logical_id, resource["Properties"]["PolicyDocument"]))
    statements = []
    for source, document in documents:
        raw = resolver.resolve(document).get("Statement", [])
        statements += [Statement.parse(item, source) for item in (raw if isinstance(raw, list) else [raw])]
    for arn in resolver.resolve(properties.get("ManagedPolicyArns", [])):
        name = str(arn).rsplit("/", 1)[-1]
        statements.append(Statement("Allow", tuple(MANAGED_POLICIES.get(name, ())), ("*",), source=f"{MANAGED} {name}"))
    return statements


# ---------------------------------------------------------------- recorded calls

def handler_functions(template: dict[str, Any]) -> dict[str, list[str]]:
    """`code folder:Handler` (as local.call_recorder.handler_key writes it) -> the functions running that code."""
    found: dict[str, list[str]] = {}
    serverless = functions_of(template)
    for logical_id, resource in template["Resources"].items():
        if resource.get("Type") not in _FUNCTION_TYPES:
            continue
        properties = serverless.get(logical_id) or resource.get("Properties", {})
        code = properties.get("CodeUri", properties.get("Code"))
        if isinstance(code, str) and isinstance(properties.get("Handler"), str):
            folder = Path(code).as_posix().strip("/").removeprefix("./")
            found.setdefault(f"{folder}:{properties['Handler']}", []).append(logical_id)
    return found


def load_records(directory: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for path in sorted(directory.glob("calls-*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def resource_arn(resource: list[str]) -> str:
    """The ARN IAM authorizes for a recorded resource (local.call_recorder's kinds)."""
    kind, *ids = resource
    account = f"{REGION}:{ACCOUNT_ID}"
    if kind == "dynamodb:table":
        return f"arn:{PARTITION}:dynamodb:{account}:table/{ids[0]}"
    if kind == "dynamodb:index":
        return f"arn:{PARTITION}:dynamodb:{account}:table/{ids[0]}/index/{ids[1]}"
    if kind == "states:execution":
        return f"{ids[0].replace(':stateMachine:', ':execution:')}:{ids[1]}"
    if kind == "ses:identity":
        return f"arn:{PARTITION}:ses:{account}:identity/{ids[0]}"
    if kind == "ses:configuration-set":
        return f"arn:{PARTITION}:ses:{account}:configuration-set/{ids[0]}"
    if kind == "sqs:queue":
        owner, name = urlparse(ids[0]).path.strip("/").split("/")[-2:]
        return f"arn:{PARTITION}:sqs:{REGION}:{owner}:{name}"
    if kind == "sqs:queue-name":
        return f"arn:{PARTITION}:sqs:{account}:{ids[0]}"
    if kind == "s3:bucket":
        return f"arn:{PARTITION}:s3:::{ids[0]}"
    if kind == "s3:object":
        return f"arn:{PARTITION}:s3:::{ids[0]}/{ids[1]}"
    if kind == "cognito-idp:userpool":
        return f"arn:{PARTITION}:cognito-idp:{account}:userpool/{ids[0]}"
    if kind == "lambda:function":
        return ids[0] if ids[0].startswith("arn:") else f"arn:{PARTITION}:lambda:{account}:function:{ids[0]}"
    if kind == "execute-api:connection":  # the endpoint https://{api}.execute-api.{region}.{suffix}/{stage}
        endpoint = urlparse(ids[0])
        api, stage = (endpoint.hostname or "").split(".")[0], endpoint.path.strip("/").split("/")[0]
        return f"arn:{PARTITION}:execute-api:{account}:{api}/{stage}/{ids[1]}/@connections/{ids[2]}"
    if kind == "cloudfront:distribution":
        return f"arn:{PARTITION}:cloudfront::{ACCOUNT_ID}:distribution/{ids[0]}"
    return ids[0] if ids else "*"  # "*", an SNS topic ARN, a state machine ARN, a phone number


@dataclass(frozen=True)
class Call:
    """One action on one resource by one function, as its role must allow it."""

    function: str
    action: str
    resource: str
    context: tuple[tuple[str, str], ...]
    operation: str = field(compare=False)  # where it was seen first: not part of what is checked
    test: str = field(compare=False)
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        context = "".join(f" with {key}={value}" for key, value in self.context)
        notes = "".join(f"; {note}" for note in self.notes)
        return (f"{self.function}: {self.action} on {self.resource}{context} is not allowed by its role "
                f"(the code called {self.operation}, first in {self.test or 'the local stack'}{notes})")


class _Environment:
    """Follows an identifier the code read from the environment to the template's value for that variable."""

    def __init__(self, variables: dict[str, Any], resolver: Resolver) -> None:
        self.variables = variables
        self.resolver = resolver

    def follow(self, value: str, aliases: dict[str, list[str]], notes: list[str]) -> str:
        names = aliases.get(value, [])
        declared = sorted((name for name in names if name in self.variables),
                          key=lambda name: not isinstance(self.variables[name], dict))  # a !Ref/!GetAtt first
        if declared:
            return str(self.resolver.resolve(self.variables[declared[0]]))
        if names:
            notes.append(f"{value} came from ${' or $'.join(names)}, which the template does not set for it")
        return value


def calls_of(record: dict[str, Any], function: str, environment: _Environment) -> list[Call]:
    """The recorded call as `function`'s role must allow it: ARNs of the template's resources."""
    notes: list[str] = []
    aliases = record.get("aliases", {})
    context = tuple(sorted((key, environment.follow(value, aliases, notes))
                           for key, value in record.get("context", {}).items()))
    accesses = [(action, resource_arn([kind, *(environment.follow(value, aliases, notes) for value in ids)]))
                for action, (kind, *ids) in record["accesses"]]
    return [Call(function, action, arn, context, record["operation"], record.get("test", ""),
                 tuple(dict.fromkeys(notes))) for action, arn in accesses]


# ---------------------------------------------------------------- the check

@dataclass
class Report:
    denied: list[Call] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)  # function -> distinct calls checked
    unused: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # function -> grants no call used
    used: dict[str, list[str]] = field(default_factory=dict)  # function -> "action resource" of its calls
    not_exercised: list[str] = field(default_factory=list)  # functions no test ran
    unknown_handlers: list[str] = field(default_factory=list)  # recorded code the template does not deploy
    unchecked_roles: list[str] = field(default_factory=list)  # functions whose role is not in the template

    def unused_document(self) -> dict[str, Any]:
        return {function: {"exercised": function not in self.not_exercised, "unused_grants": grants,
                           "calls": self.used.get(function, [])}
                for function, grants in sorted(self.unused.items())}

    def summary(self) -> list[str]:
        unused = sum(len(grants) for function, grants in self.unused.items() if function not in self.not_exercised)
        lines = [f"{sum(self.checked.values())} distinct AWS calls by {len(self.checked)} functions checked against "
                 f"their roles: {len(self.denied)} not allowed",
                 f"{unused} grants of exercised functions never used by a test"]
        if self.not_exercised:
            lines.append(f"not exercised by any test: {', '.join(sorted(self.not_exercised))}")
        if self.unknown_handlers:
            lines.append(f"handlers the template does not deploy: {', '.join(sorted(self.unknown_handlers))}")
        if self.unchecked_roles:
            lines.append(f"roles outside the template (not checked): {', '.join(sorted(self.unchecked_roles))}")
        return lines


def check(records: Iterable[dict[str, Any]], template: dict[str, Any],
          parameters: dict[str, Any] | None = None) -> Report:
    """Every recorded call against its function's role; and the grants no recorded call used."""
    parameters = {**PARAMETERS, **(parameters or {})}
    transformed = sam_transform(template, parameters, PSEUDO)
    resolver = PolicyResolver(template, {key: value for key, value in parameters.items()
                                         if key in template.get("Parameters", {})})
    handlers = handler_functions(template)
    serverless = functions_of(template)
    report = Report()
    calls: dict[str, set[Call]] = {function: set() for functions in handlers.values() for function in functions}
    for record in records:
        functions = handlers.get(record["function"])
        if not functions:
            report.unknown_handlers = sorted({*report.unknown_handlers, record["function"]})
            continue
        for function in functions:
            properties = serverless.get(function) or template["Resources"][function].get("Properties", {})
            environment = _Environment(properties.get("Environment", {}).get("Variables", {}), resolver)
            calls[function].update(calls_of(record, function, environment))
    for function, made in sorted(calls.items()):
        statements = role_statements(function, transformed, template, resolver)
        if statements is None:
            report.unchecked_roles.append(function)
            continue
        used: set[tuple[Statement, str, str]] = set()
        for call in sorted(made, key=str):
            allowed, grants = evaluate(statements, call.action, call.resource, dict(call.context))
            if not allowed:
                report.denied.append(call)
            used.update(grants)
        if made:
            report.checked[function] = len(made)
        else:
            report.not_exercised.append(function)
        report.unused[function] = [
            {"policy": statement.source, "action": action, "resource": resource}
            for statement in statements
            if statement.effect == "Allow" and not statement.source.startswith((MANAGED, SAM_ADDED))
            for action, resource in statement.grants() if (statement, action, resource) not in used]
        report.used[function] = sorted({f"{call.action} {call.resource}" for call in made})
    return report
