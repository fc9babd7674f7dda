"""Who works in the CRM (D3): everyone sees the team (names on cards, owner pickers); admins add, change and
deactivate users. A user is never deleted: their records keep their owner, and deactivating stops assignment and
sign-in. The CRM always keeps one active admin, so nobody can lock the team out of its settings."""

from __future__ import annotations

from datetime import datetime

from crm.clock import to_iso
from crm.data.people import UserItem, calling_team, get_user, signed_in_user, team_names
from crm.errors import ConflictError, InvalidError
from crm.models.users import USER_ID, UserInput
from crm.reasons import Reason
from crm.roles import ROLES
from crm.services.actors import ensure_role

# what reps do not see of their colleagues
PRIVATE_FIELDS = ("email", "phone", "extension", "sip_user", "language", "timezone")


def team(viewer: UserItem) -> list[dict]:
    """Every user, active first, then by name; managers and admins also see contact details."""
    users = [user for role in ROLES for user in UserItem.state_index.query(f"ROLE#{role}")]
    users.sort(key=lambda user: (not user.active, user.name.casefold(), user.user_id))
    return [_view(user, full=viewer.role != "rep" or user.user_id == viewer.user_id) for user in users]


def save_user(user_id: str, given: UserInput, actor: UserItem, now: datetime) -> tuple[dict, bool]:
    """Adds or replaces a user (admins); answers the user and whether it was new. The pool follows on AWS."""
    from crm.settings import get_settings

    ensure_role(actor, ("admin",))
    if not USER_ID.match(user_id):
        raise InvalidError("user_id", Reason("user_id_format"))
    existing = get_user(user_id)
    if existing is not None and existing.role == "admin" and existing.active and not _still_admin(given):
        _keep_an_admin(user_id)
    user = UserItem.build(user_id=user_id, **given.model_dump())
    user.updated_at = to_iso(now)
    user.updated_by = actor.user_id
    user.save()
    team_names.forget()  # this process knows the change at once; others within TEAM_NAMES_SECONDS
    calling_team.forget()
    signed_in_user.forget()
    pool_id = get_settings().user_pool_id
    if pool_id:
        from crm.integrations.cognito import sync_user

        sync_user(pool_id, user_id, user.email, user.role, user.active)
    return _view(user, full=True), existing is None


def _still_admin(given: UserInput) -> bool:
    return given.role == "admin" and given.active


def _keep_an_admin(leaving: str) -> None:
    others = [user for user in UserItem.state_index.query("ROLE#admin", UserItem.GSI2SK.startswith("A#"))
              if user.user_id != leaving]
    if not others:
        raise ConflictError(Reason("last_admin"))


def _view(user: UserItem, full: bool) -> dict:
    view = {"user_id": user.user_id, "name": user.name, "role": user.role, "active": user.active}
    if full:
        view |= {field: getattr(user, field) for field in PRIVATE_FIELDS}
    return view
