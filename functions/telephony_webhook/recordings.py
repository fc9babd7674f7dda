"""The recordings worker (RecordingsWorkerFunction): the recordings queue's messages -> crm.services.recordings.

Each message names one provider recording to copy into the recordings bucket. One that raises (the provider's link
not ready, a timeout, S3 refusing) is reported as a batch item failure (ReportBatchItemFailures): SQS gives it again
after the queue's visibility timeout and, after its maxReceiveCount, moves it to the dead-letter queue, whose alarm
tells the operators. The others in the batch are kept.
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
    from crm.services.recordings import store_recording

    def work(record: SQSRecord) -> None:
        message = json.loads(record.body)
        try:
            store_recording(message)
        except Exception:
            logger.exception("recording not stored: SQS gives it again", extra={
                "call_id": message.get("call_id"), "receive_count": record.attributes.approximate_receive_count})
            raise

    try:
        return process_partial_response(event=event, record_handler=work, processor=processor, context=context)
    finally:
        metrics.flush_metrics()
