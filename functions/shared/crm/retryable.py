"""Which failures of a workflow step are worth retrying, told to Step Functions by one error name.

Step Functions matches a Task's Retry on the Lambda's error type, i.e. the exception's class name. A DynamoDB, SES
or SNS outage surfaces as many botocore and pynamodb exceptions; every workflow task handler is wrapped in
`retried_when_transient`, which raises them again as `TransientError`, the one name the state machines retry
with a backoff sized for an outage of minutes. Anything else (a bug, a lead that is gone) keeps its own name and
goes straight to the failure report.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

from crm.errors import UnavailableError

# error codes of AWS services that mean "not now" rather than "never": throttling, overload, a server fault
TRANSIENT_CODES = frozenset({
    "InternalFailure", "InternalServerError", "InternalError", "ServiceUnavailable", "ServiceUnavailableException",
    "ThrottlingException", "Throttling", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded",
    "ProvisionedThroughputExceededException", "LimitExceededException", "RequestTimeout", "RequestTimeoutException",
    "TransactionInProgressException", "SlowDown", "PriorRequestNotComplete",
})
# why DynamoDB cancels a transaction when trying again later may succeed (a condition that failed never will)
TRANSIENT_CANCELLATIONS = frozenset({"ThrottlingError", "TransactionConflict", "ProvisionedThroughputExceeded"})

P = ParamSpec("P")
R = TypeVar("R")


class TransientError(RuntimeError):
    """A dependency failed in a way that may pass: the state machine retries the step (ErrorEquals TransientError)."""


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what caused it (pynamodb keeps botocore's error in `cause`) and what it was raised from."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        cause = getattr(current, "cause", None)
        todo.extend([cause if isinstance(cause, BaseException) else None, current.__cause__])


def _transient_itself(error: BaseException) -> bool:
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    if isinstance(error, TransientError | UnavailableError | ConnectionError | HTTPClientError | TimeoutError):
        return True
    if isinstance(error, ClientError):
        response: dict[str, Any] = error.response or {}
        code = str(response.get("Error", {}).get("Code", ""))
        status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        if code in TRANSIENT_CODES or status >= 500 or status == 429:
            return True
        if code == "TransactionCanceledException":
            reasons = [reason.get("Code") for reason in response.get("CancellationReasons", [])]
            return any(reason in TRANSIENT_CANCELLATIONS for reason in reasons) and \
                all(reason in TRANSIENT_CANCELLATIONS or reason in (None, "None") for reason in reasons)
    return False


def is_transient(error: BaseException) -> bool:
    """True for throttling, timeouts, lost connections and unavailable services, however deeply wrapped."""
    return any(_transient_itself(link) for link in _chain(error))


def retried_when_transient(handler: Callable[P, R]) -> Callable[P, R]:
    """A workflow task handler whose transient failures reach Step Functions as `TransientError`."""

    @functools.wraps(handler)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return handler(*args, **kwargs)
        except TransientError:
            raise
        except Exception as error:
            if is_transient(error):
                raise TransientError(f"{type(error).__name__}: {error}"[:1000]) from error
            raise

    return wrapper
