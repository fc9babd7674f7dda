"""The board API (D1-D4): pipelines, the kanban columns and the deals on them, for signed-in users.

API Gateway's Cognito authorizer (template.yaml, BoardApi) checks the ID token before this code runs and passes
its claims on in requestContext.authorizer.claims. The acting user is claims["cognito:username"], an active CRM
user whose role matches their user pool group. Routes only parse and validate, call crm.services.board and turn
its errors into answers: unknown or hidden record 404, stale move 409 with the fresh card, a role that may not
403, invalid input 422 naming the fields. crm is imported inside the routes, not here: cold start counts.
"""

from __future__ import annotations

import importlib.util
import json
import os
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from chalice import Chalice, CognitoUserPoolAuthorizer, CORSConfig, Response
from chalice.app import Request

from crm.roles import ROLE_GROUPS

if TYPE_CHECKING:
    from crm.data.people import UserItem

# The user pool group of each CRM role (template.yaml: AdminsGroup, ManagersGroup, RepsGroup).
DEFAULT_PAGE = 25

# Declared for the OpenAPI document and the route checks: API Gateway runs the authorizer template.yaml
# names CognitoAuthorizer (BoardApi's DefaultAuthorizer), not this object.
COGNITO = CognitoUserPoolAuthorizer("CognitoAuthorizer", provider_arns=[])


def _site_cors() -> CORSConfig | None:
    """The board site (BOARD_URL) may call from its own origin; locally it is served from this one."""
    url = urlsplit(os.environ.get("BOARD_URL", ""))
    if not url.scheme or not url.netloc:
        return None
    return CORSConfig(allow_origin=f"{url.scheme}://{url.netloc}", allow_headers=["Authorization"], max_age=600)


app = Chalice(app_name="crm-board")
app.api.cors = _site_cors()

# This invocation's request. app.current_request is one attribute of the app, shared by the threads of the
# local runner, which serves requests concurrently; a context variable is each thread's own.
_request: ContextVar[Request] = ContextVar("request")


