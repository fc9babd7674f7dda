"""Shared fixtures: one in-memory DynamoDB Local per test session with the template's tables."""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest

from local.template import Resolver, load_template

# records each handler's AWS calls and checks them against its role at the end (tests/permissions)
pytest_plugins = ["tests.permissions.plugin"]

_LOCAL_AWS_ENV = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                  "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}

# On Lambda these are set before any import; powertools reads them when crm.observability is first imported,
# which in a test session may happen in any test.
for _name, _value in {"POWERTOOLS_SERVICE_NAME": "crm", "POWERTOOLS_METRICS_NAMESPACE": "CRM"}.items():
    os.environ.setdefault(_name, _value)


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[str]:
    """Endpoint of a fresh DynamoDB Local holding every table of template.yaml (empty)."""
    from local.dynamodb_local import DynamoDBLocal
    from local.provision import create_tables

    for key, value in _LOCAL_AWS_ENV.items():
        os.environ.setdefault(key, value)
    template = load_template()
    with DynamoDBLocal() as database:
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = database.endpoint
        create_tables(template, Resolver(template), boto3.client("dynamodb", endpoint_url=database.endpoint))
        yield database.endpoint


def _delete_all_items(endpoint: str) -> None:
    client = boto3.client("dynamodb", endpoint_url=endpoint)
    for name in client.list_tables()["TableNames"]:
        keys = [key["AttributeName"] for key in client.describe_table(TableName=name)["Table"]["KeySchema"]]
        names = {f"#k{index}": key for index, key in enumerate(keys)}
        pages = client.get_paginator("scan").paginate(
            TableName=name, ProjectionExpression=", ".join(names), ExpressionAttributeNames=names)
        for page in pages:
            for item in page["Items"]:
                client.delete_item(TableName=name, Key=item)


@pytest.fixture
def clean_tables(dynamodb_local: str) -> Iterator[None]:
    """Empties every table before and after the test, so tests never see each other's items."""
    _delete_all_items(dynamodb_local)
    yield
    _delete_all_items(dynamodb_local)
