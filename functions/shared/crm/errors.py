"""Why the CRM refuses or cannot do something, in its own words: the few kinds of refusal every service raises.

No HTTP status lives here. Each ingress maps these to its answers in one place (the board API in
board_api/chalicelib/routing.py, the public lead intake in lead_intake/app.py and unsubscribe.py), so a refusal
means the same whichever API carried the request. The bodies (`answer`) are the API's shapes: a message, the
field errors with a reason's code and params (crm/reasons.py), a conflict's code and what the caller should see.
"""

from __future__ import annotations

from typing import Any

from crm.reasons import explained, field_error, field_error_body


class CrmError(Exception):
    """A refusal the caller should hear about; `answer` is what they are told."""

    @property
    def answer(self) -> dict[str, Any]:
        return {"message": str(self)}


class NotFoundError(CrmError, LookupError):
    """No such record, or one the caller may not know exists (to a rep, another rep's is the same as none)."""


class ForbiddenError(CrmError, PermissionError):
    """The user exists, but their role may not do this."""


class ConflictError(CrmError):
    """The record changed meanwhile or already went further; `body` is what the caller should see instead (e.g. the
    fresh card)."""

    def __init__(self, message: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message, self.body = message, body or {}

    @property
    def answer(self) -> dict[str, Any]:
        return {**explained(self.message), **self.body}


class InvalidError(CrmError, ValueError):
    """The input breaks a rule: the field it is about and why (a crm.reasons.Reason carries a code and params)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason

    @property
    def answer(self) -> dict[str, Any]:
        return field_error_body([field_error(self.field, self.reason)])


class TooLargeError(InvalidError):
    """Invalid because there is too much of it (a file's size or rows): the caller must split it, not fix it."""


class UnavailableError(CrmError):
    """Storage or another part of the CRM could not do it right now; nothing was changed, and a retry may succeed."""


def is_outage(error: BaseException) -> bool:
    """Whether `error` says storage or an AWS service could not answer (each ingress answers it 503, Retry-After):
    the CRM's own UnavailableError, botocore's and pynamodb's errors, and powertools' idempotency store failing
    (it wraps DynamoDB's error in its own). Client mistakes never get this far: ids and text are checked first."""
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyPersistenceLayerError
    from botocore.exceptions import BotoCoreError, ClientError
    from pynamodb.exceptions import PynamoDBException

    return isinstance(error, UnavailableError | BotoCoreError | ClientError | PynamoDBException
                      | IdempotencyPersistenceLayerError)
