"""The board API's routes live twice, in the Chalice app and in BoardApi's DefinitionBody (OpenAPI) in template.yaml:
they must agree, route and scopes, and every one but the OpenAPI document must sit behind the Cognito authorizer with
OAuth scopes, on AWS (SAM) and in the local runner alike; the document is served to anyone (NONE in template.yaml).
The function has one Lambda permission for the whole API, so its resource policy stays far from Lambda's 20 KB limit
however many routes there are."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from crm.roles import INTEGRATION_SCOPES, PEOPLE_SCOPE
from local.template import Resolver, function_specs

from .cfn import ROOT, functions_of
from .test_template import PARAMETERS, transformed  # noqa: F401 - the SAM-transformed template fixture

FUNCTION = "BoardApiFunction"
API = "BoardApi"
AUTHORIZER = "CognitoAuthorizer"
INVOCATION = ("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
              "${BoardApiFunction.Arn}/invocations")
POLICY_LIMIT = 20 * 1024  # bytes: Lambda's limit for a function's resource-based policy
# the longest each ${...} of a permission can become: a partition, a region, an account, an API id
WORST_CASE = {"AWS::Partition": "aws-us-gov", "AWS::Region": "ap-southeast-3", "AWS::AccountId": "123456789012"}
API_ID = "a1b2c3d4e5"
PUBLIC = ("GET", "/api/openapi.json")  # the one route without a token: it holds no data
PEOPLE_ONLY_PREFIXES = ("/api/admin/", "/api/users", "/api/imports", "/api/mass-email", "/api/me", "/api/home",
                        "/api/notices", "/api/email-templates")


@pytest.fixture(scope="module")
def board_app() -> Any:
    from local.lambda_dispatch import load_handler

    return load_handler(ROOT / "functions" / "board_api", "app.app")


def _chalice_scopes(board_app: Any) -> dict[tuple[str, str], list[str]]:
    """The app's signed-in routes with their scopes."""
    return {(method, path): entry.authorizer.scopes
            for path, methods in board_app.routes.items() for method, entry in methods.items()
            if entry.authorizer is not None}


def test_the_openapi_document_is_the_one_route_without_a_token(board_app: Any, template: dict[str, Any]):
    public = {(method, path) for path, methods in board_app.routes.items() for method, entry in methods.items()
              if entry.authorizer is None}
    assert public == {PUBLIC}
    # And template.yaml says NONE, which SAM reads as "no DefaultAuthorizer here" (an empty security gets the default)
    # and the local runner as no authorizer
    assert _declared(template)[PUBLIC]["security"] == [{"NONE": []}]


