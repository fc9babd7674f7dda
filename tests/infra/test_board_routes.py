"""The board API's routes live twice, in the Chalice app and as Api events in template.yaml: they must agree, and
every one must sit behind the Cognito authorizer, on AWS (SAM) and in the local runner alike."""

from __future__ import annotations

from typing import Any

import pytest

from local.template import Resolver, function_specs

from .cfn import ROOT, functions_of
from .test_template import PARAMETERS, transformed  # noqa: F401 - the SAM-transformed template fixture

FUNCTION = "BoardApiFunction"
API = "BoardApi"
AUTHORIZER = "CognitoAuthorizer"


@pytest.fixture(scope="module")
def board_app() -> Any:
    from local.lambda_dispatch import load_handler

    return load_handler(ROOT / "functions" / "board_api", "app.app")


def _chalice_routes(board_app: Any) -> set[tuple[str, str]]:
    return {(method, path) for path, methods in board_app.routes.items() for method in methods}


def _api_events(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    events = functions_of(template)[FUNCTION]["Events"]
    return {name: event["Properties"] for name, event in events.items() if event["Type"] == "Api"}


def test_every_chalice_route_is_an_api_event_and_back(board_app: Any, template: dict[str, Any]):
    declared = {(event["Method"].upper(), event["Path"]) for event in _api_events(template).values()}
    assert declared == _chalice_routes(board_app)
    assert len(declared) == len(_api_events(template)), "a route is declared twice"


def test_the_function_runs_the_chalice_app(template: dict[str, Any]):
    properties = functions_of(template)[FUNCTION]
    assert (properties["CodeUri"], properties["Handler"]) == ("functions/board_api/", "app.app")
    requirements = (ROOT / "functions" / "board_api" / "requirements.txt").read_text()
    assert any(line.startswith("chalice==") for line in requirements.splitlines())


def test_every_route_needs_a_cognito_id_token(board_app: Any, template: dict[str, Any]):
    auth = template["Resources"][API]["Properties"]["Auth"]
    assert auth["DefaultAuthorizer"] == AUTHORIZER
    assert auth["Authorizers"][AUTHORIZER]["UserPoolArn"] == {"Fn::GetAtt": ["UserPool", "Arn"]}
    for name, event in _api_events(template).items():
        assert event["RestApiId"] == {"Ref": API}, name
        assert event.get("Auth", {}).get("Authorizer", AUTHORIZER) == AUTHORIZER, f"{name} opts out of Cognito"
    for path, methods in board_app.routes.items():
        for method, entry in methods.items():
            assert entry.authorizer is not None and entry.authorizer.name == AUTHORIZER, (method, path)


def test_sam_puts_the_authorizer_on_every_method_but_the_preflights(transformed: dict[str, Any]):
    swagger = transformed["Resources"][API]["Properties"]["Body"]
    methods = [(path, method, operation) for path, operations in swagger["paths"].items()
               for method, operation in operations.items()]
    assert methods
    for path, method, operation in methods:
        if method == "options":  # CORS preflight: browsers send no token
            assert not operation.get("security"), path
        else:
            assert operation["security"] == [{AUTHORIZER: []}], (method, path)
    assert swagger["securityDefinitions"][AUTHORIZER]["x-amazon-apigateway-authtype"] == "cognito_user_pools"


def test_the_local_runner_checks_the_token_on_board_routes_only(template: dict[str, Any]):
    specs = {spec.logical_id: spec for spec in function_specs(template, Resolver(template, PARAMETERS))}
    board_routes = specs.pop(FUNCTION).api_routes
    assert board_routes and all(route.cognito and route.authorizer == AUTHORIZER for route in board_routes)
    assert not [route for spec in specs.values() for route in spec.api_routes if route.cognito]


def test_user_pool_groups_are_the_crm_roles(template: dict[str, Any]):
    from crm.roles import ROLE_GROUPS

    groups = {resource["Properties"]["GroupName"] for resource in template["Resources"].values()
              if resource["Type"] == "AWS::Cognito::UserPoolGroup"}
    assert groups == set(ROLE_GROUPS.values()) == {"admins", "managers", "reps"}


def test_the_site_client_and_the_outputs(template: dict[str, Any]):
    resources = template["Resources"]
    client = [resource["Properties"] for resource in resources.values()
              if resource["Type"] == "AWS::Cognito::UserPoolClient"]
    assert len(client) == 1 and client[0]["UserPoolId"] == {"Ref": "UserPool"}
    assert client[0]["GenerateSecret"] is False, "a browser app cannot keep a client secret"
    assert resources["UserPool"]["DeletionPolicy"] == "Retain"
    outputs = template["Outputs"]
    assert {"BoardApiUrl", "UserPoolId", "UserPoolClientId"} <= set(outputs)
    assert "${BoardApi}" in outputs["BoardApiUrl"]["Value"]["Fn::Sub"]


def test_the_board_function_reaches_only_the_crm_tables_and_the_lead_workflow(template: dict[str, Any]):
    policies = functions_of(template)[FUNCTION]["Policies"]
    tables = {policy["DynamoDBCrudPolicy"]["TableName"]["Ref"] for policy in policies if "DynamoDBCrudPolicy" in policy}
    assert tables == {"CrmTable", "IdempotencyTable"}
    statements = [statement for policy in policies if "Statement" in policy for statement in policy["Statement"]]
    actions = {action for statement in statements for action in statement["Action"]}
    assert not [action for action in actions if "*" in action], actions
    for statement in statements:
        assert statement["Resource"] != "*" or set(statement["Action"]) <= {"sns:CheckIfPhoneNumberIsOptedOut"}
