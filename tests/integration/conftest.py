"""Handlers against DynamoDB Local, with moto in-process for Step Functions, SES and SNS."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID

from local.lambda_dispatch import LocalLambdaContext, call_handler
from local.template import REPO_ROOT, queue_url

SENDER = "crm@example.com"
ENVIRONMENT = {
    "TABLE_NAME": "crm",
    "IDEMPOTENCY_TABLE_NAME": "crm-idempotency",
    "SENDER_ADDRESS": SENDER,
    "SES_CONFIGURATION_SET": "crm-test",
    "DEFAULT_PHONE_REGION": "HU",
    "SLA_MINUTES": "20",
    "ALLOWED_ORIGINS": "https://www.example.com",
    "BOARD_URL": "https://crm.example.com",
    "POWERTOOLS_SERVICE_NAME": "crm",
    "POWERTOOLS_METRICS_NAMESPACE": "CRM",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "PUBLIC_LINKS_URL": "https://links.example.com/v1",
    "SENDER_POSTAL_ADDRESS": "Example Ltd, 1 Main Street, Springfield",
    "JOBS_QUEUE_URL": queue_url("JobsQueue"),
    "JOB_RESULTS_BUCKET": "job-results-bucket",
}
HOT_ANSWERS = {"budget": "Yes, 20,000 EUR approved", "authority": "Yes, I decide", "timing": "this quarter",
               "message": "Our spreadsheets no longer keep up with the leads", "company_size": "51-200",
               "role": "CEO", "referred_by": "Acme GmbH"}
"""Form answers that score a lead hot: an expected buyer on the personal route (SLA and escalation)."""
PASS_MACHINE = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


@dataclass
class Crm:
    """What a test needs to drive the handlers and look at their effects."""

    lifecycle_arn: str
    status_message_arn: str

    def invoke(self, function_dir: str, handler: str, event: Any) -> Any:
        return call_handler(REPO_ROOT / "functions" / function_dir, handler, event,
                            LocalLambdaContext(function_name=handler))

    def emails(self) -> list:
        from moto.ses.models import ses_backends

        return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages

    def sms(self) -> list[tuple[str, str]]:
        from moto.sns.models import sns_backends

        return list(sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages.values())

    def executions(self, machine_arn: str | None = None) -> list[dict]:
        return boto3.client("stepfunctions").list_executions(
            stateMachineArn=machine_arn or self.lifecycle_arn)["executions"]


def _reset_caches() -> None:
    from crm.data.people import calling_team, signed_in_user, team_names
    from crm.integrations.aws import client
    from crm.integrations.secrets import secret_string
    from crm.services.board import _pipeline
    from crm.services.qualification import forget_profile
    from crm.settings import get_settings

    get_settings.cache_clear()
    client.cache_clear()
    secret_string.cache_clear()
    forget_profile()
    _pipeline.forget()
    team_names.forget()
    signed_in_user.forget()
    calling_team.forget()


@pytest.fixture
def crm(dynamodb_local: str, clean_tables: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Crm]:
    for key, value in ENVIRONMENT.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
        boto3.client("sesv2").create_configuration_set(ConfigurationSetName="crm-test")
        arn = boto3.client("stepfunctions").create_state_machine(
            name="lead-lifecycle", definition=json.dumps(PASS_MACHINE),
            roleArn=f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/sfn")["stateMachineArn"]
        status_arn = boto3.client("stepfunctions").create_state_machine(
            name="status-message", definition=json.dumps(PASS_MACHINE),
            roleArn=f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/sfn")["stateMachineArn"]
        monkeypatch.setenv("LEAD_LIFECYCLE_ARN", arn)
        monkeypatch.setenv("STATUS_MESSAGE_ARN", status_arn)
        _create_queues_and_buckets()
        monkeypatch.setenv("SUPPRESSION_KEY_SECRET", _create_secrets()["SuppressionKeySecret"])
        _reset_caches()
        seed_team()
        yield Crm(lifecycle_arn=arn, status_message_arn=status_arn)
    _reset_caches()


def _create_queues_and_buckets() -> None:
    """The template's SQS queues and S3 buckets (the jobs queue, its dead-letter queue, the results bucket)."""
    from local.provision import create_buckets, create_queues
    from local.template import Resolver, bucket_names, load_template, queue_specs

    template = load_template()
    resolver = Resolver(template, {"SenderAddress": SENDER})
    create_queues(queue_specs(template, resolver), boto3.client("sqs"))
    create_buckets(bucket_names(template, resolver), boto3.client("s3"))


