"""Phone calls (T3): a call's recording, played on the record page through a short-lived link
(crm/services/recordings.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.routing import Routes

if TYPE_CHECKING:
    from crm.data.people import UserItem

routes = Routes(__name__)


@routes("/api/calls/{call_id}/recording")
def call_recording(viewer: UserItem, call_id: str) -> dict[str, Any]:
    """A five-minute link to the call's recording ({"url", "expires_at"}); ask again for a fresh one.
    People only, and only those who may see one of the call's records (a rep: their own); anyone else, like a call
    without a stored recording, gets 404."""
    from crm.services.recordings import recording_url

    return recording_url(call_id, viewer)
