"""The shape of an id a caller names (a path's record id, ?owner=, an unsubscribe link's lead), checked before it
becomes part of a DynamoDB key.

DynamoDB refuses a key over 2,048 bytes (1,024 for a sort key) with a ValidationException, which the APIs would
answer as an outage (503, retry). No id the CRM makes is longer than ID_MAX_CHARS or holds a space or a control
character, so such a value names no record: the same 404 as an unknown id, its message naming the field.
"""

from __future__ import annotations

import re

from crm.errors import NotFoundError

ID_MAX_CHARS = 128
_ID = re.compile(rf"[^\s\x00-\x1f\x7f-\x9f]{{1,{ID_MAX_CHARS}}}")


def checked_id(field: str, value: str) -> str:
    """`value`, if it can be an id."""
    if not _ID.fullmatch(value):
        raise NotFoundError(f"{field}: no record has this id (ids are 1-{ID_MAX_CHARS} characters, with no spaces or "
                            "control characters)")
    return value