@app.middleware("http")
def _bind_request(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Keeps this invocation's request for the routes; every log line of it carries API Gateway's request id."""
    from crm.observability import logger

    logger.set_correlation_id(request.context.get("requestId"))
    token = _request.set(request)
    try:
        return get_response(request)
    finally:
        _request.reset(token)


class UnauthorizedError(Exception):
    """401: the request carries no verified claims (API Gateway would have refused it already)."""


@dataclass(frozen=True)
class RouteDoc:
    """What the OpenAPI document says about a route beyond its path, method and docstring."""

    status: int = 200
    body: str | None = None  # "module:Model", the pydantic model the JSON body must satisfy
    query: tuple[str, ...] = ()
    conflict: bool = False  # may answer 409 (optimistic lock)


View = Callable[..., Any]


def route(path: str, method: str = "GET", **doc: Any) -> Callable[[View], View]:
    """Registers `view(viewer, [body,] **path_parameters)`: the acting user is resolved first, the JSON body is
    validated against RouteDoc.body, and what the view returns is sent as JSON with RouteDoc.status."""
    route_doc = RouteDoc(**doc)

    def register(view: View) -> View:
        @wraps(view)
        def respond(**path_parameters: str) -> Response:
            try:
                viewer = _viewer(_request.get())
                arguments = (viewer, _body(route_doc.body, method)) if route_doc.body else (viewer,)
                return _json(route_doc.status, view(*arguments, **path_parameters))
            except Exception as error:
                return _error_response(error)

        respond.route_doc = route_doc  # type: ignore[attr-defined]
        return app.route(path, methods=[method], authorizer=COGNITO)(respond)

    return register


@route("/api/me")
def me(viewer: UserItem) -> dict[str, Any]:
    """The signed-in user: who they are and their role."""
    return {"user_id": viewer.user_id, "name": viewer.name, "email": viewer.email, "role": viewer.role,
            "language": viewer.language, "timezone": viewer.timezone}


@route("/api/pipelines")
def list_pipelines(viewer: UserItem) -> list[dict[str, Any]]:
    """Every pipeline, with its stages."""
    from crm.services import board

    return board.list_pipelines()


@route("/api/pipelines/{pipeline_id}")
def get_pipeline(viewer: UserItem, pipeline_id: str) -> dict[str, Any]:
    """One pipeline: its stages in board order and its lost reasons."""
    from crm.services import board

    return {"id": pipeline_id, **board.get_pipeline(pipeline_id).model_dump(mode="json")}


@route("/api/pipelines/{pipeline_id}", "PUT", body="crm.domain.pipelines:Pipeline")
def save_pipeline(viewer: UserItem, pipeline: Any, pipeline_id: str) -> dict[str, Any]:
    """Replaces a pipeline (admins): add, rename, reorder or archive stages; stage ids are kept."""
    from crm.clock import utcnow
    from crm.services import board

    return board.save_pipeline(pipeline_id, pipeline, viewer, utcnow())


@route("/api/board/{pipeline_id}", query=("owner",))
def get_board(viewer: UserItem, pipeline_id: str) -> dict[str, Any]:
    """The board: the first page of every column; a rep sees their own deals, a manager may filter by owner."""
    from crm.services import board

    return board.board(pipeline_id, viewer, owner=_query("owner"))


@route("/api/board/{pipeline_id}/columns/{stage_id}", query=("owner", "cursor", "limit"))
def get_column(viewer: UserItem, pipeline_id: str, stage_id: str) -> dict[str, Any]:
    """One column's next page of cards ("load more"), newest activity first, with its count and totals."""
    from crm.services import board

    return board.column(pipeline_id, stage_id, viewer, owner=_query("owner"), cursor=_query("cursor"),
                        limit=_limit())


@route("/api/deals", "POST", status=201, body="crm.models.board:DealCreate")
def create_deal(viewer: UserItem, deal: Any) -> dict[str, Any]:
    """Quick-create a deal (Unsorted unless a stage is named); a manager may give it to a rep."""
    from crm.clock import utcnow
    from crm.services import board

    return board.create_deal(deal, viewer, utcnow())


@route("/api/deals/{deal_id}")
def get_deal(viewer: UserItem, deal_id: str) -> dict[str, Any]:
    """A deal's card with its timeline, newest first."""
    from crm.services import board

    return board.get_deal(deal_id, viewer)


@route("/api/deals/{deal_id}/move", "POST", body="crm.models.board:MoveRequest", conflict=True)
def move_deal(viewer: UserItem, move: Any, deal_id: str) -> dict[str, Any]:
    """Moves a deal to a stage if it is still at the version the client saw; 409 with the fresh card if not."""
    from crm.clock import utcnow
    from crm.services import board

    return board.move_deal(deal_id, move.stage_id, move.version, viewer, utcnow(), lost_reason=move.lost_reason)


@route("/api/deals/{deal_id}/owner", "POST", body="crm.models.board:OwnerChange")
def reassign_deal(viewer: UserItem, change: Any, deal_id: str) -> dict[str, Any]:
    """Gives a deal to another user (managers and admins)."""
    from crm.clock import utcnow
    from crm.services import board

    return board.reassign_deal(deal_id, change.owner_id, viewer, utcnow())


@route("/api/openapi.json")
def openapi_document(viewer: UserItem) -> dict[str, Any]:
    """This API's OpenAPI document, made from these routes."""
    return _openapi().document(app)


@cache
def _openapi() -> Any:
    """openapi.py beside this file, loaded by path: the local runner does not put this folder on sys.path."""
    location = Path(__file__).with_name("openapi.py")
    spec = importlib.util.spec_from_file_location(f"{__name__}_openapi", location)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {location}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _viewer(request: Request) -> UserItem:
    """The active CRM user the verified claims name, if their role is the group the user pool gives them."""
    from crm.data.people import get_user
    from crm.services.actors import ForbiddenError

    claims = (request.context.get("authorizer") or {}).get("claims") or {}
    user_id = claims.get("cognito:username")
    if not user_id:
        raise UnauthorizedError("no verified identity")
    user = get_user(user_id)
    if user is None or not user.active:
        raise ForbiddenError(f"{user_id} is not an active user of the CRM")
    if ROLE_GROUPS[user.role] not in _groups(claims.get("cognito:groups")):
        raise ForbiddenError(f"{user_id} is a {user.role} in the CRM but not in the {ROLE_GROUPS[user.role]} group")
    return user


def _groups(claim: Any) -> set[str]:
    """API Gateway passes the groups as "a,b" (REST) or "[a b]" (HTTP API); a list if given one."""
    if isinstance(claim, list):
        return {str(group) for group in claim}
    return {group for group in str(claim or "").strip("[]").replace(",", " ").split() if group}


def _body(model_path: str, method: str) -> Any:
    """The JSON body as the route's model; a PUT takes back what a GET gave (the id in it is the path's)."""
    from crm.http import Request as CrmRequest

    module_name, _, model_name = model_path.partition(":")
    model = getattr(importlib.import_module(module_name), model_name)
    body = CrmRequest.from_event(_request.get().to_original_event()).json()
    if method == "PUT":
        body.pop("id", None)
    return model.model_validate(body)


def _query(name: str) -> str | None:
    value = (_request.get().query_params or {}).get(name, "").strip()
    return value or None


def _limit() -> int:
    """The page size asked for; its range is the service's rule."""
    from crm.http import BadRequestError

    text = _query("limit")
    if text is None:
        return DEFAULT_PAGE
    if not text.isdigit():
        raise BadRequestError(422, "limit", "must be a whole number")
    return int(text)


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(body=json.dumps(payload, ensure_ascii=False, default=str), status_code=status,
                    headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})


def _error_response(error: Exception) -> Response:
    """The HTTP answer for what a route raised; anything unexpected propagates (Chalice logs it and answers 500)."""
    from botocore.exceptions import BotoCoreError, ClientError
    from pydantic import ValidationError
    from pynamodb.exceptions import PynamoDBException

    from crm.domain.pipelines import PipelineRuleError
    from crm.http import BadRequestError, field_error_body
    from crm.services import board
    from crm.services.actors import ForbiddenError

    if isinstance(error, UnauthorizedError):
        return _json(401, {"message": "Unauthorized"})
    if isinstance(error, ForbiddenError):
        return _json(403, {"message": str(error)})
    if isinstance(error, board.DealNotFoundError | board.PipelineNotFoundError):
        return _json(404, {"message": str(error)})
    if isinstance(error, board.StaleDealError):
        return _json(409, {"message": "Someone else changed this deal meanwhile; here it is as it is now.",
                           "deal": error.card})
    if isinstance(error, BadRequestError):
        return _json(error.status, field_error_body([{"field": error.field, "message": error.message}]))
    if isinstance(error, PipelineRuleError):
        return _json(422, field_error_body([{"field": error.field, "message": error.reason}]))
    if isinstance(error, ValidationError):
        from crm.models.admin_settings import setting_errors  # each error by its full path, e.g. stages.2.name

        return _json(422, field_error_body(setting_errors(error)))
    if isinstance(error, BotoCoreError | ClientError | PynamoDBException):
        from crm.observability import logger

        logger.exception("board storage unavailable")
        return _json(503, {"message": "The CRM could not reach its storage right now; nothing was changed. "
                                      "Try again."}, {"Retry-After": "5"})
    raise error
