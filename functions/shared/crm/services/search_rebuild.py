"""Search items for the records a table held before search existed: a maintenance pass, not a user-facing path, so
it reads the table with a Scan of each kind. Every item is put whole, so a second run changes nothing; erased
leads get none. The local stack runs it once per data folder (a marker item records the index version done).
"""

from __future__ import annotations

from collections import Counter

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import BatchWrite

from crm.data import search
from crm.data.accounts import AccountItem, ContactItem, DealItem
from crm.data.leads import LeadItem
from crm.data.table import CrmItem

VERSION = "1"  # of the search items' shape: a new shape is a new version, rebuilt once more


class SearchIndexMarkItem(CrmItem, discriminator="SearchIndexMark"):
    """The search index version this table's search items were last rebuilt for."""

    version = UnicodeAttribute()

    @classmethod
    def key(cls) -> tuple[str, str]:
        return "SEARCH_INDEX", "VERSION"


def rebuild() -> dict[str, int]:
    """Puts every lead's, contact's, account's and deal's search items; answers how many records of each kind."""
    counts: Counter[str] = Counter()
    account_names: dict[str, str] = {}
    with CrmItem.batch_write() as batch:
        for account in AccountItem.scan():
            account_names[account.account_id] = account.name
            _put(batch, search.of_account(account), counts, "account")
        for lead in LeadItem.scan():
            if not lead.erased_at:
                _put(batch, search.of_lead(lead), counts, "lead")
        for contact in ContactItem.scan():
            _put(batch, search.of_contact(contact, account_names.get(contact.account_id)), counts, "contact")
        for deal in DealItem.scan():
            _put(batch, search.of_deal(deal), counts, "deal")
    return dict(counts)


def _put(batch: BatchWrite, items: list[search.SearchItem], counts: Counter[str], kind: str) -> None:
    for item in items:
        batch.save(item)
    counts[kind] += 1


def rebuild_once() -> dict[str, int] | None:
    """Rebuilds unless this table's search items are already of this VERSION; None when nothing was to do."""
    try:
        if SearchIndexMarkItem.get(*SearchIndexMarkItem.key(), consistent_read=True).version == VERSION:
            return None
    except SearchIndexMarkItem.DoesNotExist:
        pass
    counts = rebuild()
    SearchIndexMarkItem(*SearchIndexMarkItem.key(), version=VERSION).save()
    return counts
