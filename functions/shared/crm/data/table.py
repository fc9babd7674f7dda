"""The one CRM table: generic key and index attributes that every entity fills in its own way."""

from __future__ import annotations

import os
from typing import Any

from pynamodb.attributes import DiscriminatorAttribute, UnicodeAttribute
from pynamodb.connection import Connection, TableConnection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from crm.integrations.aws import client


class _Meta:
    table_name = os.environ.get("TABLE_NAME", "crm")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


class _ProcessClientConnection(Connection):
    """pynamodb's connection over the process's one DynamoDB client, made on first use (not at import)."""

    @property
    def client(self) -> Any:
        return client("dynamodb")


class OwnerIndex(GlobalSecondaryIndex["CrmItem"]):
    """GSI1: a person's records, sorted by date (a rep's leads by arrival, tasks by due time)."""

    class Meta(_Meta):
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class StateIndex(GlobalSecondaryIndex["CrmItem"]):
    """GSI2: sparse queues by state (leads whose lifecycle has not started yet, users by role)."""

    class Meta(_Meta):
        index_name = "GSI2"
        projection = AllProjection()

    GSI2PK = UnicodeAttribute(hash_key=True)
    GSI2SK = UnicodeAttribute(range_key=True)


class CrmItem(Model):
    """Base of every entity; `kind` lets one query return leads, events and tasks as their own classes."""

    class Meta(_Meta):
        pass

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)

    owner_index = OwnerIndex()
    state_index = StateIndex()

    @classmethod
    def _get_connection(cls) -> TableConnection:
        """Every entity lives in the one table, so one connection serves them all, over the process's DynamoDB
        client (`crm.integrations.aws.client`, with its retries and timeouts), which idempotency shares too.

        pynamodb would give each entity class its own botocore session and client, and each one costs a cold
        start the loading of botocore's models again (~100 ms).
        """
        if cls is not CrmItem:
            return CrmItem._get_connection()
        connection = super()._get_connection()
        if not isinstance(connection.connection, _ProcessClientConnection):
            shared = _ProcessClientConnection(region=cls.Meta.region)
            shared.add_meta_table(connection.get_meta_table())
            connection.connection = shared
        return connection
