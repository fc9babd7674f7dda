"""The jobs worker (JobsWorkerFunction): the jobs queue's messages -> crm.services.jobs_worker.

Each message is a mass email chunk or a stretch of an export. One that raises is reported as a batch item failure
(ReportBatchItemFailures): SQS gives it again after the queue's visibility timeout, and after its maxReceiveCount
moves it to the dead-letter queue.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from crm.observability import logger, metrics

# a batch whose every message failed is answered like any other (each one a failure), not with an exception
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from crm.services.jobs_worker import process

    def work(record: SQSRecord) -> None:
        process(json.loads(record.body), int(record.attributes.approximate_receive_count),
                context.get_remaining_time_in_millis)

    try:
        return process_partial_response(event=event, record_handler=work, processor=processor, context=context)
    finally:
        metrics.flush_metrics()
