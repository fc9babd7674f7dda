"""How every board API route is declared, authorized and answered, so route modules hold only their views.

API Gateway's Cognito authorizer (template.yaml, BoardApi's DefinitionBody) checks the access token and the route's
OAuth scopes before this code runs and passes the token's claims on in requestContext.authorizer.claims; the route
checks them again. A person's token (PEOPLE_SCOPE, a username) names an active CRM user whose role matches their user
pool group; a machine client's (client credentials, no username) acts as an integration, on the routes whose
`machine` scope it holds. A view gets that principal, its validated body and its path parameters;
what it returns is sent as JSON (or as is, if it is a chalice Response). The CRM's refusals (crm/errors.py) become
answers in one place, _error_response: not found (or another rep's record) 404, forbidden 403, conflict 409 with its
body, too large 413, invalid 422 naming the fields, unavailable or storage down 503. crm is imported inside
functions, not at module level: cold start counts.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, CognitoUserPoolAuthorizer, Response
from chalice.app import Request

from crm.roles import INTEGRATION_SCOPES, PEOPLE_SCOPE, ROLE_GROUPS

if TYPE_CHECKING:
    from crm.data.people import UserItem
    from crm.errors import CrmError

DEFAULT_PAGE = 25

# Declared for the OpenAPI document and the route checks: API Gateway runs the authorizer template.yaml
# names CognitoAuthorizer (BoardApi's DefaultAuthorizer), not this object.
COGNITO = CognitoUserPoolAuthorizer("CognitoAuthorizer", provider_arns=[])

# This invocation's request. app.current_request is one attribute of the app, shared by the threads of the
# local runner, which serves requests concurrently; a context variable is each thread's own.
current_request: ContextVar[Request] = ContextVar("request")

View = Callable[..., Any]


class UnauthorizedError(Exception):
    """401: the request carries no verified claims (API Gateway would have refused it already)."""


@dataclass(frozen=True)
class RouteDoc:
    """What the OpenAPI document says about a route beyond its path, method and docstring."""

    status: int = 200
    also: tuple[int, ...] = ()  # other success statuses it answers with the same body (a known person's lead: 200)
    body: str | None = None  # "module:Model", the pydantic model the JSON body must satisfy
    query: tuple[str, ...] = ()  # query parameter names (described in openapi.QUERY_PARAMETERS)
    conflict: str | None = None  # may answer 409 with this body: "StaleDeal" (the fresh card) or "Conflict"
    produces: tuple[str, ...] = ("application/json",)  # its success's media types (text/csv: a view's Response)


class Routes:
    """A blueprint of routes that need a Cognito access token: `routes = Routes(__name__)`, then
    `@routes("/api/things/{thing_id}", "POST", body="crm.models.things:ThingChange", machine="crm/things.write")`
    on `def view(viewer, body, thing_id)`; app.py registers `routes.blueprint`. People may call every route; an
    integration only those naming a `machine` scope it holds (template.yaml declares the same scopes). A `public`
    route (the OpenAPI document only) has no authorizer here nor in template.yaml, and its view gets no viewer."""

    def __init__(self, import_name: str) -> None:
        self.blueprint = Blueprint(import_name)

    def __call__(self, path: str, method: str = "GET", machine: str | None = None, public: bool = False,
                 **doc: Any) -> Callable[[View], View]:
        if machine is not None and (public or machine not in INTEGRATION_SCOPES):
            raise ValueError(f"{method} {path}: {machine!r} is not one of {INTEGRATION_SCOPES} of a signed-in route")
        route_doc = RouteDoc(**doc)
        scopes = [PEOPLE_SCOPE] if machine is None else [PEOPLE_SCOPE, machine]
        authorizer = None if public else COGNITO.with_scopes(scopes)

        def register(view: View) -> View:
            @wraps(view)
            def respond(**path_parameters: str) -> Response:
                try:
                    _check_ids(path_parameters)
                    viewer = () if public else (_viewer(current_request.get(), machine),)
                    arguments = (*viewer, _body(route_doc.body, method)) if route_doc.body else viewer
                    result = view(*arguments, **path_parameters)
                    return result if isinstance(result, Response) else json_response(route_doc.status, result)
                except Exception as error:
                    return _error_response(error)

            respond.route_doc = route_doc  # type: ignore[attr-defined]
            return self.blueprint.route(path, methods=[method], authorizer=authorizer)(respond)

        return register


ID_QUERIES = frozenset({"owner", "pipeline"})
"""Query parameters that name a record (a user, a pipeline), checked as ids like a path's (crm.ids: 404)."""
QUERY_MAX_CHARS = 1000  # any other parameter (search text, a cursor): each route words its own narrower rule


def query(name: str) -> str | None:
    """A query string parameter, stripped; None when absent or blank; given twice, a 422. An id (ID_QUERIES) that
    cannot be one is a 404, any value longer than QUERY_MAX_CHARS a 422, each naming the parameter, before it can
    reach a key."""
    from crm.errors import InvalidError
    from crm.ids import checked_id
    from crm.reasons import Reason

    params = current_request.get().query_params
    if params and name in params and len(params.getlist(name)) > 1:  # which one? (API Gateway passes the last)
        raise InvalidError(name, Reason.worded("string_type", "Input should be a valid string, given once", {}))
    value = (params or {}).get(name, "").strip()
    if not value:
        return None
    if name in ID_QUERIES:
        return checked_id(name, value)
    if len(value) > QUERY_MAX_CHARS:
        raise InvalidError(name, Reason.worded("string_too_long", f"String should have at most {QUERY_MAX_CHARS} "
                                                                  "characters", {"count": QUERY_MAX_CHARS}))
    return value


