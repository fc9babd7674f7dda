"""The jobs queue (SQS) and the private bucket of job results (S3), named by template.yaml's environment."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from crm.integrations.aws import client
from crm.settings import get_settings

_BATCH = 10  # SendMessageBatch takes at most 10 messages


class QueueError(RuntimeError):
    """SQS refused some of the messages."""


def enqueue(bodies: Sequence[dict[str, Any]]) -> None:
    """Puts each body on the jobs queue as JSON, ten a request."""
    queue_url = get_settings().jobs_queue_url
    for start in range(0, len(bodies), _BATCH):
        entries = [{"Id": str(index), "MessageBody": json.dumps(body, separators=(",", ":"))}
                   for index, body in enumerate(bodies[start:start + _BATCH])]
        failed = client("sqs").send_message_batch(QueueUrl=queue_url, Entries=entries).get("Failed") or []
        if failed:
            raise QueueError(f"SQS refused {len(failed)} job messages: {failed[0].get('Message')}")


def start_upload(key: str, content_type: str, content_disposition: str) -> str:
    """A multipart upload of a result file; its upload id."""
    return client("s3").create_multipart_upload(Bucket=get_settings().job_results_bucket, Key=key,
                                                ContentType=content_type,
                                                ContentDisposition=content_disposition)["UploadId"]


def upload_part(key: str, upload_id: str, number: int, data: bytes) -> dict[str, Any]:
    """One part (at least 5 MiB unless it is the last); what completing the upload needs of it."""
    response = client("s3").upload_part(Bucket=get_settings().job_results_bucket, Key=key, UploadId=upload_id,
                                        PartNumber=number, Body=data)
    return {"PartNumber": number, "ETag": response["ETag"]}


def complete_upload(key: str, upload_id: str, parts: list[dict[str, Any]]) -> None:
    """Makes the file of the parts; a repeat after a completion (its upload is gone, the file is there) is done."""
    from botocore.exceptions import ClientError

    s3, bucket = client("s3"), get_settings().job_results_bucket
    try:
        s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "NoSuchUpload":
            raise
        s3.head_object(Bucket=bucket, Key=key)  # the file is there, or this raises


def download_url(key: str, seconds: int) -> str:
    """A presigned GET of a result file, valid `seconds`: the browser fetches the file from S3 itself."""
    return client("s3").generate_presigned_url("get_object", ExpiresIn=seconds,
                                               Params={"Bucket": get_settings().job_results_bucket, "Key": key})
