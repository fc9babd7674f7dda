"""Call recordings (T3): fetched off the webhook, kept in the private recordings bucket, played through short-lived
presigned links, and erased with the lead (L9).

The webhook only puts a message on the recordings queue (queue_recording): a provider wants its answer at once, and
a download may take seconds. The worker (functions/telephony_webhook/recordings.py) calls store_recording, which
raises on any failure so SQS gives the message again and, after the queue's maxReceiveCount, moves it to the
dead-letter queue and its alarm: no recording is lost silently. A redelivered message for a stored recording does
nothing. The audio is streamed to a temporary file (at most MAX_BYTES) and put in S3 under the call's key.
"""

from __future__ import annotations

import json
import tempfile
from base64 import b64encode
from datetime import timedelta
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crm.clock import to_iso, utcnow
from crm.data.calls import CallItem, get_call, get_calls
from crm.errors import NotFoundError
from crm.integrations.aws import client
from crm.observability import count, logger
from crm.settings import get_settings

if TYPE_CHECKING:
    from crm.data.people import UserItem
    from crm.telephony.events import CallEvent

MAX_BYTES = 100 * 1024 * 1024  # an hour of WAV is ~600 MB, of MP3 ~60 MB: anything bigger is not a call we keep
DOWNLOAD_TIMEOUT_SECONDS = 20  # per socket operation; the worker's Timeout bounds the whole download
LINK_SECONDS = 300  # a player's link is for now: the page asks again on the next Play
_CHUNK = 1024 * 1024
_MEMORY_BYTES = 8 * 1024 * 1024  # smaller recordings never touch the disk
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})  # the local runner serves its audio over plain HTTP
_EXTENSIONS = {"audio/mpeg": ".mp3", "audio/mp3": ".mp3", "audio/wav": ".wav", "audio/x-wav": ".wav",
               "audio/wave": ".wav", "audio/ogg": ".ogg", "audio/webm": ".webm", "audio/mp4": ".m4a"}
_ATTEMPTS = 5  # a call event written while the link is written: read the call again


class RecordingDownloadError(RuntimeError):
    """The provider's recording could not be fetched (yet): the message is retried, then dead-lettered."""


class RecordingNotFoundError(NotFoundError):
    """404: no such call, no stored recording, or a call on none of the viewer's records (all look the same)."""


def queue_recording(call: CallItem, event: CallEvent) -> None:
    """The webhook's part: the worker fetches the audio now (Telnyx links expire 10 minutes after the call)."""
    message = {"call_id": call.call_id, "provider": event.provider, "recording_id": event.recording_id,
               "url": event.recording_url}
    client("sqs").send_message(QueueUrl=get_settings().recordings_queue_url,
                               MessageBody=json.dumps(message, separators=(",", ":")))
    count("RecordingQueued")


def recording_key(call_id: str, recording_id: str | None, content_type: str) -> str:
    """The audio's key: one folder per call, one object per provider recording, the extension its content type's."""
    extension = _EXTENSIONS.get(content_type.split(";", 1)[0].strip().lower(), "")
    return f"calls/{call_id}/{recording_id or 'recording'}{extension}"


# --- the worker --------------------------------------------------------------------------------------------------

def store_recording(message: dict[str, Any]) -> str | None:
    """Fetch the recording a message names, keep it and link it to its call; the key, or None when nothing was to
    be done (stored before, replaced by a newer recording, or its lead erased). Raises so SQS retries."""
    call_id, recording_id, url = message["call_id"], message.get("recording_id"), message["url"]
    call = get_call(call_id)
    if call is None:
        raise LookupError(f"no call {call_id}: its recording cannot be linked")  # dead-lettered, with its alarm
    if call.recording_id != recording_id:
        logger.info("a newer recording replaced this one", extra={"call_id": call_id})
        return None
    if call.recording_status == "stored" and call.recording_key:
        count("RecordingRedelivered")
        return None
    if _lead_erased(call):
        count("RecordingOfErasedLead")
        return None
    bucket = get_settings().recordings_bucket
    with tempfile.SpooledTemporaryFile(max_size=_MEMORY_BYTES) as audio:
        content_type, size = _download(url, _auth_header(message.get("provider", ""), url), audio)
        audio.seek(0)
        key = recording_key(call_id, recording_id, content_type)
        client("s3").put_object(Bucket=bucket, Key=key, Body=audio, ContentLength=size, ContentType=content_type)
    if not _link(call_id, recording_id, key):
        client("s3").delete_object(Bucket=bucket, Key=key)  # replaced meanwhile: keep no audio nothing points at
        return None
    if _lead_erased(call):  # erased while the audio was on its way: erasure found no key to delete then
        _unlink(call_id, bucket, key)
        count("RecordingOfErasedLead")
        return None
    count("RecordingStored")
    logger.info("recording stored", extra={"call_id": call_id, "bytes": size})
    return key


