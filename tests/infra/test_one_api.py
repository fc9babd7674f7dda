"""One authenticated API for people (issue 11): the Cognito board API. The lead API keeps only the public intake,
and no caller names the acting user in a header (the IAM-authorized routes with `X-Crm-User` are retired)."""

from __future__ import annotations

from typing import Any

from .cfn import ROOT, functions_of

PUBLIC_LEAD_ROUTES = {("POST", "/leads"), ("OPTIONS", "/leads"), ("GET", "/thank-you")}


def _api_events(template: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(logical_id, event["Properties"]) for logical_id, properties in functions_of(template).items()
            for event in properties.get("Events", {}).values() if event["Type"] == "Api"]


def test_the_lead_api_serves_only_the_public_intake(template: dict[str, Any]):
    routes = {(event["Method"].upper(), event["Path"]) for _, event in _api_events(template)
              if event.get("RestApiId") == {"Ref": "LeadApi"}}
    assert routes == PUBLIC_LEAD_ROUTES


def test_no_route_is_iam_authorized(template: dict[str, Any]):
    """An IAM-authorized route trusts whoever may invoke the API to say which user they act as."""
    iam = [(logical_id, event["Path"]) for logical_id, event in _api_events(template)
           if event.get("Auth", {}).get("Authorizer") == "AWS_IAM"]
    assert iam == []
    apis = {logical_id: resource["Properties"] for logical_id, resource in template["Resources"].items()
            if resource["Type"] == "AWS::Serverless::Api"}
    assert [logical_id for logical_id, properties in apis.items()
            if properties.get("Auth", {}).get("DefaultAuthorizer") == "AWS_IAM"] == []


def test_no_code_takes_the_acting_user_from_a_header():
    sources = [*ROOT.joinpath("functions").rglob("*.py"), *ROOT.joinpath("local").rglob("*.py")]
    assert [path.relative_to(ROOT) for path in sources
            if "x-crm-user" in path.read_text(encoding="utf-8").lower()] == []
