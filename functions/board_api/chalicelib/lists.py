"""Lists of leads, contacts, accounts and deals with filters, their CSV export, the leads list's Convert action
and mass email to a filtered list (D3, D6, L10); export and mass email are jobs (chalicelib/jobs.py); the search
box on every page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.routing import Routes, header, limit, once, query

if TYPE_CHECKING:
    from crm.data.people import UserItem
    from crm.models.lists import ListFilters

routes = Routes(__name__)

FILTERS = ("owner", "q", "cycle", "status", "source", "pipeline", "stage", "state")


def _filters(kind: str) -> ListFilters:
    """The list's kind (404 if there is no such list) and the filters in the query string."""
    from crm.errors import NotFoundError
    from crm.models.lists import LIST_KINDS, parse_filters

    if kind not in LIST_KINDS:
        raise NotFoundError(f"there is no list of {kind}")
    return parse_filters(kind, {name: value for name in FILTERS if (value := query(name)) is not None})


@routes("/api/lists/{kind}", machine="crm/records.read", query=(*FILTERS, "cursor", "limit"))
def list_records(viewer: UserItem, kind: str) -> dict[str, Any]:
    """A page of leads, contacts, accounts or deals, newest first, filtered; a rep sees only their own."""
    from crm.services import lists

    return lists.list_records(kind, _filters(kind), viewer, cursor=query("cursor"), limit=limit())


@routes("/api/lists/{kind}/export", "POST", status=202, query=FILTERS)
def export_records(viewer: UserItem, kind: str) -> dict[str, Any]:
    """Starts a job that writes every record the filters select as a CSV file.
    The file is UTF-8 with a BOM, formulas neutralised; GET /api/jobs/{job_id} gives the job's progress, then a
    download link. An Idempotency-Key makes a retried start find the same job."""
    from crm.clock import utcnow
    from crm.services import jobs

    return jobs.start_export(kind, _filters(kind), viewer, utcnow(), header("Idempotency-Key"))


@routes("/api/leads/{lead_id}/convert", "POST", status=201, body="crm.models.conversion:ConversionRequest",
        machine="crm/leads.write", conflict="Conflict")
def convert_lead(viewer: UserItem, conversion: Any, lead_id: str) -> dict[str, Any]:
    """Converts a lead into an account, a contact and optionally a deal and a first task; 409 the second time."""
    from dataclasses import asdict

    from crm.clock import utcnow
    from crm.services.conversion import convert_lead as convert

    return once(viewer, f"lead:{lead_id}:convert", lambda: asdict(convert(lead_id, conversion, viewer, utcnow())))


@routes("/api/mass-email/preview", "POST", body="crm.models.lists:MassEmailRequest")
def preview_mass_email(viewer: UserItem, request: Any) -> dict[str, Any]:
    """How many of the selected leads or contacts would get the email, and why the others would not."""
    from crm.services import mass_email

    return mass_email.preview(request, viewer)


@routes("/api/mass-email", "POST", status=202, body="crm.models.lists:MassEmailRequest")
def send_mass_email(viewer: UserItem, request: Any) -> dict[str, Any]:
    """Starts a job that emails a template to the selected leads or contacts that may get it.
    The recipients are resolved now (at most 500); the worker sends within the SES send rate and GET
    /api/jobs/{job_id} gives its progress. Needs an Idempotency-Key header: a retry finds the same job."""
    from crm.clock import utcnow
    from crm.services import mass_email

    return mass_email.start(request, viewer, utcnow(), header("Idempotency-Key"))


@routes("/api/search", machine="crm/records.read", query=("q",))
def search_records(viewer: UserItem) -> dict[str, Any]:
    """Leads, contacts, accounts and deals by name, company, email or phone (any format); a rep finds their own.
    Grouped by kind, at most 5 of each; `q` shorter than two characters finds nothing."""
    from crm.services.search import search

    return search(query("q") or "", viewer)
