"""The team (D3): who works in the CRM; admins add, change and deactivate users."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.routing import Routes, json_response

if TYPE_CHECKING:
    from crm.data.people import UserItem

routes = Routes(__name__)


@routes("/api/users")
def list_users(viewer: UserItem) -> list[dict[str, Any]]:
    """Everyone on the team, active first; contact details for managers and admins."""
    from crm.services import users

    return users.team(viewer)


@routes("/api/users/{user_id}", "PUT", also=(201,), body="crm.models.users:UserInput", conflict="Conflict")
def put_user(viewer: UserItem, user: Any, user_id: str) -> Response:
    """Adds (201) or changes (200) a user (admins); on AWS their Cognito sign-in follows. 409 would leave no admin."""
    from crm.clock import utcnow
    from crm.services import users

    saved, created = users.save_user(user_id, user, viewer, utcnow())
    return json_response(201 if created else 200, saved)
