"""Leads a signed-in caller creates, and what the public form proposed to change on one (crm.services.intake).

The public POST /leads answers the same whoever the person is; an integration or a person signed in gets the lead's
id here, and whether the person was known, because the token says who asks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.routing import Routes, json_response, once

if TYPE_CHECKING:
    from chalice import Response

    from crm.data.people import UserItem

routes = Routes(__name__)


@routes("/api/leads", "POST", status=201, also=(200,), body="crm.models.leads:LeadSubmission",
        machine="crm/leads.write")
def create_lead(viewer: UserItem, submission: Any) -> Response:
    """Creates a lead (201), or adds a touch to the person's lead when their email or phone is known (200, "returning":
    true), filling in what it did not know; assigned by the routing rules, like a form's lead."""
    from crm.clock import utcnow
    from crm.services.intake import IntakeOptions, submit_lead

    def create() -> dict[str, Any]:
        result = submit_lead(submission, utcnow(), IntakeOptions(touch={"by": viewer.user_id}))
        return {"id": result.lead_id, "returning": result.returning}

    answer = once(viewer, "lead:create", create)
    return json_response(200 if answer["returning"] else 201, answer)


@routes("/api/leads/{lead_id}/proposals/{event_id}/apply", "POST", conflict="Conflict")
def apply_proposal(viewer: UserItem, lead_id: str, event_id: str) -> dict[str, Any]:
    """Applies the changes a public form post proposed (a "changes_proposed" event on the lead's timeline): the lead's
    owner, a manager or an admin; 409 when it was applied already or the lead changed meanwhile."""
    from crm.clock import utcnow
    from crm.services.proposals import apply_proposal

    return apply_proposal(lead_id, event_id, viewer, utcnow())
