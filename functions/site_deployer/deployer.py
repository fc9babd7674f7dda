"""The site's CloudFormation custom resource (Custom::SiteContent): publishes static_site/ to the private site bucket
behind CloudFront, with the config.json the pages read (the board API's URL, the lead API's and the Cognito ids), on
Create and Update; empties the bucket on Delete so the stack can be deleted.

The lead form (form.html) posts to the local stack's `/leads`; CloudFront serves the site for GET and HEAD only, so
a page's form that posts there is published posting to the lead API's URL instead (it needs no JavaScript).

The site's files come in a layer (SiteFilesLayer, mounted at SITE_ROOT): a new layer version on every change of the
files is what makes CloudFormation update this resource. It answers CloudFormation itself, with a PUT of the result to
the pre-signed ResponseURL (what cfnresponse does), because a custom resource that never answers holds the stack for
an hour. Standard library and boto3 only: it runs outside the CRM's layer and environment.
"""

from __future__ import annotations

import html
import json
import logging
import mimetypes
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)

CONFIG_KEY = "config.json"
# the types a browser must get right: a module script served as anything else is refused
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".js": "text/javascript; charset=utf-8", ".json": "application/json; charset=utf-8",
                 ".svg": "image/svg+xml", ".txt": "text/plain; charset=utf-8", ".ico": "image/x-icon",
                 ".png": "image/png", ".webmanifest": "application/manifest+json"}
# pages, scripts and styles keep their names across versions: browsers revalidate them; config.json never cached
REVALIDATE = "public, max-age=0, must-revalidate"
NO_STORE = "no-store"
_DELETE_BATCH = 1000  # DeleteObjects takes at most this many keys
LOCAL_LEAD_FORM_ACTION = b'action="/leads"'


def handler(event: dict[str, Any], context: Any) -> None:
    """Does what CloudFormation asks and always answers it, SUCCESS or FAILED with the reason."""
    properties = event["ResourceProperties"]
    physical_id = event.get("PhysicalResourceId") or f"site-{properties['BucketName']}"
    try:
        if event["RequestType"] == "Delete":
            empty_bucket(properties["BucketName"])
            data: dict[str, str] = {}
        else:
            physical_id = f"site-{properties['BucketName']}"
            data = publish(properties, site_root(), invalidation_reference=event["RequestId"])
        respond(event, context, "SUCCESS", physical_id, data)
    except Exception as error:
        logger.exception("site %s failed", event["RequestType"])
        respond(event, context, "FAILED", physical_id, reason=f"{type(error).__name__}: {error}")


def site_root() -> Path:
    return Path(os.environ.get("SITE_ROOT", "/opt"))


def site_config(properties: dict[str, Any]) -> dict[str, str]:
    """What the pages read from /config.json (static_site/js/api.js loadConfig, login.js)."""
    return {"apiBase": properties["ApiBase"], "auth": "cognito", "region": properties["Region"],
            "userPoolId": properties["UserPoolId"], "userPoolClientId": properties["UserPoolClientId"],
            "cognitoDomain": properties["CognitoDomain"], "redirectUri": properties["RedirectUri"],
            "leadsUrl": properties["LeadsUrl"], "webSocketUrl": properties["WebSocketUrl"]}


def published_body(path: Path, leads_url: str) -> bytes:
    """A file as the site serves it: a page's lead form posts to the lead API (`leads_url`), not to the site."""
    body = path.read_bytes()
    if path.suffix.lower() == ".html":
        body = body.replace(LOCAL_LEAD_FORM_ACTION, f'action="{html.escape(leads_url, quote=True)}"'.encode())
    return body


def content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def site_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(key, file) for every file of the site; a config.json among them is left out (this stack writes its own)."""
    for path in sorted(root.rglob("*")):
        key = path.relative_to(root).as_posix()
        if path.is_file() and key != CONFIG_KEY:
            yield key, path


def publish(properties: dict[str, Any], root: Path, invalidation_reference: str) -> dict[str, str]:
    """Uploads the site and its config, removes files the site no longer has, and invalidates CloudFront's copies."""
    bucket = properties["BucketName"]
    s3 = boto3.client("s3")
    published = {CONFIG_KEY}
    for key, path in site_files(root):
        s3.put_object(Bucket=bucket, Key=key, Body=published_body(path, properties["LeadsUrl"]),
                      ContentType=content_type(path), CacheControl=REVALIDATE)
        published.add(key)
    s3.put_object(Bucket=bucket, Key=CONFIG_KEY, Body=json.dumps(site_config(properties), indent=2).encode(),
                  ContentType=CONTENT_TYPES[".json"], CacheControl=NO_STORE)
    removed = _delete(s3, bucket, [key for key in _keys(s3, bucket) if key not in published])
    # the new config.json, and pages and scripts CloudFront may still hold; one "/*" path covers them all
    boto3.client("cloudfront").create_invalidation(
        DistributionId=properties["DistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": invalidation_reference})
    logger.info("published %d files to %s, removed %d", len(published), bucket, removed)
    return {"Files": str(len(published))}


def empty_bucket(bucket: str) -> None:
    """Deletes every object, so CloudFormation can delete the bucket; a bucket already gone is fine."""
    s3 = boto3.client("s3")
    try:
        removed = _delete(s3, bucket, list(_keys(s3, bucket)))
    except s3.exceptions.NoSuchBucket:
        return
    logger.info("emptied %s (%d files)", bucket, removed)


def _keys(s3: Any, bucket: str) -> Iterator[str]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        yield from (item["Key"] for item in page.get("Contents", []))


def _delete(s3: Any, bucket: str, keys: list[str]) -> int:
    for start in range(0, len(keys), _DELETE_BATCH):
        batch = keys[start:start + _DELETE_BATCH]
        answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True})
        if answer.get("Errors"):
            raise RuntimeError(f"could not delete {answer['Errors'][0]['Key']}: {answer['Errors'][0]['Message']}")
    return len(keys)


def respond(event: dict[str, Any], context: Any, status: str, physical_id: str, data: dict[str, str] | None = None,
            reason: str | None = None) -> None:
    """PUTs the result to CloudFormation's pre-signed ResponseURL (with no Content-Type: the URL is signed so)."""
    body = json.dumps({
        "Status": status,
        "Reason": reason or f"See CloudWatch Logs: {getattr(context, 'log_stream_name', '')}",
        "PhysicalResourceId": physical_id,
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "NoEcho": False,
        "Data": data or {},
    }).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT",
                                     headers={"Content-Type": "", "Content-Length": str(len(body))})
    with urllib.request.urlopen(request, timeout=30) as answer:
        logger.info("answered CloudFormation %s: HTTP %s", status, answer.status)
