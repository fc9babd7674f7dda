"""Deal robots and in-app notices (D5): the stalled-deals list and the signed-in user's notices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.routing import Routes, query

if TYPE_CHECKING:
    from crm.data.people import UserItem

routes = Routes(__name__)


@routes("/api/stalled/{pipeline_id}", machine="crm/records.read", query=("owner",))
def stalled_deals(viewer: UserItem, pipeline_id: str) -> dict[str, Any]:
    """Deals stuck longer than their stage allows, most overdue first; a rep sees their own, a manager may filter."""
    from crm.services import robots

    return robots.stalled_deals(pipeline_id, viewer, owner=query("owner"))


@routes("/api/notices")
def list_notices(viewer: UserItem) -> dict[str, Any]:
    """The signed-in user's latest 20 notices, newest first, and how many of all are unread."""
    from crm.services import notices

    return notices.list_notices(viewer)


@routes("/api/notices/{notice_id}/read", "POST")
def read_notice(viewer: UserItem, notice_id: str) -> dict[str, Any]:
    """Marks one of the signed-in user's notices read; answers it and the new unread count."""
    from crm.clock import utcnow
    from crm.services import notices

    return notices.read_notice(notice_id, viewer, utcnow())
