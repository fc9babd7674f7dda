import contextlib

import pytest
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

from crm.data import transactions


def cancelled(*codes):
    """A TransactWriteError as pynamodb raises it for a TransactionCanceledException with these reasons."""
    reasons = [CancellationReason(code=code) for code in codes]
    cause = VerboseClientError({"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}},
                               "TransactWriteItems", cancellation_reasons=reasons)
    return TransactWriteError("Failed to write transaction items", cause)


def test_a_conflict_with_a_concurrent_transaction_is_retried(monkeypatch):
    calls = []

    def build(_transaction):
        calls.append(1)
        if len(calls) < 3:
            raise cancelled("None", "TransactionConflict")

    monkeypatch.setattr(transactions.time, "sleep", lambda _seconds: None)
    monkeypatch.setattr(transactions, "TransactWrite", lambda connection: contextlib.nullcontext("transaction"))
    transactions.write_transaction(build)
    assert len(calls) == 3


def test_a_failed_condition_is_not_retried():
    calls = []

    def build(_transaction):
        calls.append(1)
        raise cancelled("ConditionalCheckFailed", "TransactionConflict")

    with pytest.raises(TransactWriteError) as raised:
        transactions.write_transaction(build)
    assert len(calls) == 1 and transactions.condition_failed(raised.value)


def test_conflicts_that_never_clear_give_up(monkeypatch):
    monkeypatch.setattr(transactions.time, "sleep", lambda _seconds: None)

    def build(_transaction):
        raise cancelled("TransactionConflict")

    with pytest.raises(TransactWriteError):
        transactions.write_transaction(build)
