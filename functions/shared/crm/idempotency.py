"""Powertools idempotency for ingress: a retried request returns the first answer and writes nothing more.

The stored answer may name the person (an email's address and subject, a note's text), so every timeline event
written while a request is answered names its idempotency record (`answering()`), and erasing the person (L9)
deletes those records with the rest (`forget()`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from functools import cache, wraps
from typing import Any

_answering: ContextVar[str | None] = ContextVar("idempotency_record", default=None)


def answering() -> str | None:
    """The id of the idempotency record that will keep the answer to the request being served, if any."""
    return _answering.get()


def idempotent(function: Callable[[dict], dict]) -> tuple[Callable[..., dict], Any]:
    """Wrap `function(request)`; `request["key"]` identifies the submission. Returns (wrapped, config).

    The config must get each invocation's Lambda context (`register_lambda_context`) so an in-progress
    record expires with the function's timeout.
    """
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    from crm.integrations.aws import client
    from crm.settings import get_settings

    settings = get_settings()
    # the process's DynamoDB client: a client of its own would load botocore's models again (~100 ms cold)
    persistence = DynamoDBPersistenceLayer(table_name=settings.idempotency_table_name, boto3_client=client("dynamodb"))
    config = IdempotencyConfig(event_key_jmespath="key", expires_after_seconds=settings.idempotency_window_seconds)

    @wraps(function)  # the same module and name: powertools keys the records by them
    def serving(request: dict, **arguments: Any) -> dict:
        # the id powertools keeps this request's record under (the persistence layer is configured by now)
        token = _answering.set(persistence._get_hashed_idempotency_key(request))
        try:
            return function(request=request, **arguments)
        finally:
            _answering.reset(token)

    wrapped = idempotent_function(data_keyword_argument="request", persistence_store=persistence,
                                  config=config)(serving)
    return wrapped, config


def forget(record_ids: Iterable[str]) -> None:
    """Delete these idempotency records (an erased person's answers); one already expired and gone is fine."""
    from crm.integrations.aws import client
    from crm.settings import get_settings

    table = get_settings().idempotency_table_name
    for record_id in sorted(set(record_ids)):
        client("dynamodb").delete_item(TableName=table, Key={"id": {"S": record_id}})


def once(user_id: str, scope: str, key: str | None, apply: Callable[[], dict], context: Any = None) -> dict:
    """`apply()` once per Idempotency-Key (per user and `scope`, e.g. the record and activity): a retried POST
    gets the first answer back and writes nothing more. Without a key it simply runs. The Lambda `context` lets
    an interrupted attempt's claim expire with the invocation; a retry while the first still runs is a 409."""
    if key is None:
        return apply()
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    from crm.errors import ConflictError
    from crm.reasons import Reason

    run, config = _once()
    if context is not None:
        config.register_lambda_context(context)
    try:
        return run(request={"key": f"{user_id}:{scope}:{key}"}, apply=apply)
    except IdempotencyAlreadyInProgressError:
        raise ConflictError(Reason("request_in_progress")) from None


@cache
def _once() -> tuple[Callable[..., dict], Any]:
    def run(request: dict, apply: Callable[[], dict]) -> dict:
        """`request` carries only the key; the work rides along."""
        return apply()

    return idempotent(run)
