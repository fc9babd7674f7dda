"""Create the template's DynamoDB tables in DynamoDB Local (keeping any that already exist), and its SQS queues, S3
buckets and generated secrets in moto."""

from __future__ import annotations

import json
import secrets
import string
from pathlib import Path
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


def create_secrets(template: dict[str, Any], resolver: Resolver, client: Any,
                   kept_in: Path | None = None) -> dict[str, str]:
    """Creates the template's Secrets Manager secrets; a value the template has Secrets Manager generate
    (GenerateSecretString) is made as CloudFormation would (`generated_secret_string`).

    With `kept_in` (the persisted data folder) a value is kept in a file there and read back on the next start: the
    suppression list's hashes, made with its key, must still match after a restart. Returns their names by logical id.
    """
    names = {}
    for logical_id, resource in template.get("Resources", {}).items():
        if resource["Type"] != "AWS::SecretsManager::Secret":
            continue
        properties = resolver.resolve(resource.get("Properties", {}))
        name = names[logical_id] = resolver.physical_name(logical_id)
        if "SecretString" in properties:
            client.create_secret(Name=name, SecretString=properties["SecretString"])
            continue
        kept = kept_in / f"{name}.secret" if kept_in is not None else None
        if kept is not None and kept.exists():
            value = kept.read_text(encoding="utf-8")
        else:
            value = generated_secret_string(properties.get("GenerateSecretString", {}))
            if kept is not None:
                kept.parent.mkdir(parents=True, exist_ok=True)
                kept.touch(mode=0o600)
                kept.write_text(value, encoding="utf-8")
        client.create_secret(Name=name, SecretString=value)
    return names


def generated_secret_string(spec: dict[str, Any]) -> str:
    """What Secrets Manager makes of a GenerateSecretString: letters and digits, PasswordLength long; with a
    SecretStringTemplate (a JSON object) and a GenerateStringKey, that template with the generated value at the key."""
    length = int(spec.get("PasswordLength", 32))
    password = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(length))
    if "SecretStringTemplate" not in spec:
        return password
    document = json.loads(spec["SecretStringTemplate"])
    if not isinstance(document, dict) or not spec.get("GenerateStringKey"):
        raise ValueError("SecretStringTemplate must be a JSON object, with a GenerateStringKey to put the value at")
    return json.dumps({**document, spec["GenerateStringKey"]: password})
