"""Secrets Manager: a secret is read once per process (a cold start pays one call, a warm invocation none)."""

from __future__ import annotations

from functools import cache

from crm.integrations.aws import client


@cache
def secret_string(secret_id: str) -> str:
    return str(client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])
