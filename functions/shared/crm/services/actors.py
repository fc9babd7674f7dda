"""Whether the signed-in user's role allows an action, and which records they may see (D3).

Who the user is comes from the board API's verified token (board_api/chalicelib/routing.py), never from a header.
"""

from __future__ import annotations

from typing import TypeVar

from crm.data.people import UserItem
from crm.data.table import CrmItem
from crm.errors import ForbiddenError, NotFoundError

Owned = TypeVar("Owned", bound=CrmItem)


def ensure_role(user: UserItem, roles: tuple[str, ...]) -> None:
    """ForbiddenError unless the user's role is one of `roles` (e.g. settings: managers and admins)."""
    if user.role not in roles:
        raise ForbiddenError(f"{user.user_id} is a {user.role}; this needs one of {', '.join(roles)}")


def ensure_owner(actor: UserItem, owner_id: str) -> None:
    """A rep sees and acts only on what they own; managers and admins on every rep's records (D3)."""
    if actor.role == "rep" and owner_id != actor.user_id:
        raise ForbiddenError(f"{actor.user_id} is a rep and works only on their own records, not {owner_id}'s")


def ensure_visible(actor: UserItem, owner_id: str | None, record: str) -> None:
    """Like ensure_owner, for reading or changing one record: to a rep, another rep's record does not exist."""
    if actor.role == "rep" and owner_id != actor.user_id:
        raise NotFoundError(f"{record} not found")


def visible_item(item_class: type[Owned], key: tuple[str, str], viewer: UserItem, missing: NotFoundError) -> Owned:
    """The record at `key` if the viewer may see it (a rep: only their own, by its owner_id); else `missing`, the
    same for an unknown record and another rep's, so a rep cannot tell them apart."""
    try:
        found = item_class.get(*key, consistent_read=True)
    except item_class.DoesNotExist:
        raise missing from None
    if viewer.role == "rep" and getattr(found, "owner_id", None) != viewer.user_id:
        raise missing
    return found
