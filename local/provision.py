"""Create the template's DynamoDB tables in DynamoDB Local (keeping any that already exist), and its SQS queues and
S3 buckets in moto."""

from __future__ import annotations

from typing import Any

from local.template import QueueSpec, Resolver, table_resources

_CREATE_TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes",
                      "BillingMode", "ProvisionedThroughput", "StreamSpecification")


def create_tables(template: dict[str, Any], resolver: Resolver, client: Any) -> list[str]:
    """Creates every AWS::DynamoDB::Table missing from `client`'s endpoint; returns the ones it created.

    Existing tables are left alone, so a restart on a persisted data folder keeps every item.
    """
    existing = set(client.get_paginator("list_tables").paginate().build_full_result().get("TableNames", []))
    created = []
    for logical_id, resource in table_resources(template).items():
        name = resolver.physical_name(logical_id)
        if name in existing:
            continue
        properties = resolver.resolve(resource.get("Properties", {}))
        request = {key: properties[key] for key in _CREATE_TABLE_KEYS if key in properties}
        client.create_table(TableName=name, **request)
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
        ttl = properties.get("TimeToLiveSpecification")
        if ttl:
            client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        created.append(name)
    return created


def create_queues(specs: list[QueueSpec], client: Any) -> None:
    """Creates the template's SQS queues (dead-letter queues first, so a RedrivePolicy finds its target)."""
    for spec in specs:
        client.create_queue(QueueName=spec.name, Attributes=spec.attributes)


def create_buckets(names: list[str], client: Any) -> None:
    for name in names:
        client.create_bucket(Bucket=name)
