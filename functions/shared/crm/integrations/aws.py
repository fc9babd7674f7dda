"""One boto3 client per service and process; endpoints come from the environment (AWS or the local stack)."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        service, config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10)
    )
