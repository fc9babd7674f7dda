"""Pipelines, the kanban board and its deals (D1-D4): columns and their filters, quick-create, a deal's changes,
moves and reassignment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.routing import Routes, limit, query

if TYPE_CHECKING:
    from crm.data.people import UserItem
    from crm.domain.deal_cards import BoardFilter

routes = Routes(__name__)
FILTERS = ("q", "type", "stalled", "overdue", "closing")  # the board's filters beyond owner (BoardFilter)


def _filters() -> BoardFilter:
    from crm.domain.deal_cards import BoardFilter

    return BoardFilter.of_query(query("q"), query("type"), query("stalled"), query("overdue"), query("closing"))


@routes("/api/pipelines", machine="crm/records.read")
def list_pipelines(viewer: UserItem) -> list[dict[str, Any]]:
    """Every pipeline, with its stages."""
    from crm.services import board

    return board.list_pipelines()


@routes("/api/pipelines/{pipeline_id}", machine="crm/records.read")
def get_pipeline(viewer: UserItem, pipeline_id: str) -> dict[str, Any]:
    """One pipeline: its stages in board order and its lost reasons."""
    from crm.services import board

    return {"id": pipeline_id, **board.get_pipeline(pipeline_id).model_dump(mode="json")}


@routes("/api/pipelines/{pipeline_id}", "PUT", body="crm.domain.pipelines:Pipeline")
def save_pipeline(viewer: UserItem, pipeline: Any, pipeline_id: str) -> dict[str, Any]:
    """Replaces a pipeline (admins): add, rename, reorder or archive stages; stage ids are kept."""
    from crm.clock import utcnow
    from crm.services import board

    return board.save_pipeline(pipeline_id, pipeline, viewer, utcnow())


@routes("/api/board/{pipeline_id}", machine="crm/records.read", query=("owner", *FILTERS))
def get_board(viewer: UserItem, pipeline_id: str) -> dict[str, Any]:
    """The board: the first page of every column; a rep sees their own deals, a manager may filter by owner.

    Filters (q, type, stalled, overdue, closing) combine with AND; a filtered column counts and totals its matches.
    """
    from crm.services import board

    return board.board(pipeline_id, viewer, owner=query("owner"), filters=_filters())


@routes("/api/board/{pipeline_id}/columns/{stage_id}", machine="crm/records.read",
        query=("owner", "cursor", "limit", *FILTERS))
def get_column(viewer: UserItem, pipeline_id: str, stage_id: str) -> dict[str, Any]:
    """One column's next page of cards ("load more"), newest activity first, with its count and totals."""
    from crm.services import board

    return board.column(pipeline_id, stage_id, viewer, owner=query("owner"), cursor=query("cursor"),
                        limit=limit(), filters=_filters())


@routes("/api/deals", "POST", machine="crm/deals.write", status=201, body="crm.models.board:DealCreate")
def create_deal(viewer: UserItem, deal: Any) -> dict[str, Any]:
    """Quick-create a deal (Unsorted unless a stage is named); a manager may give it to a rep."""
    from crm.clock import utcnow
    from crm.services import board

    return board.create_deal(deal, viewer, utcnow())


@routes("/api/deals/{deal_id}", machine="crm/records.read")
def get_deal(viewer: UserItem, deal_id: str) -> dict[str, Any]:
    """A deal's card with its timeline, newest first."""
    from crm.services import board

    return board.get_deal(deal_id, viewer)


@routes("/api/deals/{deal_id}", "PATCH", body="crm.models.board:DealUpdate", conflict="StaleDeal",
        machine="crm/deals.write")
def update_deal(viewer: UserItem, update: Any, deal_id: str) -> dict[str, Any]:
    """Changes a deal's title, money, expected close date or type (null clears one) if it is still at the version
    the client saw; 409 with the fresh card if not."""
    from crm.clock import utcnow
    from crm.services import board

    return board.update_deal(deal_id, update, viewer, utcnow())


@routes("/api/deals/{deal_id}/move", "POST", body="crm.models.board:MoveRequest", conflict="StaleDeal",
        machine="crm/deals.write")
def move_deal(viewer: UserItem, move: Any, deal_id: str) -> dict[str, Any]:
    """Moves a deal to a stage if it is still at the version the client saw; 409 with the fresh card if not."""
    from crm.clock import utcnow
    from crm.services import board

    return board.move_deal(deal_id, move.stage_id, move.version, viewer, utcnow(), lost_reason=move.lost_reason)


@routes("/api/deals/{deal_id}/owner", "POST", body="crm.models.board:OwnerChange")
def reassign_deal(viewer: UserItem, change: Any, deal_id: str) -> dict[str, Any]:
    """Gives a deal to another user (managers and admins)."""
    from crm.clock import utcnow
    from crm.services import board

    return board.reassign_deal(deal_id, change.owner_id, viewer, utcnow())
