"""Search items: each term a lead, contact, account or deal is found by (crm.domain.search), twice: once in
everyone's scope (managers and admins search it) and once in its owner's (a rep searches only their own). They are
written with the record, in the same transaction, moved with it when it changes hands, and deleted with it
(a lead's erasure, L9).

`PK = SEARCH#<scope>#<term's first two characters>`, `SK = <term>#<kind>#<id>`, scope `ALL` or the owner's id: a
typed query is one Query of the viewer's partition with `begins_with(SK, query)`, never filtered, so it reads
only matches, whatever the table holds. Each item carries what a result shows (label, detail), so answering needs
no other read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.transactions import TransactWrite

from crm.data.table import CrmItem
from crm.domain.search import MIN_QUERY, Query, record_terms

if TYPE_CHECKING:  # crm.data.accounts writes an account's items: no import back at run time
    from crm.data.accounts import AccountItem, ContactItem, DealItem
    from crm.data.leads import LeadItem

EVERYONE = "ALL"  # the scope managers and admins search


def search_pk(scope: str, partition: str) -> str:
    return f"SEARCH#{scope}#{partition}"


class SearchItem(CrmItem, discriminator="Search"):
    record_kind = UnicodeAttribute()  # lead | contact | account | deal
    record_id = UnicodeAttribute()
    label = UnicodeAttribute()  # the name, a deal's title
    detail = UnicodeAttribute(null=True)  # the company, else the email

    @classmethod
    def key(cls, scope: str, term: str, record_kind: str, record_id: str) -> tuple[str, str]:
        return search_pk(scope, term[:MIN_QUERY]), f"{term}#{record_kind}#{record_id}"


def search_items(record_kind: str, record_id: str, scopes: tuple[str, ...], *, name: str | None,
                 company: str | None = None, email: str | None = None, phone: str | None = None) -> list[SearchItem]:
    """The items in `scopes` that make a record found by its name, company, email and phone."""
    label = name or email or phone or record_id
    detail = company or (email if label != email else None)
    return [SearchItem(*SearchItem.key(scope, term, record_kind, record_id), record_kind=record_kind,
                       record_id=record_id, label=label, detail=detail)
            for term in sorted(record_terms(name=name, company=company, email=email, phone=phone))
            for scope in scopes]


def of_lead(lead: LeadItem, scopes: tuple[str, ...] | None = None) -> list[SearchItem]:
    """The lead's search items: everyone's and its owner's, or those of `scopes`."""
    return search_items("lead", lead.lead_id, scopes or (EVERYONE, lead.owner_id), name=lead.name,
                        company=lead.company, email=lead.email, phone=lead.phone)


def of_contact(contact: ContactItem, company: str | None) -> list[SearchItem]:
    """The contact's search items, everyone's and its owner's; `company`: its account's name."""
    return search_items("contact", contact.contact_id, (EVERYONE, contact.owner_id), name=contact.name,
                        company=company, email=contact.email, phone=contact.phone)


def of_account(account: AccountItem) -> list[SearchItem]:
    """The account's search items, everyone's and its owner's: its name."""
    return search_items("account", account.account_id, (EVERYONE, account.owner_id), name=account.name)


def of_deal(deal: DealItem, scopes: tuple[str, ...] | None = None, **changes: Any) -> list[SearchItem]:
    """The deal's search items, everyone's and its owner's, or those of `scopes`: its title and its account, as
    they are once `changes` (attribute name -> new value) are written."""
    title, owner_id = changes.get("title", deal.title), changes.get("owner_id", deal.owner_id)
    return search_items("deal", deal.deal_id, scopes or (EVERYONE, owner_id), name=title, company=deal.account_name)


def save_all(transaction: TransactWrite, items: list[SearchItem]) -> None:
    for item in items:
        transaction.save(item)


def delete_all(transaction: TransactWrite, items: list[SearchItem]) -> None:
    for item in items:
        transaction.delete(item)


def hand_over(transaction: TransactWrite, items_in: Callable[[tuple[str, ...]], list[SearchItem]], owner: str,
              new_owner: str) -> None:
    """A record's owner-scope items (`items_in(scopes)`) move from `owner`'s scope to `new_owner`'s."""
    if new_owner != owner:
        delete_all(transaction, items_in((owner,)))
        save_all(transaction, items_in((new_owner,)))


def rewrite(transaction: TransactWrite, before: list[SearchItem], after: list[SearchItem]) -> None:
    """A record's items once what it is found by or its owner changed: the items it no longer has deleted, the new
    or changed ones put, the rest left alone (a move that changes neither writes none)."""
    kept = {(item.PK, item.SK) for item in after}
    delete_all(transaction, [item for item in before if (item.PK, item.SK) not in kept])
    unchanged = {(item.PK, item.SK, item.label, item.detail) for item in before}
    save_all(transaction, [item for item in after if (item.PK, item.SK, item.label, item.detail) not in unchanged])


def matching(query: Query, owner_id: str | None, page_size: int = 50) -> Iterator[SearchItem]:
    """Search items whose term begins with the query, in term order: `owner_id`'s, or everyone's when None."""
    if query.term is None:
        return iter(())
    return SearchItem.query(search_pk(owner_id or EVERYONE, query.partition), SearchItem.SK.startswith(query.term),
                            page_size=page_size)
