"""Powertools logger and metrics, one of each per process; the tracer is made on first use.

Importing the X-Ray SDK costs about a third of a second, so the public lead intake, where a cold start is a visitor
waiting, does without it (Lambda's active tracing still records its invocations); other handlers make it on first use.
"""

from __future__ import annotations

import warnings
from functools import cache
from typing import TYPE_CHECKING

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

logger = Logger()
metrics = Metrics()
# Handlers flush metrics on every invocation; a request that had nothing to count (a preflight, a
# validation error) is normal, not something to warn about in every log.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)


def count(name: str, value: float = 1) -> None:
    """Counts a business event (one CloudWatch metric per name); the handler flushes the counts of its request."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


@cache
def tracer() -> Tracer:
    from aws_lambda_powertools import Tracer

    return Tracer()
