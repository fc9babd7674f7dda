"""Links into the board site (BOARD_URL) that emails and SMS carry.

One shape per page, the one the page reads: a record is `record.html?kind=<kind>&id=<id>` (static_site/js/record.js
reads those two parameters; static_site/js/links.js builds the same links inside the site). A link the page cannot
read lands the reader on the landing page instead of the lead they were told about.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlencode

from crm.settings import get_settings

RecordKind = Literal["lead", "contact", "account", "deal"]
RECORD_PAGE = "record.html"


def site_url(page: str, **query: str) -> str | None:
    """`page` of the board site with `query`; None when no BOARD_URL is configured (nothing to link to)."""
    base = get_settings().board_url.rstrip("/")
    if not base:
        return None
    return f"{base}/{page}" + (f"?{urlencode(query)}" if query else "")


def record_url(kind: RecordKind, record_id: str) -> str | None:
    """The record's page, where a signed-in user with the right to see it lands on it."""
    return site_url(RECORD_PAGE, kind=kind, id=record_id)
