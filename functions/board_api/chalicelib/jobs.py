"""Jobs the signed-in user started (CSV exports, mass email): where each stands (crm/services/jobs.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.routing import Routes

if TYPE_CHECKING:
    from crm.data.people import UserItem

routes = Routes(__name__)


@routes("/api/jobs/{job_id}")
def get_job(viewer: UserItem, job_id: str) -> dict[str, Any]:
    """A job's status and progress, and a finished export's download link.
    The link works for a few minutes: ask again for a fresh one. A rep sees only their own jobs."""
    from crm.services import jobs

    return jobs.get_job(job_id, viewer)
