"""Who is calling an internal endpoint, and whether their role allows it.

The internal API is IAM-authorized (a trusted caller such as the board); the caller names the acting user in
the `X-Crm-User` header, which is checked against the stored users and their roles.
"""

from __future__ import annotations

from typing import TypeVar

from crm.data.people import UserItem, get_user
from crm.data.table import CrmItem
from crm.http import BadRequestError, NotFoundError, Request

ACTOR_HEADER = "x-crm-user"
Owned = TypeVar("Owned", bound=CrmItem)


class ForbiddenError(PermissionError):
    """403: the user exists but their role may not do this."""


class HiddenRecordError(ForbiddenError, NotFoundError):
    """Another rep's record: the board API answers 404 (a rep may not learn it exists); the internal API 403."""


def acting_user(request: Request, roles: tuple[str, ...] = ("rep", "manager", "admin")) -> UserItem:
    """The active user named by the request, with one of `roles`; 400 without one, 403 when not allowed."""
    user_id = request.headers.get(ACTOR_HEADER, "").strip()
    if not user_id:
        raise BadRequestError(400, "X-Crm-User", "header is required: the id of the acting user")
    user = get_user(user_id)
    if user is None or not user.active:
        raise BadRequestError(403, "X-Crm-User", f"{user_id!r} is not an active user")
    ensure_role(user, roles)
    return user


def ensure_role(user: UserItem, roles: tuple[str, ...]) -> None:
    """403 unless the user's role is one of `roles` (e.g. settings: managers and admins)."""
    if user.role not in roles:
        raise ForbiddenError(f"{user.user_id} is a {user.role}; this needs one of {', '.join(roles)}")


def ensure_owner(actor: UserItem, owner_id: str) -> None:
    """A rep sees and acts only on what they own; managers and admins on every rep's records (D3)."""
    if actor.role == "rep" and owner_id != actor.user_id:
        raise ForbiddenError(f"{actor.user_id} is a rep and works only on their own records, not {owner_id}'s")


def ensure_visible(actor: UserItem, owner_id: str | None, record: str) -> None:
    """Like ensure_owner, for reading or changing one record: to a rep, another rep's record does not exist."""
    if actor.role == "rep" and owner_id != actor.user_id:
        raise HiddenRecordError(f"{record} not found")


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
