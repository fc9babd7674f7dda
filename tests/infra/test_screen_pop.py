"""The screen-pop WebSocket API in template.yaml: routes, authorizer, integration, permissions and policies agree with
each other and with the code (functions/screen_pop, crm.data.connections, crm.integrations.push), and the permission
check reads a push as IAM does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import botocore.session
import pytest
import yaml
from moto import mock_aws

from crm.data.connections import ConnectionItem
from local.call_recorder import _Recorder, handler_key, iam_accesses, running
from local.template import REPO_ROOT, Resolver, TemplateLoader, load_template, websocket_apis
from tests.permissions.checker import check, load_records

API = "ScreenPopApi"
STAGE = "ScreenPopStage"
CALLBACK_URL = "https://a1b2c3.execute-api.us-east-1.amazonaws.com/v1"  # moto answers it


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def _of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {key: resource.get("Properties", {}) for key, resource in template["Resources"].items()
            if resource["Type"] == kind}


def _invoked_function(uri: dict[str, Any]) -> str:
    text = uri["Fn::Sub"]
    assert text.startswith("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${")
    return text.split("functions/${", 1)[1].split(".Arn}", 1)[0]


def test_the_api_is_a_websocket_api_with_the_three_routes_on_one_integration(template: dict[str, Any]):
    api = template["Resources"][API]["Properties"]
    assert api["ProtocolType"] == "WEBSOCKET"
    routes = {properties["RouteKey"]: properties for properties in _of(template, "AWS::ApiGatewayV2::Route").values()
              if properties["ApiId"] == {"Ref": API}}
    assert set(routes) == {"$connect", "$disconnect", "$default"}
    integrations = {properties["Target"]["Fn::Sub"] for properties in routes.values()}
    assert integrations == {"integrations/${ScreenPopIntegration}"}
    integration = template["Resources"]["ScreenPopIntegration"]["Properties"]
    assert integration["IntegrationType"] == "AWS_PROXY" and integration["ApiId"] == {"Ref": API}
    assert _invoked_function(integration["IntegrationUri"]) == "ScreenPopFunction"
    assert template["Resources"]["ScreenPopFunction"]["Properties"]["Handler"] == "app.handler"
    # $default answers the pings (a two-way route: its route response sends the handler's body back)
    assert routes["$default"]["RouteResponseSelectionExpression"] == "$default"
    [response] = [properties for properties in _of(template, "AWS::ApiGatewayV2::RouteResponse").values()
                  if properties["ApiId"] == {"Ref": API}]
    assert response == {"ApiId": {"Ref": API}, "RouteId": {"Ref": "ScreenPopDefaultRoute"},
                        "RouteResponseKey": "$default"}


def test_only_connect_is_authorized_by_the_token_in_the_query_string(template: dict[str, Any]):
    routes = {properties["RouteKey"]: properties for properties in _of(template, "AWS::ApiGatewayV2::Route").values()
              if properties["ApiId"] == {"Ref": API}}
    assert routes["$connect"]["AuthorizationType"] == "CUSTOM"
    assert routes["$connect"]["AuthorizerId"] == {"Ref": "ScreenPopAuthorizer"}
    assert routes["$disconnect"]["AuthorizationType"] == routes["$default"]["AuthorizationType"] == "NONE"
    authorizer = template["Resources"]["ScreenPopAuthorizer"]["Properties"]
    assert authorizer["AuthorizerType"] == "REQUEST" and authorizer["ApiId"] == {"Ref": API}
    assert authorizer["IdentitySource"] == ["route.request.querystring.token"]  # browsers cannot set headers
    assert _invoked_function(authorizer["AuthorizerUri"]) == "ScreenPopAuthorizerFunction"
    function = template["Resources"]["ScreenPopAuthorizerFunction"]["Properties"]
    assert function["Handler"] == "authorizer.handler"
    assert function["Environment"]["Variables"] == {"USER_POOL_ID": {"Ref": "UserPool"},
                                                    "USER_POOL_CLIENT_ID": {"Ref": "BoardUserPoolClient"}}
    role = template["Resources"][function["Role"]["Fn::GetAtt"][0]]["Properties"]
    assert "Policies" not in role  # it reads no AWS service: the JWKS is public


def test_api_gateway_may_invoke_both_functions_and_nothing_else_may(template: dict[str, Any]):
    permissions = {properties["FunctionName"]["Fn::GetAtt"][0]: properties
                   for properties in _of(template, "AWS::Lambda::Permission").values()
                   if "ScreenPop" in properties["FunctionName"]["Fn::GetAtt"][0]}
    prefix = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ScreenPopApi}"
    assert permissions["ScreenPopFunction"]["SourceArn"] == {"Fn::Sub": f"{prefix}/*"}
    assert permissions["ScreenPopAuthorizerFunction"]["SourceArn"] == {
        "Fn::Sub": f"{prefix}/authorizers/${{ScreenPopAuthorizer}}"}
    assert {properties["Principal"] for properties in permissions.values()} == {"apigateway.amazonaws.com"}


def test_the_routes_role_holds_exactly_what_the_connection_code_calls(template: dict[str, Any]):
    [policy] = template["Resources"]["ScreenPopFunction"]["Properties"]["Policies"]
    [statement] = policy["Statement"]
    # save_connection PutItem, refresh_connection UpdateItem, delete_connection DeleteItem; no reads, no index
    assert sorted(statement["Action"]) == ["dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    assert statement["Resource"] == {"Fn::GetAtt": ["CrmTable", "Arn"]}


def test_the_push_policy_names_the_stage_and_what_push_to_user_reads(template: dict[str, Any]):
    stage = template["Resources"][STAGE]
    assert stage["Properties"]["ApiId"] == {"Ref": API}
    statements = stage["Metadata"]["PushPolicy"]
    manage = statements[0]
    assert manage["Action"] == "execute-api:ManageConnections"
    stage_name = stage["Properties"]["StageName"]
    assert manage["Resource"]["Fn::Sub"].endswith(f":${{{API}}}/{stage_name}/POST/@connections/*")
    assert statements[1:] == [
        {"Effect": "Allow", "Action": "dynamodb:Query", "Resource": {"Fn::Sub": "${CrmTable.Arn}/index/GSI1"}},
        {"Effect": "Allow", "Action": "dynamodb:DeleteItem", "Resource": {"Fn::GetAtt": ["CrmTable", "Arn"]}}]
    assert ConnectionItem.owner_index.Meta.index_name == "GSI1"


def test_the_table_expires_connections_by_their_attribute(template: dict[str, Any]):
    ttl = template["Resources"]["CrmTable"]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expires_at", "Enabled": True}
    assert ConnectionItem.expires_at.attr_name == "expires_at"


def test_the_output_and_the_site_get_the_websocket_url(template: dict[str, Any]):
    url = "wss://${ScreenPopApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${ScreenPopStage}"
    assert template["Outputs"]["ScreenPopApiUrl"]["Value"] == {"Fn::Sub": url}
    assert template["Resources"]["SiteContent"]["Properties"]["WebSocketUrl"] == {"Fn::Sub": url}


def test_the_local_stack_reads_the_same_routes(template: dict[str, Any]):
    [api] = websocket_apis(template, Resolver(template))
    assert api.logical_id == API and api.stage == "v1"
    assert {key: (route.function_arn.rsplit(":", 1)[1], route.two_way) for key, route in api.routes.items()} == {
        "$connect": ("ScreenPopFunction", False), "$disconnect": ("ScreenPopFunction", False),
        "$default": ("ScreenPopFunction", True)}
    assert api.routes["$connect"].authorizer_function_arn.endswith(":function:ScreenPopAuthorizerFunction")
    assert api.routes["$connect"].identity_source == ("route.request.querystring.token",)


# ---------------------------------------------------------------- the permission check of a push

PUSHER = """
  PusherFunction:  # as the telephony function will: the push policy by its anchor, the callback URL
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/screen_pop/
      Handler: pusher.handler
      Environment:
        Variables:
          WEBSOCKET_CALLBACK_URL: !Sub "https://${ScreenPopApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${ScreenPopStage}"
      Policies:
        - Statement: *ScreenPopPushPolicy

