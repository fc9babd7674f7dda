"""The search box (one on every page): leads, contacts, accounts and deals whose name (a deal's title), company,
email or phone begins with what the user typed, grouped by kind; a rep finds only their own, managers and admins
everyone's.

One Query of the viewer's search partition for the query (crm.data.search), never a Scan nor a filter: answering
costs the same whatever the table holds, so results can follow each keystroke.
"""

from __future__ import annotations

from itertools import islice

from crm.data.people import UserItem
from crm.data.search import matching
from crm.domain.search import Query, bounded_query

SEARCH_KINDS = ("lead", "contact", "account", "deal")
PER_KIND = 5  # results of each kind a box shows
_MOST_READ = 100  # matching items read at most: a record has a few terms, so enough for every group


def search(raw: str, viewer: UserItem) -> dict:
    """Up to PER_KIND records of each kind, in term order; a record matching by several terms is listed once."""
    query = Query.of(bounded_query("q", raw))
    owner = viewer.user_id if viewer.role == "rep" else None
    groups: dict[str, list[dict]] = {kind: [] for kind in SEARCH_KINDS}
    seen: set[tuple[str, str]] = set()
    for item in islice(matching(query, owner), _MOST_READ):
        found = groups.get(item.record_kind)
        key = (item.record_kind, item.record_id)
        if found is None or key in seen or len(found) >= PER_KIND:
            continue
        seen.add(key)
        found.append({"kind": item.record_kind, "id": item.record_id, "label": item.label, "detail": item.detail})
        if all(len(group) >= PER_KIND for group in groups.values()):
            break
    return {"query": raw, "term": query.term, "results": groups}
