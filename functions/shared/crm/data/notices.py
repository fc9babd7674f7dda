"""In-app notices for CRM users (D5): what the robots tell a person, read in the topbar.

A user's notices sit under their own partition, PK `USER#<id>`, SK `NOTICE#<notice id>`, and a notice id starts
with its time (`20300301T060000Z-...`), so "newest first" is one Query. Unread notices also sit in GSI1 under
`OWNER#<id>#UNREAD_NOTICES`, so the unread count is one Query of the few unread ones; reading one takes it out.
The CRM table has no TTL attribute, so notices stay until the person's data is erased.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, UnicodeAttribute

from crm.data.table import CrmItem

NOTICE_PREFIX = "NOTICE#"


def unread_pk(user_id: str) -> str:
    return f"OWNER#{user_id}#UNREAD_NOTICES"


def notice_id(at: str, name: str) -> str:
    """`at` (ISO) compacted to sort first, then a name unique for the moment: 20300301T060000Z-stalled-<deal>."""
    return f"{at.replace('-', '').replace(':', '')}-{name}"


class NoticeItem(CrmItem, discriminator="Notice"):
    """One notice; `notice_type` says what it is about and how the site words it, `data` fills the words in."""

    notice_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    notice_type = UnicodeAttribute()
    at = UnicodeAttribute()
    data = JSONAttribute(default=dict)
    unread = BooleanAttribute(default=True)
    read_at = UnicodeAttribute(null=True)

    @classmethod
    def key(cls, user_id: str, notice_id: str) -> tuple[str, str]:
        return f"USER#{user_id}", f"{NOTICE_PREFIX}{notice_id}"

    @classmethod
    def build(cls, *, user_id: str, name: str, notice_type: str, at: str, data: dict) -> NoticeItem:
        identifier = notice_id(at, name)
        return cls(*cls.key(user_id, identifier), notice_id=identifier, user_id=user_id, notice_type=notice_type,
                   at=at, data=data, GSI1PK=unread_pk(user_id), GSI1SK=at)


def latest_notices(user_id: str, limit: int) -> list[NoticeItem]:
    return list(NoticeItem.query(f"USER#{user_id}", NoticeItem.SK.startswith(NOTICE_PREFIX),
                                 scan_index_forward=False, limit=limit))


def unread_count(user_id: str) -> int:
    return NoticeItem.owner_index.count(unread_pk(user_id))


def get_notice(user_id: str, identifier: str) -> NoticeItem | None:
    try:
        return NoticeItem.get(*NoticeItem.key(user_id, identifier), consistent_read=True)
    except NoticeItem.DoesNotExist:
        return None


def mark_read(notice: NoticeItem, at: str) -> None:
    """Read once: leaving the unread index is what the count sees; reading it again changes nothing."""
    if notice.unread:
        notice.update(actions=[NoticeItem.unread.set(False), NoticeItem.read_at.set(at),
                               NoticeItem.GSI1PK.remove(), NoticeItem.GSI1SK.remove()])