"""


def _with_pusher(granted: bool) -> dict[str, Any]:
    text = (REPO_ROOT / "template.yaml").read_text(encoding="utf-8")
    pusher = PUSHER if granted else PUSHER.replace("      Policies:\n        - Statement: *ScreenPopPushPolicy\n", "")
    return yaml.load(text.replace("\nOutputs:\n", "\n" + pusher + "Outputs:\n", 1), Loader=TemplateLoader)


def _push_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, delete: bool = False) -> list[dict[str, Any]]:
    """What the recorder writes when a function posts to (and deletes) a connection through the management API."""
    monkeypatch.setenv("WEBSOCKET_CALLBACK_URL", CALLBACK_URL)
    session = botocore.session.get_session()
    recorder = _Recorder(tmp_path)
    session.register("before-call", recorder.before_call)
    session.register("before-parameter-build", recorder)
    with mock_aws(), running(REPO_ROOT / "functions" / "screen_pop", "pusher.handler"):
        client = session.create_client("apigatewaymanagementapi", endpoint_url=CALLBACK_URL, region_name="us-east-1",
                                       aws_access_key_id="x", aws_secret_access_key="y")
        client.post_to_connection(ConnectionId="abc=", Data=b"{}")
        if delete:
            client.delete_connection(ConnectionId="abc=")
    return load_records(tmp_path)


def test_the_recorder_reads_management_calls_as_manage_connections_on_the_connection():
    assert iam_accesses("execute-api", "PostToConnection", {"url": "http://127.0.0.1:8000/@connections/a%3Db"}) == [
        ("execute-api:ManageConnections", ("execute-api:connection", "http://127.0.0.1:8000", "POST", "a=b"))]
    assert iam_accesses("execute-api", "DeleteConnection", {"url": "https://x.execute-api.r.amazonaws.com/v1/"
                                                            "@connections/c"}) == [
        ("execute-api:ManageConnections", ("execute-api:connection", "https://x.execute-api.r.amazonaws.com/v1",
                                           "DELETE", "c"))]


def test_a_push_is_allowed_by_the_push_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    records = _push_recorded(tmp_path, monkeypatch)
    assert {record["function"] for record in records} == {handler_key(REPO_ROOT / "functions" / "screen_pop",
                                                                      "pusher.handler")}
    assert records[0]["aliases"] == {CALLBACK_URL: ["WEBSOCKET_CALLBACK_URL"]}

    report = check(records, _with_pusher(granted=True))

    assert not report.denied, "\n".join(map(str, report.denied))
    assert report.used["PusherFunction"] == [
        "execute-api:ManageConnections arn:aws:execute-api:us-east-1:123456789012:crm-local-screen-pop/v1/POST/"
        "@connections/abc="]


def test_a_push_without_the_policy_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    report = check(_push_recorded(tmp_path, monkeypatch), _with_pusher(granted=False))
    assert {call.action for call in report.denied} == {"execute-api:ManageConnections"}


def test_the_push_policy_allows_posting_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """push_to_user never closes a page's socket: DeleteConnection is refused."""
    report = check(_push_recorded(tmp_path, monkeypatch, delete=True), _with_pusher(granted=True))
    assert [call.resource.rsplit("/v1/", 1)[1] for call in report.denied] == ["DELETE/@connections/abc="]
