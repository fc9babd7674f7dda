"""One boto3 client per service and process; endpoints come from the environment (AWS or the local stack).

The clients come from one session: each botocore session loads and parses the endpoint and service models
again, which is most of what a client costs a cold start. pynamodb and powertools' idempotency get the same
DynamoDB client (`crm.data.table`, `crm.idempotency`).
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

_creating = threading.Lock()  # a botocore session is not safe to create clients from in two threads at once


@cache
def _session() -> Any:
    import boto3

    return boto3.session.Session()


@cache
def client(service: str) -> Any:
    from botocore.config import Config

    # S3's presigned links in SigV4: the only signature newer regions accept
    signing = {"signature_version": "s3v4"} if service == "s3" else {}
    with _creating:
        return _session().client(service, config=Config(retries={"mode": "standard", "max_attempts": 3},
                                                        connect_timeout=3, read_timeout=10, **signing))
