"""Pushes to the users' open pages through the screen-pop WebSocket API (API Gateway's management API).

WEBSOCKET_CALLBACK_URL is the API's connection endpoint, https://{api}.execute-api.{region}.{suffix}/{stage} on AWS
(the local runner's own port locally); empty means no WebSocket API here, and nothing is pushed.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from functools import cache
from typing import Any

from crm.data.connections import delete_connection, user_connections

CALLBACK_URL_ENV = "WEBSOCKET_CALLBACK_URL"

_log = logging.getLogger(__name__)


@cache
def _management_client(endpoint_url: str) -> Any:
    """One client per endpoint and process, from the process's session with its timeouts and retries."""
    from botocore.config import Config

    from crm.integrations.aws import _creating, _session, call_limits, function_timeout

    limits = call_limits(function_timeout())
    with _creating:
        return _session().client("apigatewaymanagementapi", endpoint_url=endpoint_url, config=Config(
            retries={"mode": "standard", "total_max_attempts": limits.attempts}, connect_timeout=limits.connect,
            read_timeout=limits.read))


def push_to_user(user_id: str, message: dict | Callable[[], dict]) -> int:
    """Sends `message` (JSON) to every open connection of the user; answers how many it reached. A message that
    costs reads to build may be given as a function: it is called only when the user has a page open. A connection
    API Gateway no longer knows (410 GoneException) is deleted; any other failure of one connection is logged and the
    others are still tried, so one bad socket never hides the popup from the rep's other pages."""
    from botocore.exceptions import BotoCoreError, ClientError

    endpoint = os.environ.get(CALLBACK_URL_ENV, "").strip()
    if not endpoint:
        return 0
    connections = user_connections(user_id)
    if not connections:
        return 0
    client = _management_client(endpoint.rstrip("/"))
    data = json.dumps(message() if callable(message) else message, separators=(",", ":"), default=str).encode("utf-8")
    reached = 0
    for connection_id in connections:
        try:
            client.post_to_connection(ConnectionId=connection_id, Data=data)
        except client.exceptions.GoneException:
            delete_connection(connection_id)
        except (BotoCoreError, ClientError):
            _log.warning("push to connection %s of %s failed", connection_id, user_id, exc_info=True)
        else:
            reached += 1
    return reached
