"""A person's in-app notices (D5): the newest ones with the unread count, and marking one read.

A notice belongs to one user: another user's notice id is simply not found under your own partition.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from crm.clock import to_iso
from crm.data.notices import NoticeItem, get_notice, latest_notices, mark_read, unread_count
from crm.data.people import UserItem
from crm.errors import NotFoundError

NOTICE_ID = re.compile(r"^[0-9A-Za-z_-]{1,160}$")
LATEST = 20


class NoticeNotFoundError(NotFoundError):
    """404: no such notice among the signed-in user's own."""


def list_notices(viewer: UserItem) -> dict[str, Any]:
    """The viewer's latest notices, newest first, and how many of all their notices are unread."""
    notices = latest_notices(viewer.user_id, LATEST)
    return {"notices": [notice_view(notice) for notice in notices], "unread": unread_count(viewer.user_id)}


def read_notice(notice_id: str, viewer: UserItem, now: datetime) -> dict[str, Any]:
    notice = get_notice(viewer.user_id, notice_id) if NOTICE_ID.match(notice_id) else None
    if notice is None:
        raise NoticeNotFoundError(f"no notice {notice_id!r}")
    mark_read(notice, to_iso(now))
    return {"notice": notice_view(notice), "unread": unread_count(viewer.user_id)}


def notice_view(notice: NoticeItem) -> dict[str, Any]:
    return {"notice_id": notice.notice_id, "type": notice.notice_type, "at": notice.at, "unread": notice.unread,
            "data": notice.data}