def _declared(template: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every (METHOD, path) of BoardApi's DefinitionBody, with its operation."""
    paths = template["Resources"][API]["Properties"]["DefinitionBody"]["paths"]
    return {(method.upper(), path): operation for path, operations in paths.items()
            for method, operation in operations.items()}


def test_every_chalice_route_is_declared_in_the_definition_body_and_back(board_app: Any, template: dict[str, Any]):
    assert set(_declared(template)) == {*_chalice_scopes(board_app), PUBLIC}


def test_the_sites_origin_may_call_every_method_of_the_api(template: dict[str, Any]):
    # Given the methods BoardApi's CORS lets the site's origin call (the site is on another origin than the API)
    allowed = set(template["Resources"][API]["Properties"]["Cors"]["AllowMethods"].strip("'").split(","))
    # Then every method a route has is one of them (a PATCH left out would be refused by the browser's preflight)
    assert {method for method, _ in _declared(template)} | {"OPTIONS"} <= allowed


def test_the_function_has_no_api_events_and_runs_the_chalice_app(template: dict[str, Any]):
    properties = functions_of(template)[FUNCTION]
    assert not [name for name, event in properties.get("Events", {}).items() if event["Type"] == "Api"], \
        "an Api event is one more Lambda permission: declare the route in BoardApi's DefinitionBody"
    assert (properties["CodeUri"], properties["Handler"]) == ("functions/board_api/", "app.app")
    requirements = (ROOT / "functions" / "board_api" / "requirements.txt").read_text()
    assert any(line.startswith("chalice==") for line in requirements.splitlines())


def test_every_method_proxies_to_the_function_behind_cognito_with_its_routes_scopes(board_app: Any,
                                                                                    template: dict[str, Any]):
    auth = template["Resources"][API]["Properties"]["Auth"]
    assert auth["DefaultAuthorizer"] == AUTHORIZER
    assert auth["Authorizers"][AUTHORIZER]["UserPoolArn"] == {"Fn::GetAtt": ["UserPool", "Arn"]}
    scopes = _chalice_scopes(board_app)
    for route, operation in _declared(template).items():
        integration = operation["x-amazon-apigateway-integration"]
        assert (integration["type"], integration["httpMethod"]) == ("aws_proxy", "POST"), route
        assert integration["uri"] == {"Fn::Sub": INVOCATION}, route
        if route == PUBLIC:
            continue
        # Then API Gateway asks for what the app itself checks: people always, an integration by the route's scope
        assert operation["security"] == [{AUTHORIZER: scopes[route]}], route
        assert scopes[route][0] == PEOPLE_SCOPE and set(scopes[route][1:]) <= set(INTEGRATION_SCOPES), route


def test_settings_the_team_imports_mass_email_and_review_are_for_people_only(board_app: Any):
    for (method, path), scopes in _chalice_scopes(board_app).items():
        if path.startswith(PEOPLE_ONLY_PREFIXES) or path.endswith(("/owner", "/email", "/export")) \
                or (method == "PUT" and path.startswith("/api/pipelines/")):
            assert scopes == [PEOPLE_SCOPE], (method, path)
    # And every machine scope opens at least one route
    assert {scope for scopes in _chalice_scopes(board_app).values() for scope in scopes[1:]} == set(INTEGRATION_SCOPES)


def test_sam_keeps_the_authorizer_and_scopes_on_every_method_but_the_preflights_and_the_document(
        transformed: dict[str, Any], template: dict[str, Any]):
    swagger = transformed["Resources"][API]["Properties"]["Body"]
    declared = _declared(template)
    methods = [(path, method, operation) for path, operations in swagger["paths"].items()
               for method, operation in operations.items()]
    assert {(method.upper(), path) for path, method, _ in methods if method != "options"} == set(declared)
    for path, method, operation in methods:
        if method == "options":  # CORS preflight, which SAM adds to every path: browsers send no token
            assert not operation.get("security"), path
        elif (method.upper(), path) == PUBLIC:  # NONE stays, as SAM writes it for an Api event's Authorizer: NONE
            assert operation["security"] == [{"NONE": []}], path
        else:
            assert operation["security"] == declared[method.upper(), path]["security"], (method, path)
    assert swagger["securityDefinitions"][AUTHORIZER]["x-amazon-apigateway-authtype"] == "cognito_user_pools"


def _worst_case(text: str) -> str:
    return re.sub(r"\$\{([^}]+)\}", lambda match: WORST_CASE.get(match[1], API_ID), text)


def test_one_lambda_permission_lets_the_api_invoke_the_function(transformed: dict[str, Any]):
    resources = transformed["Resources"]
    # Given every Lambda permission SAM's output grants on the board function
    targets = {"Ref": FUNCTION}, {"Fn::GetAtt": [FUNCTION, "Arn"]}
    permissions = [resource["Properties"] for resource in resources.values()
                   if resource["Type"] == "AWS::Lambda::Permission"
                   and resource["Properties"]["FunctionName"] in targets]
    # Then there is one, for API Gateway, on every stage, method and path of the board API
    assert len(permissions) == 1, permissions
    [permission] = permissions
    assert (permission["Principal"], permission["Action"]) == ("apigateway.amazonaws.com", "lambda:InvokeFunction")
    assert permission["SourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${BoardApi}/*"}
    # And the function's resource policy, with every name at its longest, stays a small fraction of the limit
    statement = {"Sid": "s" * 100, "Effect": "Allow", "Principal": {"Service": permission["Principal"]},
                 "Action": permission["Action"],
                 "Resource": _worst_case("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:")
                 + "f" * 64,
                 "Condition": {"ArnLike": {"AWS:SourceArn": _worst_case(permission["SourceArn"]["Fn::Sub"])}}}
    policy = json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": [statement] * len(permissions)})
    assert len(policy) < POLICY_LIMIT / 20, len(policy)


def test_the_local_runner_checks_tokens_and_scopes_on_board_routes_only(template: dict[str, Any]):
    specs = {spec.logical_id: spec for spec in function_specs(template, Resolver(template, PARAMETERS))}
    board_routes = {(route.method, route.path): route for route in specs.pop(FUNCTION).api_routes}
    declared = _declared(template)
    assert set(board_routes) == set(declared)
    public = board_routes.pop(PUBLIC)
    assert (public.authorizer, public.cognito, public.scopes) == (None, False, ())
    for key, route in board_routes.items():
        assert (route.cognito, route.authorizer) == (True, AUTHORIZER), key
        assert list(route.scopes) == declared[key]["security"][0][AUTHORIZER], key
    assert not [route for spec in specs.values() for route in spec.api_routes if route.cognito]


def test_user_pool_groups_are_the_crm_roles(template: dict[str, Any]):
    from crm.roles import ROLE_GROUPS

    groups = {resource["Properties"]["GroupName"] for resource in template["Resources"].values()
              if resource["Type"] == "AWS::Cognito::UserPoolGroup"}
    assert groups == set(ROLE_GROUPS.values()) == {"admins", "managers", "reps"}


def _clients(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {logical_id: resource for logical_id, resource in template["Resources"].items()
            if resource["Type"] == "AWS::Cognito::UserPoolClient"}


def test_the_site_client_signs_people_in_with_the_people_scope(template: dict[str, Any]):
    site = _clients(template)["BoardUserPoolClient"]["Properties"]
    assert site["UserPoolId"] == {"Ref": "UserPool"}
    assert site["GenerateSecret"] is False, "a browser app cannot keep a client secret"
    assert site["AllowedOAuthFlows"] == ["code"] and PEOPLE_SCOPE in site["AllowedOAuthScopes"]
    assert not set(site["AllowedOAuthScopes"]) & set(INTEGRATION_SCOPES), "people are not integrations"
    outputs = template["Outputs"]
    assert {"BoardApiUrl", "UserPoolId", "UserPoolClientId", "IntegrationClientId", "OAuthTokenUrl"} <= set(outputs)
    assert "${BoardApi}" in outputs["BoardApiUrl"]["Value"]["Fn::Sub"]


def test_integrations_get_client_credentials_with_the_resource_servers_scopes(template: dict[str, Any]):
    resources = template["Resources"]
    [server] = [resource["Properties"] for resource in resources.values()
                if resource["Type"] == "AWS::Cognito::UserPoolResourceServer"]
    assert server["UserPoolId"] == {"Ref": "UserPool"}
    declared = tuple(f"{server['Identifier']}/{scope['ScopeName']}" for scope in server["Scopes"])
    assert declared == INTEGRATION_SCOPES
    machines = {logical_id: client for logical_id, client in _clients(template).items()
                if "client_credentials" in client["Properties"].get("AllowedOAuthFlows", [])}
    assert list(machines) == ["IntegrationClient"]
    client = machines["IntegrationClient"]
    assert client["DependsOn"] == "CrmResourceServer", "its scopes must exist before the client names them"
    properties = client["Properties"]
    assert properties["GenerateSecret"] is True
    assert properties["AllowedOAuthFlows"] == ["client_credentials"]
    assert tuple(properties["AllowedOAuthScopes"]) == INTEGRATION_SCOPES


def test_the_board_function_reaches_only_the_crm_tables_and_the_lead_workflow(template: dict[str, Any]):
    policies = functions_of(template)[FUNCTION]["Policies"]
    statements = [statement for policy in policies if "Statement" in policy for statement in policy["Statement"]]
    tables = {policy["DynamoDBCrudPolicy"]["TableName"]["Ref"] for policy in policies if "DynamoDBCrudPolicy" in policy}
    tables |= {statement["Resource"]["Fn::GetAtt"][0] for statement in statements
               if "dynamodb:GetItem" in statement["Action"] and "Fn::GetAtt" in statement["Resource"]}
    assert tables == {"CrmTable", "IdempotencyTable"}
    actions = {action for statement in statements for action in statement["Action"]}
    assert not [action for action in actions if "*" in action], actions
    for statement in statements:
        assert statement["Resource"] != "*" or set(statement["Action"]) <= {"sns:CheckIfPhoneNumberIsOptedOut"}
