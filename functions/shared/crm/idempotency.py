"""Powertools idempotency for ingress: a retried request returns the first answer and writes nothing more."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any


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

    from crm.settings import get_settings

    settings = get_settings()
    persistence = DynamoDBPersistenceLayer(table_name=settings.idempotency_table_name)
    config = IdempotencyConfig(event_key_jmespath="key", expires_after_seconds=settings.idempotency_window_seconds)
    wrapped = idempotent_function(data_keyword_argument="request", persistence_store=persistence,
                                  config=config)(function)
    return wrapped, config


def once(user_id: str, scope: str, key: str | None, apply: Callable[[], dict], context: Any = None) -> dict:
    """`apply()` once per Idempotency-Key (per user and `scope`, e.g. the record and activity): a retried POST
    gets the first answer back and writes nothing more. Without a key it simply runs. The Lambda `context` lets
    an interrupted attempt's claim expire with the invocation; a retry while the first still runs is a 409."""
    if key is None:
        return apply()
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    from crm.http import ConflictError
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
