"""Shared by the benchmarks: DynamoDB capacity units of every call made while recording, and a progress log."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

DYNAMODB_OPERATIONS = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "BatchGetItem", "BatchWriteItem",
                       "TransactWriteItems", "TransactGetItems"}
READ_OPERATIONS = {"GetItem", "Query", "BatchGetItem", "TransactGetItems"}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class CapacityMeter:
    """Read and write units DynamoDB reports (ReturnConsumedCapacity=TOTAL), and the calls, while `recording`."""

    def __init__(self) -> None:
        self.read_units = 0.0
        self.write_units = 0.0
        self.calls: Counter[str] = Counter()
        self.recording = False

    def add(self, operation: str, response: dict[str, Any]) -> None:
        self.calls[operation] += 1
        consumed = response.get("ConsumedCapacity")
        for entry in consumed if isinstance(consumed, list) else [consumed] if consumed else []:
            read, write = entry.get("ReadCapacityUnits"), entry.get("WriteCapacityUnits")
            if read is None and write is None:  # only a total: reads or writes by the operation
                total = float(entry.get("CapacityUnits", 0))
                read, write = (total, 0.0) if operation in READ_OPERATIONS else (0.0, total)
            self.read_units += float(read or 0)
            self.write_units += float(write or 0)

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]


@contextmanager
def metered_dynamodb(meter: CapacityMeter) -> Iterator[None]:
    """Every botocore DynamoDB call made while the meter records asks for, and reports, its consumed capacity."""
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def make_api_call(self: BaseClient, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        counted = meter.recording and self.meta.service_model.service_name == "dynamodb" \
            and operation in DYNAMODB_OPERATIONS
        if counted:
            params = {**params, "ReturnConsumedCapacity": "TOTAL"}
        response = original(self, operation, params)
        if counted:
            meter.add(operation, response)
        return response

    BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]
