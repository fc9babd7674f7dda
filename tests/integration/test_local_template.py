"""The local stack reads template.yaml itself: loader and resolver checked against the real template."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local.template import (
    REPO_ROOT,
    Resolver,
    UnresolvableError,
    function_specs,
    load_template,
    ses_configuration_set_names,
    state_machine_specs,
)

LOCAL_PARAMETERS = {"SenderAddress": "crm@example.com"}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


@pytest.fixture(scope="module")
def resolver(template: dict[str, Any]) -> Resolver:
    return Resolver(template, LOCAL_PARAMETERS)


def _leftover_intrinsics(value: Any) -> list[Any]:
    if isinstance(value, dict):
        if any(key == "Ref" or key.startswith("Fn::") for key in value):
            return [value]
        return [found for item in value.values() for found in _leftover_intrinsics(item)]
    if isinstance(value, list):
        return [found for item in value for found in _leftover_intrinsics(item)]
    return []


def test_short_tags_and_anchors_load_as_long_form(template: dict[str, Any]) -> None:
    resources = template["Resources"]
    assert template["Globals"]["Function"]["Environment"]["Variables"]["TABLE_NAME"] == {"Ref": "CrmTable"}
    assert template["Conditions"]["HasThankYouUrl"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "ThankYouUrl"}, ""]}]}
    substitutions = resources["LeadLifecycleStateMachine"]["Properties"]["DefinitionSubstitutions"]
    assert substitutions["NotifyAssigneeFunctionArn"] == {"Fn::GetAtt": ["NotifyAssigneeFunction", "Arn"]}
    policy = resources["SendStatusMessageFunction"]["Properties"]["Policies"][1]["Statement"]  # *SendPolicy
    assert policy == resources["NotifyAssigneeFunction"]["Properties"]["Policies"][1]["Statement"]


def test_physical_names_are_derived_from_logical_ids(resolver: Resolver) -> None:
    assert resolver.resolve({"Ref": "CrmTable"}) == "crm"
    assert resolver.resolve({"Ref": "IdempotencyTable"}) == "crm-idempotency"
    assert resolver.resolve({"Ref": "NotifyAssigneeFunction"}) == "NotifyAssigneeFunction"
    assert resolver.resolve({"Ref": "EmailConfigurationSet"}) == "crm-local-crm"
    assert resolver.resolve({"Fn::GetAtt": ["StatusMessageStateMachine", "Name"]}) == "StatusMessageStateMachine"
    assert resolver.resolve({"Fn::GetAtt": ["LeadLifecycleStateMachine", "Name"]}) == "crm-local-lead-lifecycle"
    assert resolver.resolve({"Ref": "LeadLifecycleStateMachine"}) == (
        "arn:aws:states:us-east-1:123456789012:stateMachine:crm-local-lead-lifecycle")


def test_sub_if_and_conditions(template: dict[str, Any]) -> None:
    resolver = Resolver(template, {**LOCAL_PARAMETERS, "ThankYouUrl": "https://example.com/thanks"})
    assert resolver.resolve({"Fn::Sub": "${AWS::StackName}/${CrmTable}/${NotifyAssigneeFunction.Arn}/${!Literal}"}) == (
        "crm-local/crm/arn:aws:lambda:us-east-1:123456789012:function:NotifyAssigneeFunction/${Literal}")
    assert resolver.resolve({"Fn::Sub": ["${X}-${SlaMinutes}", {"X": {"Ref": "AWS::Region"}}]}) == "us-east-1-20"
    assert resolver.condition("HasThankYouUrl") is True
    assert Resolver(template, LOCAL_PARAMETERS).condition("HasThankYouUrl") is False
    assert resolver.resolve({"Fn::Join": ["-", {"Fn::Split": [",", "a,b"]}]}) == "a-b"
    assert resolver.resolve({"Fn::Select": [1, ["x", "y"]]}) == "y"


def test_missing_and_unknown_parameters_fail_loudly(template: dict[str, Any]) -> None:
    with pytest.raises(UnresolvableError, match="SenderAddress"):
        Resolver(template).resolve({"Ref": "SenderAddress"})
    with pytest.raises(UnresolvableError, match="Nope"):
        Resolver(template, {"Nope": "x"})


def test_every_function_has_a_handler_file_and_a_resolved_environment(
        template: dict[str, Any], resolver: Resolver) -> None:
    specs = function_specs(template, resolver)
    assert {spec.logical_id for spec in specs} == {
        key for key, res in template["Resources"].items() if res["Type"] == "AWS::Serverless::Function"}
    for spec in specs:
        module_path = spec.handler.rpartition(".")[0]
        assert spec.code_dir.is_dir(), spec
        handler_file = spec.code_dir / f"{module_path.replace('.', '/')}.py"
        assert handler_file.is_file(), f"{spec.logical_id}: {spec.handler} has no module in {spec.code_uri}"
        assert all(isinstance(value, str) for value in spec.environment.values()), spec.environment
        assert spec.environment["TABLE_NAME"] == "crm"
        assert spec.environment["SENDER_ADDRESS"] == "crm@example.com"
        assert spec.environment["SES_CONFIGURATION_SET"] == ses_configuration_set_names(template, resolver)[0]
    by_id = {spec.logical_id: spec for spec in specs}
    intake = by_id["LeadIntakeFunction"]
    assert intake.environment["LEAD_LIFECYCLE_ARN"].endswith(":stateMachine:crm-local-lead-lifecycle")
    # the nurture step names the machine that runs it by its Name (a !Ref would be circular): the same ARN
    assert by_id["NurtureStepFunction"].environment["LEAD_LIFECYCLE_ARN"] == intake.environment["LEAD_LIFECYCLE_ARN"]
    assert {("POST", "/leads"), ("OPTIONS", "/leads")} <= {(route.method, route.path) for route in intake.api_routes}
    assert "rate(5 minutes)" in [schedule.expression for schedule in by_id["LifecycleReconcilerFunction"].schedules]


def test_state_machine_definitions_resolve_to_function_arns(template: dict[str, Any], resolver: Resolver) -> None:
    function_arns = {spec.arn for spec in function_specs(template, resolver)}
    for spec in state_machine_specs(template, resolver):
        definition = spec.definition()
        assert "${" not in definition
        resources = {state["Resource"] for state in json.loads(definition)["States"].values() if "Resource" in state}
        assert resources, spec.logical_id
        assert resources <= function_arns, resources - function_arns
        assert (REPO_ROOT / spec.definition_uri).is_file()


def _api_template(operation: dict[str, Any], default_scopes: list[str] | None = None) -> dict[str, Any]:
    """A function and an Api whose DefinitionBody has one path, GET /things, with `operation` on it."""
    authorizer = {"UserPoolArn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/pool",
                  **({"AuthorizationScopes": default_scopes} if default_scopes else {})}
    proxy = {"type": "aws_proxy", "httpMethod": "POST", "uri": {"Fn::Sub": (
        "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Things.Arn}/invocations")}}
    return {"Resources": {
        "Things": {"Type": "AWS::Serverless::Function", "Properties": {"CodeUri": "functions/x/", "Handler": "a.b"}},
        "ThingsApi": {"Type": "AWS::Serverless::Api", "Properties": {
            "Auth": {"DefaultAuthorizer": "Pool", "Authorizers": {"Pool": authorizer}},
            "DefinitionBody": {"swagger": "2.0", "paths": {"/things": {
                "parameters": [], "x-amazon-apigateway-any-method": {"x-amazon-apigateway-integration": proxy,
                                                                     **operation}}}}}}}}


def test_definition_body_methods_are_the_routes_of_the_function_they_proxy_to() -> None:
    # Given a method with its own security, and one with none (the DefaultAuthorizer's scopes, as SAM adds them)
    for operation, defaults, scopes in (({"security": [{"Pool": ["openid", "crm/x"]}]}, None, ("openid", "crm/x")),
                                        ({}, ["openid"], ("openid",))):
        template = _api_template(operation, defaults)
        [spec] = function_specs(template, Resolver(template))
        # Then the function it proxies to gets the route, with the authorizer and the scopes API Gateway checks
        assert [(route.method, route.path, route.authorizer, route.cognito, route.scopes)
                for route in spec.api_routes] == [("ANY", "/things", "Pool", True, scopes)]


def test_definition_body_methods_the_runner_could_not_play_fail_loudly() -> None:
    # A Cognito method without scopes takes ID tokens on AWS, which the local runner does not issue
    template = _api_template({})
    with pytest.raises(UnresolvableError, match="without OAuth scopes"):
        function_specs(template, Resolver(template))
    # A method that is not a Lambda proxy has no function to run
    template = _api_template({"security": [{"Pool": ["openid"]}]})
    operation = template["Resources"]["ThingsApi"]["Properties"]["DefinitionBody"]["paths"]["/things"]
    operation["x-amazon-apigateway-any-method"]["x-amazon-apigateway-integration"]["type"] = "mock"
    with pytest.raises(UnresolvableError, match="not a Lambda proxy"):
        function_specs(template, Resolver(template))
