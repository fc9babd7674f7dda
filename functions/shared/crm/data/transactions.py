"""One way to write a transaction: retried when DynamoDB cancels it only for a concurrent transaction."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from crm.data.table import CrmItem

_ATTEMPTS = 4


def _only_conflicts(error: TransactWriteError) -> bool:
    """Cancelled because another transaction touched an item at that moment: safe to run again."""
    reasons = [reason for reason in (error.cancellation_reasons or []) if reason is not None]
    return bool(reasons) and all(reason.code in {"TransactionConflict", "None"} for reason in reasons) \
        and any(reason.code == "TransactionConflict" for reason in reasons)


def condition_failed(error: TransactWriteError) -> bool:
    return any(reason is not None and reason.code == "ConditionalCheckFailed"
               for reason in error.cancellation_reasons or [])


def write_transaction(build: Callable[[TransactWrite], None]) -> None:
    """Run `build(transaction)` and commit; a conflict with a concurrent transaction is retried."""
    for attempt in range(_ATTEMPTS):
        try:
            # the entities' own connection: a new one would build another botocore client (~200 ms)
            with TransactWrite(connection=CrmItem._get_connection().connection) as transaction:
                build(transaction)
            return
        except TransactWriteError as error:
            if attempt == _ATTEMPTS - 1 or not _only_conflicts(error):
                raise
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