def _lead_erased(call: CallItem) -> bool:
    """A recording that arrives after its lead was erased is not kept (L9)."""
    from crm.data.leads import get_lead

    return any(kind == "lead" and (lead := get_lead(record_id)) is not None and bool(lead.erased_at)
               for kind, record_id in call.record_keys)


def _auth_header(provider: str, url: str) -> dict[str, str]:
    """Twilio's recording URLs need the account's basic auth, sent only to Twilio (or the local simulator);
    Telnyx's are presigned, and a PBX's are its own."""
    if provider != "twilio":
        return {}
    host = urlsplit(url).hostname or ""
    if not (host == "twilio.com" or host.endswith(".twilio.com") or host in _LOOPBACK):
        return {}
    from crm.telephony.secrets import telephony_secret

    secret = telephony_secret()
    if not secret.twilio_account_sid or not secret.twilio_auth_token:
        return {}
    token = b64encode(f"{secret.twilio_account_sid}:{secret.twilio_auth_token}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _download(url: str, headers: dict[str, str], into: IO[bytes]) -> tuple[str, int]:
    """Streams the audio into `into`; its content type and size. HTTPS only, but for the local runner's loopback."""
    from urllib.error import URLError
    from urllib.request import Request, urlopen

    parts = urlsplit(url)
    if not (parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)):
        raise RecordingDownloadError(f"refusing to fetch a recording from {parts.scheme}://{parts.hostname}")
    try:
        with urlopen(Request(url, headers=headers), timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
            content_type = response.headers.get_content_type() or "application/octet-stream"
            size = 0
            while chunk := response.read(_CHUNK):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise RecordingDownloadError(f"the recording is larger than {MAX_BYTES} bytes")
                into.write(chunk)
    except (URLError, TimeoutError, OSError) as error:
        count("RecordingDownloadFailed")
        raise RecordingDownloadError(f"could not fetch the recording: {error}") from error
    if size == 0:
        raise RecordingDownloadError("the provider answered an empty recording")
    return content_type, size


def _link(call_id: str, recording_id: str | None, key: str) -> bool:
    """The key on the call, unless a newer recording replaced this one meanwhile. The call's revision moves too, so
    a call event taken in from an older read is written again rather than over the link."""
    return _update_call(call_id, lambda call: call.recording_id == recording_id,
                        lambda: [CallItem.recording_key.set(key), CallItem.recording_status.set("stored")])


def _update_call(call_id: str, applies: Any, actions: Any) -> bool:
    from pynamodb.exceptions import UpdateError

    for _attempt in range(_ATTEMPTS):
        call = get_call(call_id)
        if call is None or not applies(call):
            return False
        revision = int(call.revision)
        try:
            call.update(actions=[*actions(), CallItem.revision.set(revision + 1)],
                        condition=CallItem.revision == revision)
            return True
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
    raise RuntimeError(f"call {call_id} kept changing while its recording was linked")


# --- playing and erasing ------------------------------------------------------------------------------------------

def recording_url(call_id: str, viewer: UserItem) -> dict[str, str]:
    """A presigned GET of the call's recording for LINK_SECONDS, for someone who may see one of the call's records
    (a rep: their own); anyone else gets the same 404 as for an unknown call."""
    from crm.services.records import RecordNotFoundError, visible_record

    missing = RecordingNotFoundError(f"no recording of call {call_id!r}")
    call = get_call(call_id)
    if call is None or call.recording_status != "stored" or not call.recording_key:
        raise missing
    for kind, record_id in call.record_keys:
        try:
            visible_record(kind, record_id, viewer)
            break
        except RecordNotFoundError:
            continue
    else:
        raise missing
    expires = utcnow() + timedelta(seconds=LINK_SECONDS)
    url = client("s3").generate_presigned_url("get_object", ExpiresIn=LINK_SECONDS, Params={
        "Bucket": get_settings().recordings_bucket, "Key": call.recording_key})
    return {"url": url, "expires_at": to_iso(expires)}


def _unlink(call_id: str, bucket: str, key: str) -> None:
    """The audio gone from the bucket, and from the call."""
    client("s3").delete_object(Bucket=bucket, Key=key)
    _update_call(call_id, lambda found: bool(found.recording_key),
                 lambda: [CallItem.recording_key.remove(), CallItem.recording_status.set("erased")])


def erase_recordings(lead_id: str) -> int:
    """Deletes the audio of every call on the lead's timeline and unlinks it (L9); safe to repeat. The number of
    recordings deleted."""
    from crm.data.leads import TimelineEventItem, lead_pk

    call_ids = [str(event.data["call_id"]) for event in TimelineEventItem.query(
        lead_pk(lead_id), TimelineEventItem.SK.startswith("EVENT#"), consistent_read=True,
        filter_condition=TimelineEventItem.event_type == "call") if (event.data or {}).get("call_id")]
    erased = 0
    bucket = get_settings().recordings_bucket
    for call in get_calls(call_ids).values():
        if call.recording_key:
            _unlink(call.call_id, bucket, call.recording_key)
            erased += 1
    if erased:
        count("RecordingErased", erased)
    return erased
