"""template.yaml: lints clean, transforms with SAM, keeps data safe, and every function is wired to real code."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from .cfn import ROOT, TEMPLATE, functions_of, sam_transform

PARAMETERS = {"SenderAddress": "crm@example.com"}
PSEUDO = {"AWS::Region": "eu-central-1", "AWS::AccountId": "123456789012", "AWS::Partition": "aws",
          "AWS::StackName": "crm-test",
          "AWS::StackId": "arn:aws:cloudformation:eu-central-1:123456789012:stack/crm-test/1",
          "AWS::URLSuffix": "amazonaws.com", "AWS::NotificationARNs": []}
DYNAMODB_POLICIES = {"DynamoDBCrudPolicy", "DynamoDBReadPolicy", "DynamoDBWritePolicy"}
POWERTOOLS_IDEMPOTENCY_ACTIONS = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}


def test_cfn_lint_reports_nothing():
    from cfnlint.api import lint_file

    matches = lint_file(TEMPLATE)
    assert not matches, "\n".join(str(match) for match in matches)


@pytest.fixture
def transformed(template: dict[str, Any]) -> dict[str, Any]:
    return sam_transform(template, PARAMETERS, PSEUDO)


def test_sam_transforms_the_template(transformed: dict[str, Any]):
    resources = transformed["Resources"]
    assert "Transform" not in transformed
    types = {resource["Type"] for resource in resources.values()}
    assert not {kind for kind in types if kind.startswith("AWS::Serverless::")}, types
    assert {"AWS::Lambda::Function", "AWS::StepFunctions::StateMachine", "AWS::ApiGateway::RestApi",
            "AWS::Lambda::LayerVersion"} <= types


def test_every_function_gets_its_own_role(transformed: dict[str, Any], template: dict[str, Any]):
    resources = transformed["Resources"]
    for logical_id in functions_of(template):
        function = resources[logical_id]
        assert function["Type"] == "AWS::Lambda::Function"
        role = function["Properties"]["Role"]["Fn::GetAtt"][0]
        assert resources[role]["Type"] == "AWS::IAM::Role"


def test_crm_table_is_protected(template: dict[str, Any]):
    table = template["Resources"]["CrmTable"]
    properties = table["Properties"]
    assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["DeletionPolicy"] == "RetainExceptOnCreate"  # tests/infra/test_operations.py says why
    assert table.get("UpdateReplacePolicy") == "Retain"
    assert properties.get("BillingMode") == "PAY_PER_REQUEST"


def test_idempotency_table_expires_records(template: dict[str, Any]):
    properties = template["Resources"]["IdempotencyTable"]["Properties"]
    ttl = properties["TimeToLiveSpecification"]
    assert ttl["Enabled"] is True
    assert ttl["AttributeName"] == "expiration", "the attribute aws-lambda-powertools idempotency writes"
    assert [key["AttributeName"] for key in properties["KeySchema"]] == ["id"]


def _top_level_names(module: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in module.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {target.id for target in node.targets if isinstance(target, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
    return names


def _handler_source(properties: dict[str, Any]) -> tuple[Path, str]:
    module_path, _, function_name = properties["Handler"].rpartition(".")
    return ROOT / properties["CodeUri"] / (module_path.replace(".", "/") + ".py"), function_name


def _function_ids() -> list[str]:
    from .cfn import load_template

    return sorted(functions_of(load_template()))


@pytest.mark.parametrize("logical_id", _function_ids())
def test_handler_exists(template: dict[str, Any], logical_id: str):
    properties = functions_of(template)[logical_id]
    source, function_name = _handler_source(properties)
    assert source.is_file(), f"{logical_id}: {source.relative_to(ROOT)} does not exist"
    module = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    assert function_name in _top_level_names(module), \
        f"{logical_id}: {source.relative_to(ROOT)} defines no top-level {function_name!r}"


def _policy_templates(properties: dict[str, Any]) -> list[tuple[str, Any]]:
    found = []
    for policy in properties.get("Policies", []):
        if isinstance(policy, dict):
            found.extend(policy.items())
    return found


def _table_policies(properties: dict[str, Any], table: str) -> set[str]:
    """The DynamoDB policy templates on `table`, and the actions of inline statements on its ARN."""
    templates = {name for name, argument in _policy_templates(properties)
                 if name in DYNAMODB_POLICIES and argument.get("TableName") == {"Ref": table}}
    table_arn = {"Fn::GetAtt": [table, "Arn"]}
    return templates | {action for statement in _statements(properties) if table_arn in _resources(statement)
                        for action in _actions(statement)}


def _resources(statement: dict[str, Any]) -> list[Any]:
    resource = statement.get("Resource", [])
    return resource if isinstance(resource, list) else [resource]


def _actions(statement: dict[str, Any]) -> list[str]:
    return statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]


def _uses_idempotency(source: Path) -> bool:
    module = ast.parse(source.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
        "aws_lambda_powertools.utilities.idempotency") for node in ast.walk(module))


@pytest.mark.parametrize("logical_id", _function_ids())
def test_function_policies_match_what_it_is_given(template: dict[str, Any], logical_id: str):
    properties = functions_of(template)[logical_id]
    variables = properties["Environment"]["Variables"]
    templates = _policy_templates(properties)

    if variables.get("TABLE_NAME") == {"Ref": "CrmTable"}:
        assert _table_policies(properties, "CrmTable"), f"{logical_id} is given the CRM table but no access to it"

    granted = [argument for name, argument in templates if name == "StepFunctionsExecutionPolicy"]
    stops = [statement for statement in _statements(properties) if statement["Action"] == "states:StopExecution"]
    for variable in ("LEAD_LIFECYCLE_ARN", "STATUS_MESSAGE_ARN"):
        if variable not in variables:
            continue
        if "Fn::Sub" in variables[variable]:  # an ARN built from the machine's Name, where a !Ref would be circular
            name = variables[variable]["Fn::Sub"].rsplit(":stateMachine:", 1)[1]
            assert {"StateMachineName": {"Fn::Sub": name}} in granted, f"{logical_id} may not start {name}"
            continue
        machine = variables[variable]["Ref"]
        may_start = {"StateMachineName": {"Fn::GetAtt": [machine, "Name"]}} in granted
        may_stop = any(f"${{{machine}.Name}}" in statement["Resource"]["Fn::Sub"] for statement in stops)
        assert may_start or may_stop, f"{logical_id} gets {variable} but may neither start nor stop {machine}"

    source, _ = _handler_source(properties)
    if source.is_file() and _uses_idempotency(source):
        granted = _table_policies(properties, "IdempotencyTable")
        assert "DynamoDBCrudPolicy" in granted or granted >= POWERTOOLS_IDEMPOTENCY_ACTIONS, \
            f"{logical_id} uses powertools idempotency but cannot write the idempotency table"

    for name, _argument in templates:
        if name == "Statement":
            continue
        assert name.endswith("Policy"), f"{logical_id}: unknown policy template {name}"


def _statements(properties: dict[str, Any]) -> list[dict[str, Any]]:
    return [statement for name, argument in _policy_templates(properties) if name == "Statement"
            for statement in (argument if isinstance(argument, list) else [argument])]


UNSCOPABLE_ACTIONS = {"sns:CheckIfPhoneNumberIsOptedOut"}  # the SNS SMS opt-out list has no ARN


@pytest.mark.parametrize("logical_id", _function_ids())
def test_inline_statements_are_scoped(template: dict[str, Any], logical_id: str):
    for statement in _statements(functions_of(template)[logical_id]):
        assert statement["Effect"] == "Allow"
        assert "Resource" in statement or "NotResource" in statement
        actions = _actions(statement)
        if statement.get("Resource") == "*":  # only actions IAM cannot scope to a resource
            assert set(actions) <= UNSCOPABLE_ACTIONS, f"{logical_id}: unscoped {statement['Action']}"
        assert not [action for action in actions if action.endswith(":*") or action == "*"]
        if any(action.startswith("ses:Send") for action in actions):
            assert statement["Condition"]["StringEquals"]["ses:FromAddress"] == {"Ref": "SenderAddress"}
        if "sns:Publish" in actions:
            # SMS goes to phone numbers, not topics: allow publishing to anything that is not a topic.
            assert "NotResource" in statement


def test_public_lead_route_is_throttled(template: dict[str, Any]):
    settings = template["Resources"]["LeadApi"]["Properties"]["MethodSettings"]
    posted = [setting for setting in settings
              if setting["ResourcePath"] == "/~1leads" and setting["HttpMethod"] == "POST"]
    assert posted and posted[0]["ThrottlingRateLimit"] > 0 and posted[0]["ThrottlingBurstLimit"] > 0


def _api_routes(template: dict[str, Any]) -> dict[str, set[tuple[str, str]]]:
    """(path, METHOD) of every Api event and DefinitionBody method, by the logical id of the API it is declared on."""
    routes: dict[str, set[tuple[str, str]]] = {}
    for properties in functions_of(template).values():
        for event in properties.get("Events", {}).values():
            if event["Type"] == "Api":
                api = event["Properties"]["RestApiId"]["Ref"]
                routes.setdefault(api, set()).add((event["Properties"]["Path"], event["Properties"]["Method"].upper()))
    for api, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Api":
            for path, methods in resource["Properties"].get("DefinitionBody", {}).get("paths", {}).items():
                routes.setdefault(api, set()).update((path, method.upper()) for method in methods)
    return routes


def test_method_settings_name_resources_as_api_gateway_spells_them(template: dict[str, Any]):
    """API Gateway rejects a stage whose MethodSettings name "/leads": a route's "/" is escaped "~1" ("/~1leads")."""
    routes = _api_routes(template)
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] not in {"AWS::Serverless::Api", "AWS::ApiGateway::Stage"}:
            continue
        api = resource["Properties"].get("RestApiId", {"Ref": logical_id})["Ref"]
        for setting in resource["Properties"].get("MethodSettings", []):
            path, method = setting["ResourcePath"], setting["HttpMethod"]
            if path == "/*":
                continue
            assert path.startswith("/~1") and "/" not in path[1:], \
                f"{logical_id}: ResourcePath {path!r} must be '/*' or the route with each '/' written '~1'"
            route = path[1:].replace("~1", "/")
            declared = {declared_method for declared_path, declared_method in routes.get(api, set())
                        if declared_path == route}
            assert declared and (method == "*" or method in declared), \
                f"{logical_id}: MethodSettings for {method} {route}, which the API does not declare"


def test_no_function_reaches_into_another_functions_folder(template: dict[str, Any]):
    """Handlers import only from the shared layer: no CodeUri points inside the layer's folder."""
    layer = Path(template["Resources"]["SharedLayer"]["Properties"]["ContentUri"])
    for logical_id, properties in functions_of(template).items():
        code = Path(properties["CodeUri"])
        assert layer not in (code, *code.parents), f"{logical_id} is built from the shared layer's folder"
