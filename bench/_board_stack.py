"""Shared by the board API benchmarks: DynamoDB Local with the template's tables, the environment the board
function reads, and a team of reps and one manager."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

MANAGER = "manager-bench"
ENVIRONMENT = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_REGION": "us-east-1",
               "AWS_DEFAULT_REGION": "us-east-1", "TABLE_NAME": "crm", "IDEMPOTENCY_TABLE_NAME": "crm-idem",
               "SENDER_ADDRESS": "crm@example.com", "POWERTOOLS_SERVICE_NAME": "crm",
               "POWERTOOLS_METRICS_NAMESPACE": "CRM", "POWERTOOLS_TRACE_DISABLED": "true",
               "POWERTOOLS_LOG_LEVEL": "WARNING"}


@contextmanager
def board_stack(reps: Sequence[str]) -> Iterator[Any]:
    """A fresh DynamoDB Local holding the template's tables and the team (`reps` and MANAGER); yields its client."""
    import boto3

    from local.dynamodb_local import DynamoDBLocal
    from local.provision import create_tables
    from local.template import Resolver, load_template

    os.environ.update(ENVIRONMENT)
    template = load_template()
    with DynamoDBLocal() as database:
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = database.endpoint
        client = boto3.client("dynamodb", endpoint_url=database.endpoint)
        create_tables(template, Resolver(template), client)
        from crm.data.people import UserItem

        for rep in reps:
            UserItem.build(user_id=rep, name=rep.title(), email=f"{rep}@example.com", role="rep").save()
        UserItem.build(user_id=MANAGER, name="Manager", email="m@example.com", role="manager").save()
        yield client
