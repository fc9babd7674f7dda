"""The board API: the signed-in users' CRM (D1-D6, L12, R1), one Chalice app over the route modules in chalicelib.

Every route but the OpenAPI document needs a Cognito access token with one of its OAuth scopes
(chalicelib/routing.py says how a route is authorized and answered); the modules hold only views that call
crm.services. Chalice's `app` object is the Lambda handler (template.yaml).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from chalice import Chalice, CORSConfig, Response
from chalice.app import Request
from chalicelib import admin, board, calls, home, imports, jobs, leads, lists, records, robots, telephony, users
from chalicelib.routing import Routes, current_request

if TYPE_CHECKING:
    from crm.data.people import UserItem


def _site_cors() -> CORSConfig | None:
    """The board site (BOARD_URL) may call from its own origin; locally it is served from this one."""
    url = urlsplit(os.environ.get("BOARD_URL", ""))
    if not url.scheme or not url.netloc:
        return None
    return CORSConfig(allow_origin=f"{url.scheme}://{url.netloc}",
                      allow_headers=["Authorization", "Content-Type", "Idempotency-Key"], max_age=600)


app = Chalice(app_name="crm-board")
app.api.cors = _site_cors()
routes = Routes(__name__)


@app.middleware("http")
def _bind_request(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Keeps this invocation's request for the routes; every log line of it carries API Gateway's request id, and
    what it counted (deals moved, emails sent...) goes out as its metrics, whatever the answer."""
    from crm.observability import logger, metrics

    logger.set_correlation_id(request.context.get("requestId"))
    token = current_request.set(request)
    try:
        return get_response(request)
    finally:
        current_request.reset(token)
        metrics.flush_metrics()


@routes("/api/me")
def me(viewer: UserItem) -> dict[str, Any]:
    """The signed-in user: who they are and their role."""
    from crm.services.click_to_call import dialer_if_known

    return {"user_id": viewer.user_id, "name": viewer.name, "email": viewer.email, "role": viewer.role,
            "language": viewer.language, "timezone": viewer.timezone, "phone": viewer.phone,
            "click_to_call": dialer_if_known()}


@routes("/api/openapi.json", public=True)
def openapi_document() -> dict[str, Any]:
    """This API's OpenAPI document, made from these routes; served without a token.

    It holds no data and tells a client how to get a token in the first place (no authorizer in template.yaml)."""
    return _openapi().document(app)


@cache
def _openapi() -> Any:
    """openapi.py beside this file, loaded by path: its name is too common to import from sys.path."""
    location = Path(__file__).with_name("openapi.py")
    spec = importlib.util.spec_from_file_location(f"{__name__}_openapi", location)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {location}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


for _module in (board, records, leads, lists, jobs, imports, robots, home, admin, users, calls, telephony):
    app.register_blueprint(_module.routes.blueprint)
app.register_blueprint(routes.blueprint)
