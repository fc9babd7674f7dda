"""Open screen-pop WebSocket connections (API Gateway's WebSocket API), kept in the CRM table with a TTL.

One item per connection, PK `WSCONN#<connection id>`, SK `WSCONN`: "which user owns connection X" is one GetItem.
It also sits in GSI1 under `OWNER#<user id>#WSCONN`, so "all connections of a user" is one Query. `expires_at`
(epoch seconds) is the table's TTL attribute: a connection whose $disconnect never ran (API Gateway does not
promise it) goes away by itself; the browser's pings ($default) push it on. DynamoDB deletes expired items late
(up to days), so readers skip them too.
"""

from __future__ import annotations

import time

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError

from crm.data.table import CrmItem

CONNECTION_PREFIX = "WSCONN#"
CONNECTION_SK = "WSCONN"
CONNECTION_LIFETIME_SECONDS = 2 * 60 * 60  # API Gateway closes a WebSocket after 2 hours anyway


def owner_pk(user_id: str) -> str:
    return f"OWNER#{user_id}#WSCONN"


class ConnectionItem(CrmItem, discriminator="WebSocketConnection"):
    connection_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    role = UnicodeAttribute(null=True)
    connected_at = NumberAttribute()
    expires_at = NumberAttribute()

    @classmethod
    def key(cls, connection_id: str) -> tuple[str, str]:
        return f"{CONNECTION_PREFIX}{connection_id}", CONNECTION_SK


def _expiry(now: float) -> int:
    return int(now) + CONNECTION_LIFETIME_SECONDS


def save_connection(connection_id: str, user_id: str, role: str | None, now: float | None = None) -> ConnectionItem:
    """$connect: one PutItem."""
    at = time.time() if now is None else now
    item = ConnectionItem(*ConnectionItem.key(connection_id), connection_id=connection_id, user_id=user_id,
                          role=role, connected_at=int(at), expires_at=_expiry(at), GSI1PK=owner_pk(user_id),
                          GSI1SK=f"{int(at):012d}#{connection_id}")
    item.save()
    return item


def get_connection(connection_id: str, now: float | None = None) -> ConnectionItem | None:
    """The connection if it is known and not expired: one GetItem."""
    try:
        item = ConnectionItem.get(*ConnectionItem.key(connection_id), consistent_read=True)
    except ConnectionItem.DoesNotExist:
        return None
    return item if item.expires_at > (time.time() if now is None else now) else None


def refresh_connection(connection_id: str, now: float | None = None) -> bool:
    """$default ping: the connection lives another CONNECTION_LIFETIME_SECONDS; one UpdateItem, only if the item
    still exists (False: it is gone, e.g. expired and deleted)."""
    at = time.time() if now is None else now
    item = ConnectionItem(*ConnectionItem.key(connection_id))
    try:
        item.update(actions=[ConnectionItem.expires_at.set(_expiry(at))],
                    condition=ConnectionItem.PK.exists())
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def user_connections(user_id: str, now: float | None = None) -> list[str]:
    """The ids of the user's live connections: one Query of GSI1."""
    at = int(time.time() if now is None else now)
    return [item.connection_id for item in ConnectionItem.owner_index.query(
        owner_pk(user_id), filter_condition=ConnectionItem.expires_at > at)]


def delete_connection(connection_id: str) -> None:
    """$disconnect, or a push answered 410 Gone: one DeleteItem (a missing item is no error)."""
    ConnectionItem(*ConnectionItem.key(connection_id)).delete()
