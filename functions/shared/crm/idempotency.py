"""Powertools idempotency for ingress: a retried request returns the first answer and writes nothing more."""

from __future__ import annotations

from collections.abc import Callable
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
