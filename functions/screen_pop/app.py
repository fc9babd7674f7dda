"""The screen-pop WebSocket API's routes (ScreenPopFunction): $connect, $disconnect and $default.

API Gateway ran the authorizer (authorizer.py) before $connect and hands its context ({user_id, role}) to every
route of the connection in requestContext.authorizer. A connection is an item of the CRM table with a TTL
(crm.data.connections); pushes go out through crm.integrations.push.
"""

from __future__ import annotations

import json
from typing import Any

OK = {"statusCode": 200}
PONG = json.dumps({"type": "pong"})


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One function for the three routes: they share one role and one cold start."""
    route = event["requestContext"]["routeKey"]
    if route == "$connect":
        return connect(event, context)
    if route == "$disconnect":
        return disconnect(event, context)
    return default(event, context)


def _who(event: dict[str, Any]) -> tuple[str, str | None]:
    authorizer = event["requestContext"].get("authorizer") or {}
    return str(authorizer["user_id"]), authorizer.get("role")


def connect(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from crm.data.connections import save_connection

    user_id, role = _who(event)
    save_connection(event["requestContext"]["connectionId"], user_id, role)
    return OK


def disconnect(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from crm.data.connections import delete_connection

    delete_connection(event["requestContext"]["connectionId"])
    return OK


def default(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Any message (the page's ping every few minutes): the connection lives on, answered {"type": "pong"}. An item
    gone meanwhile (its TTL passed while the page slept) is written again from the authorizer's context."""
    from crm.data.connections import refresh_connection, save_connection

    connection_id = event["requestContext"]["connectionId"]
    if not refresh_connection(connection_id):
        user_id, role = _who(event)
        save_connection(connection_id, user_id, role)
    return {"statusCode": 200, "body": PONG}
