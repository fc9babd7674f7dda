"""Settings and the review of deletion flags (L5, L7, L9, L11). Everyone reads settings; managers and admins change
them and decide on please-delete flags; anyone flags or junks a lead they may see (a rep: their own; another rep's
lead is 404)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.routing import Routes, json_response

if TYPE_CHECKING:
    from crm.data.people import UserItem
    from crm.services.deletion import Outcome

routes = Routes(__name__)
EDITORS = ("manager", "admin")


@routes("/api/admin/profile")
def get_profile(viewer: UserItem) -> dict[str, Any]:
    """The ideal customer profile that scores leads."""
    from crm.services import admin_settings

    return admin_settings.profile()


@routes("/api/admin/profile", "PUT", body="crm.models.admin_settings:ProfileInput")
def put_profile(viewer: UserItem, profile: Any) -> dict[str, Any]:
    """Replaces the ideal customer profile (managers and admins)."""
    from crm.clock import utcnow
    from crm.services import admin_settings
    from crm.services.actors import ensure_role

    ensure_role(viewer, EDITORS)
    return admin_settings.save_profile(profile, viewer.user_id, utcnow())


@routes("/api/admin/sequences")
def list_sequences(viewer: UserItem) -> dict[str, Any]:
    """Every nurture sequence."""
    from crm.services import admin_settings

    return admin_settings.sequences()


@routes("/api/admin/sequences/{sequence_id}")
def get_sequence(viewer: UserItem, sequence_id: str) -> dict[str, Any]:
    """One nurture sequence: its steps, delays and send windows."""
    from crm.errors import NotFoundError
    from crm.models.admin_settings import SEQUENCE_ID
    from crm.services import admin_settings

    found = admin_settings.sequence(sequence_id) if SEQUENCE_ID.match(sequence_id) else None
    if found is None:
        raise NotFoundError(f"sequence {sequence_id} not found")
    return found


@routes("/api/admin/sequences/{sequence_id}", "PUT", body="crm.domain.nurture:Sequence")
def put_sequence(viewer: UserItem, sequence: Any, sequence_id: str) -> dict[str, Any]:
    """Creates or replaces a nurture sequence (managers and admins)."""
    from crm.clock import utcnow
    from crm.errors import InvalidError
    from crm.models.admin_settings import SEQUENCE_ID
    from crm.reasons import Reason
    from crm.services import admin_settings
    from crm.services.actors import ensure_role

    ensure_role(viewer, EDITORS)
    if not SEQUENCE_ID.match(sequence_id):
        raise InvalidError("sequence_id", Reason("id_format"))
    return admin_settings.save_sequence(sequence_id, sequence, viewer.user_id, utcnow())


@routes("/api/admin/status-rules")
def get_status_rules(viewer: UserItem) -> dict[str, Any]:
    """The messages a lead gets when its status changes (L11)."""
    from crm.services import admin_settings

    return admin_settings.status_rules()


@routes("/api/admin/status-rules", "PUT", body="crm.models.admin_settings:StatusRulesInput")
def put_status_rules(viewer: UserItem, rules: Any) -> dict[str, Any]:
    """Replaces the status-change messages (managers and admins)."""
    from crm.clock import utcnow
    from crm.services import admin_settings
    from crm.services.actors import ensure_role

    ensure_role(viewer, EDITORS)
    return admin_settings.save_status_rules(rules.rules, viewer.user_id, utcnow())


@routes("/api/leads/{lead_id}/deletion-request", "POST", status=202, also=(200,),
        body="crm.models.deletion:ReasonInput", machine="crm/leads.write")
def flag_for_deletion(viewer: UserItem, flag: Any, lead_id: str) -> Response:
    """Asks a manager to erase this lead (202; 200 when it was already asked)."""
    from crm.clock import utcnow
    from crm.services.deletion import request_deletion

    outcome = request_deletion(lead_id, flag.reason, viewer, utcnow())
    return json_response(202 if outcome.changed else 200, _outcome("deletion_request", outcome))


@routes("/api/leads/{lead_id}/junk", "POST", machine="crm/leads.write", body="crm.models.deletion:ReasonInput")
def mark_junk(viewer: UserItem, mark: Any, lead_id: str) -> dict[str, Any]:
    """Marks a lead as junk: its automation stops and its open tasks are cancelled."""
    from crm.clock import utcnow
    from crm.services.deletion import mark_junk

    return _outcome("junk", mark_junk(lead_id, mark.reason, viewer, utcnow()))


@routes("/api/admin/deletion-requests")
def pending_deletions(viewer: UserItem) -> dict[str, Any]:
    """The leads flagged for deletion, oldest first (managers and admins)."""
    from crm.services.actors import ensure_role
    from crm.services.deletion import pending_deletions

    ensure_role(viewer, EDITORS)
    return {"requests": [asdict(pending) for pending in pending_deletions()]}


@routes("/api/admin/deletion-requests/{lead_id}/{decision}", "POST", body="crm.models.deletion:DecisionInput",
        conflict="Conflict")
def decide_deletion(viewer: UserItem, decision_input: Any, lead_id: str, decision: str) -> dict[str, Any]:
    """Approves (erases the person's data) or rejects a please-delete flag; 409 when none is pending."""
    from crm.clock import utcnow
    from crm.errors import NotFoundError
    from crm.models.deletion import DECISIONS
    from crm.services.actors import ensure_role
    from crm.services.deletion import approve_deletion, reject_deletion

    if decision not in DECISIONS:
        raise NotFoundError(f"no decision {decision!r}: approve or reject")
    ensure_role(viewer, EDITORS)
    decide = approve_deletion if decision == "approve" else reject_deletion
    return _outcome("deletion_request", decide(lead_id, viewer, decision_input.note, utcnow()))


def _outcome(name: str, outcome: Outcome) -> dict[str, Any]:
    return {"lead_id": outcome.lead_id, name: outcome.record, "changed": outcome.changed}
