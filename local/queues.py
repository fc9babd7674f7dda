"""The template's SQS event sources, played in this process: what Lambda's pollers do for a function's SQS events.

For each SQS event of a function (local.template.QueueEventSpec), `maximum_concurrency` threads (at most MAX_POLLERS)
long-poll the queue
(moto) for up to `batch_size` messages, invoke the handler with the event Lambda builds, and delete what it
processed: the whole batch, or with ReportBatchItemFailures all but the messages its batchItemFailures name. A handler
that raises leaves the whole batch. What is left comes back after the queue's visibility timeout with a higher
ApproximateReceiveCount, and after the RedrivePolicy's maxReceiveCount moto's receive moves it to the dead-letter
queue, as SQS does. moto's own SQS event source mappings would run the function inside SendMessage, holding the
sender (a board API request) until the job is done: hence this poller.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from local.template import REGION, FunctionSpec, QueueEventSpec, queue_arn, queue_url

Invoker = Callable[[FunctionSpec, Any], Any]

_log = logging.getLogger(__name__)
_WAIT_SECONDS = 1  # a long poll short enough that stop() returns quickly
MAX_POLLERS = 5  # per event source: one without a ScalingConfig may scale to 1,000 on AWS, not 1,000 threads here


def sqs_event(queue: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The event Lambda gives a function for a batch of SQS messages."""
    return {"Records": [{
        "messageId": message["MessageId"], "receiptHandle": message["ReceiptHandle"], "body": message["Body"],
        "attributes": message.get("Attributes", {}), "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody"), "eventSource": "aws:sqs", "eventSourceARN": queue_arn(queue),
        "awsRegion": REGION} for message in messages]}


class QueuePoller:
    """Polls every SQS event source of `functions` through `client` (boto3 SQS) and invokes the handlers."""

    def __init__(self, functions: list[FunctionSpec], invoke: Invoker, client: Any) -> None:
        self.mappings = [(function, event) for function in functions for event in function.queue_events]
        self._invoke = invoke
        self._client = client
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> QueuePoller:
        for function, event in self.mappings:
            for number in range(min(event.maximum_concurrency, MAX_POLLERS)):
                thread = threading.Thread(target=self._run, args=(function, event), daemon=True,
                                          name=f"sqs-{function.logical_id}-{event.name}-{number}")
                thread.start()
                self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopped.set()
        for thread in self._threads:
            thread.join(timeout=_WAIT_SECONDS + 5)

    def drain(self, rounds: int = 1000) -> None:
        """Polls every event source in turn until none receives anything (tests run queued work this way)."""
        for _ in range(rounds):
            if not any([self.poll_once(function, event, 0) for function, event in self.mappings]):
                return
        raise RuntimeError(f"the queues were not empty after {rounds} rounds")

    def _run(self, function: FunctionSpec, event: QueueEventSpec) -> None:
        while not self._stopped.is_set():
            try:
                self.poll_once(function, event, _WAIT_SECONDS)
            except Exception:
                _log.exception("polling %s for %s failed", event.queue, function.logical_id)
                self._stopped.wait(_WAIT_SECONDS)

    def poll_once(self, function: FunctionSpec, event: QueueEventSpec, wait_seconds: int) -> int:
        """One receive and, if it got messages, one invocation; how many messages it received."""
        url = queue_url(event.queue)
        messages = self._client.receive_message(
            QueueUrl=url, MaxNumberOfMessages=min(event.batch_size, 10), WaitTimeSeconds=wait_seconds,
            MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
        if not messages:
            return 0
        began = time.monotonic()
        try:
            result = self._invoke(function, sqs_event(event.queue, messages))
        except Exception:
            _log.exception("%s failed on %d messages of %s: they come back after the visibility timeout",
                           function.logical_id, len(messages), event.queue)
            return len(messages)
        failed = {item["itemIdentifier"] for item in (result or {}).get("batchItemFailures", [])} \
            if event.report_failures else set()
        done = [message for message in messages if message["MessageId"] not in failed]
        if done:
            self._client.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(index), "ReceiptHandle": message["ReceiptHandle"]} for index, message in enumerate(done)])
        _log.debug("%s handled %d messages of %s in %.0f ms (%d failed)", function.logical_id, len(messages),
                   event.queue, (time.monotonic() - began) * 1000, len(failed))
        return len(messages)