def _create_secrets() -> dict[str, str]:
    """The template's secrets (the suppression list's key), by logical id."""
    from local.provision import create_secrets
    from local.template import Resolver, load_template

    template = load_template()
    return create_secrets(template, Resolver(template, {"SenderAddress": SENDER}), boto3.client("secretsmanager"))


@pytest.fixture
def user_pool(crm: Crm, monkeypatch: pytest.MonkeyPatch) -> str:
    """The stack's user pool (moto) with its three role groups, as the board function's USER_POOL_ID."""
    from crm.settings import get_settings

    cognito = boto3.client("cognito-idp")
    pool_id = cognito.create_user_pool(PoolName="crm-users")["UserPool"]["Id"]
    for group in ("admins", "managers", "reps"):
        cognito.create_group(UserPoolId=pool_id, GroupName=group)
    monkeypatch.setenv("USER_POOL_ID", pool_id)
    get_settings.cache_clear()
    return pool_id


def seed_team() -> None:
    from crm.data.people import RoutingRuleItem, UserItem

    UserItem.build(user_id="mgr-maria", name="Maria Manager", email="maria@example.com", role="manager").save()
    UserItem.build(user_id="rep-anna", name="Anna Schmidt", email="anna@example.com", role="rep",
                   phone="+4930901820", language="de", timezone="Europe/Berlin").save()
    UserItem.build(user_id="rep-bela", name="Béla Kovács", email="bela@example.com", role="rep",
                   phone="+36301234567", language="hu", timezone="Europe/Budapest").save()
    UserItem.build(user_id="rep-chris", name="Chris Doe", email="chris@example.com", role="rep",
                   language="en").save()
    UserItem.build(user_id="rep-gone", name="Gone Rep", email="gone@example.com", role="rep", active=False).save()
    RoutingRuleItem.build("dach", 10, ["rep-anna"], {"countries": ["DE", "AT", "CH"]}).save()
    RoutingRuleItem.build("enterprise", 20, ["rep-gone", "rep-chris"], {"min_company_size": 201}).save()


def api_event(body: str, content_type: str = "application/json", method: str = "POST", path: str = "/leads",
              headers: dict[str, str] | None = None, path_parameters: dict[str, str] | None = None) -> dict:
    return {
        "httpMethod": method, "path": path, "resource": path, "body": body, "isBase64Encoded": False,
        "headers": {"Content-Type": content_type, **(headers or {})},
        "pathParameters": path_parameters,
        "requestContext": {"requestId": "test", "stage": "v1", "identity": {"sourceIp": "203.0.113.9"}},
    }


def finished_execution(stepfunctions: Any, execution_arn: str, timeout: float = 30.0) -> dict:
    """Describe the execution once it is no longer RUNNING."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        execution = stepfunctions.describe_execution(executionArn=execution_arn)
        if execution["status"] != "RUNNING":
            return execution
        time.sleep(0.05)
    raise AssertionError(f"{execution_arn} still RUNNING after {timeout} s")


def lead_id_of(payload: dict) -> str:
    """The id of the lead a public post of `payload` made or touched: POST /leads answers the same either way and
    names no lead, so a test finds it as the CRM does, by the person's email or phone."""
    from crm.data.leads import ContactPointItem, contact_point_owners
    from crm.models.leads import LeadSubmission
    from crm.settings import get_settings

    region = {"default_phone_region": get_settings().default_phone_region}
    person = LeadSubmission.model_validate({"name": "?", **payload}, context=region)  # normalised as intake does
    owners = contact_point_owners(person.email, person.phone)
    found = [owners.get(key) for key in (ContactPointItem.email_pk(person.email or ""),
                                         ContactPointItem.phone_pk(person.phone or ""))]
    return next(lead_id for lead_id in found if lead_id)
