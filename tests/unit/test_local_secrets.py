"""The local stack makes the template's generated secrets as Secrets Manager would, and keeps them across restarts:
the suppression list's hashes must still match after `make run` starts again on the same data."""

from __future__ import annotations

import stat
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from local.provision import create_secrets
from local.template import Resolver, load_template


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch):
    """moto's Secrets Manager, in-process."""
    credentials = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}
    for name, value in credentials.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield boto3.client("secretsmanager")


def started(kept_in: Path | None) -> str:
    """One start of the local stack's moto: the suppression key it holds."""
    template = load_template()
    client = boto3.client("secretsmanager")
    for secret in client.list_secrets()["SecretList"]:  # a new start is a new moto: nothing is left
        client.delete_secret(SecretId=secret["ARN"], ForceDeleteWithoutRecovery=True)
    names = create_secrets(template, Resolver(template), client, kept_in)
    return client.get_secret_value(SecretId=names["SuppressionKeySecret"])["SecretString"]


def test_a_generated_key_is_made_and_kept_across_starts_in_the_data_folder(aws, tmp_path: Path):
    # When the stack starts on a data folder, twice
    first, second = started(tmp_path), started(tmp_path)
    # Then the key is letters and digits of the template's length, the same both times, in a file only its owner reads
    assert len(first) == 64 and first.isalnum() and second == first
    [kept] = tmp_path.glob("*suppression-key.secret")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    # And in memory (no data folder) each start makes a new one
    assert started(None) != started(None)
