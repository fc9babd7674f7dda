"""The home page (L12, R1): leads per cycle, tasks due today, hot leads waiting and the funnel of open deals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.routing import Routes, query

if TYPE_CHECKING:
    from crm.data.people import UserItem

routes = Routes(__name__)


@routes("/api/home", query=("owner", "pipeline"))
def get_home(viewer: UserItem) -> dict[str, Any]:
    """The signed-in user's home numbers and funnel; a manager sees everyone's, or one rep's with ?owner=."""
    from crm.clock import utcnow
    from crm.domain.pipelines import DEFAULT_PIPELINE_ID
    from crm.services import home

    return home.home(viewer, utcnow(), owner=query("owner"), pipeline_id=query("pipeline") or DEFAULT_PIPELINE_ID)