def _check_ids(path_parameters: dict[str, str]) -> None:
    """Every id in the path can be one (crm.ids): an over-long one is a 404 naming it, not an outage."""
    from crm.ids import checked_id

    for name, value in path_parameters.items():
        checked_id(name, value)


def limit(default: int = DEFAULT_PAGE) -> int:
    """The page size asked for (?limit=), or the route's `default`; its range is the service's rule."""
    from crm.errors import InvalidError
    from crm.reasons import Reason

    text = query("limit")
    if text is None:
        return default
    if not text.isdigit():
        raise InvalidError("limit", Reason("whole_number"))
    return int(text)


def header(name: str) -> str | None:
    """A request header (case-insensitive), e.g. Idempotency-Key."""
    headers = current_request.get().headers or {}
    return headers.get(name) or headers.get(name.lower())


def once(viewer: UserItem, scope: str, apply: Callable[[], Any]) -> Any:
    """`apply()` once per this request's Idempotency-Key (crm.idempotency.once): a retried POST gets the first
    answer back and writes nothing more; the claim of an interrupted attempt expires with this invocation."""
    from crm.idempotency import once as once_per_key

    return once_per_key(viewer.user_id, scope, header("Idempotency-Key"), apply, current_request.get().lambda_context)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(body=json.dumps(payload, ensure_ascii=False, default=str), status_code=status,
                    headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})


def _viewer(request: Request, machine: str | None) -> UserItem:
    """Who the verified access token stands for. A person (a username and PEOPLE_SCOPE): the active CRM user of that
    name, if their role is the group the user pool gives them. A machine client (no username): an integration, if
    the token holds the route's `machine` scope (None: people only)."""
    from crm.data.people import UserItem, signed_in_user
    from crm.errors import ForbiddenError

    claims = (request.context.get("authorizer") or {}).get("claims") or {}
    if claims.get("token_use") != "access":
        raise UnauthorizedError("no verified access token")
    scopes = set(str(claims.get("scope") or "").split())
    user_id = claims.get("username")
    if not user_id:
        client_id = claims.get("client_id")
        if not client_id:
            raise UnauthorizedError("an access token naming no user and no client")
        if machine is None or machine not in scopes:
            raise ForbiddenError(f"client {client_id} may not call this route: it needs "
                                 f"{machine or 'a signed-in person'}")
        return UserItem.integration(client_id)
    if PEOPLE_SCOPE not in scopes:
        raise ForbiddenError(f"{user_id}'s token lacks the {PEOPLE_SCOPE} scope of the site's sign-in")
    user = signed_in_user(user_id)
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
    """The JSON body as the route's model; a PUT takes back what a GET gave (its id and updated_* are dropped)."""
    from crm.http import Request as CrmRequest
    from crm.models.admin_settings import editable
    from crm.settings import get_settings

    module_name, _, model_name = model_path.partition(":")
    model = getattr(importlib.import_module(module_name), model_name)
    body = CrmRequest.from_event(current_request.get().to_original_event()).json()
    # a lead's phone given in national form is read in the deployment's region, as the public form reads it
    context = {"default_phone_region": get_settings().default_phone_region}
    return model.model_validate(editable(body) if method == "PUT" else body, context=context)


def _error_response(error: Exception) -> Response:
    """The HTTP answer for what a route raised: the board API's one mapping of the CRM's refusals (crm/errors.py).
    Anything unexpected propagates (Chalice logs it and answers 500)."""
    from pydantic import ValidationError

    from crm.errors import CrmError, is_outage
    from crm.http import BadRequestError

    if isinstance(error, UnauthorizedError):
        return json_response(401, {"message": "Unauthorized"})
    if isinstance(error, BadRequestError):  # a body that is not JSON at all: refused at the protocol level
        return json_response(error.status, error.answer)
    if isinstance(error, ValidationError):
        from crm.models.admin_settings import setting_errors  # each error by its full path, e.g. stages.2.name
        from crm.reasons import field_error_body

        return json_response(422, field_error_body(setting_errors(error)))
    if is_outage(error):
        from crm.observability import logger

        logger.exception("board storage unavailable")
        return json_response(503, {"message": "The CRM could not reach its storage right now; nothing was changed. "
                                              "Try again."}, {"Retry-After": "5"})
    if isinstance(error, CrmError):
        return json_response(refusal_status(error), error.answer)
    raise error


def refusal_status(error: CrmError) -> int:
    """The status of a refusal on this API; the first kind it is wins (too large is a kind of invalid)."""
    from crm.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError, TooLargeError

    statuses = ((NotFoundError, 404), (ForbiddenError, 403), (ConflictError, 409), (TooLargeError, 413),
                (InvalidError, 422))
    return next((status for kind, status in statuses if isinstance(error, kind)), 500)
