"""Accounts (companies), their contacts and deals: what a lead becomes when it converts (L10).

An account's name is unique once normalized: a name item `ACCOUNT_NAME#<normalized>` points at the account, so
"the account of this company" is one GetItem, and two writes creating the same company cannot both win.

An account knows its contacts and deals through membership items in its own partition (`AccountMemberItem`), so
the account page lists all of them, whoever owns them, with one Query by key.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from itertools import islice
from typing import Any

from pynamodb.attributes import UnicodeAttribute, VersionAttribute
from pynamodb.transactions import TransactWrite
from ulid import ULID

from crm.data.leads import FirstTouch
from crm.data.search import of_account, save_all
from crm.data.table import CrmItem


def normalize_account_name(name: str) -> str:
    """The key that makes 'Weber  GmbH' and 'weber gmbh' one company: NFKC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def account_pk(account_id: str) -> str:
    return f"ACCOUNT#{account_id}"


_MEMBER = "MEMBER#"


def member_sort_key(member_kind: str, member_id: str) -> str:
    """An account's contact or deal, in its partition: `MEMBER#CONTACT#<id>` before `MEMBER#DEAL#<id>`, each kind
    in creation order (the ids are ULIDs)."""
    return f"{_MEMBER}{member_kind.upper()}#{member_id}"


def contact_pk(contact_id: str) -> str:
    return f"CONTACT#{contact_id}"


def deal_pk(deal_id: str) -> str:
    return f"DEAL#{deal_id}"


def owner_collection_pk(owner_id: str, collection: str) -> str:
    """GSI1: a person's "ACCOUNTS" or "CONTACTS", by creation."""
    return f"OWNER#{owner_id}#{collection}"


def _owner_keys(owner_id: str, collection: str, created_at: str) -> dict[str, str]:
    """GSI1: a person's accounts or contacts, oldest first."""
    return {"GSI1PK": owner_collection_pk(owner_id, collection), "GSI1SK": created_at}


class AccountItem(CrmItem, discriminator="Account"):
    account_id = UnicodeAttribute()
    name = UnicodeAttribute()
    normalized_name = UnicodeAttribute()
    owner_id = UnicodeAttribute()
    industry = UnicodeAttribute(null=True)
    company_size = UnicodeAttribute(null=True)
    country = UnicodeAttribute(null=True)
    lead_id = UnicodeAttribute(null=True)  # the lead whose conversion created it
    created_at = UnicodeAttribute()
    version = VersionAttribute()

    @classmethod
    def key(cls, account_id: str) -> tuple[str, str]:
        return account_pk(account_id), "ACCOUNT"

    @classmethod
    def build(cls, *, name: str, owner_id: str, created_at: str, **details: str | None) -> AccountItem:
        account_id = str(ULID())
        return cls(*cls.key(account_id), account_id=account_id, name=name,
                   normalized_name=normalize_account_name(name), owner_id=owner_id, created_at=created_at,
                   **details, **_owner_keys(owner_id, "ACCOUNTS", created_at))


class AccountNameItem(CrmItem, discriminator="AccountName"):
    """The unique company name: written with `PK does not exist`, in the transaction that creates the account."""

    account_id = UnicodeAttribute()

    @classmethod
    def key(cls, normalized_name: str) -> tuple[str, str]:
        return f"ACCOUNT_NAME#{normalized_name}", "ACCOUNT_NAME"

    @classmethod
    def build(cls, account: AccountItem) -> AccountNameItem:
        return cls(*cls.key(account.normalized_name), account_id=account.account_id)


class ContactItem(CrmItem, discriminator="Contact"):
    contact_id = UnicodeAttribute()
    account_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    role = UnicodeAttribute(null=True)
    language = UnicodeAttribute(null=True)
    timezone = UnicodeAttribute(null=True)
    owner_id = UnicodeAttribute()
    lead_id = UnicodeAttribute(null=True)  # the lead it came from: its timeline stays there
    first_touch = FirstTouch(null=True)  # how the person first found us, copied from the lead
    created_at = UnicodeAttribute()
    version = VersionAttribute()

    @classmethod
    def key(cls, contact_id: str) -> tuple[str, str]:
        return contact_pk(contact_id), "CONTACT"

    @classmethod
    def build(cls, *, account_id: str, name: str, owner_id: str, created_at: str, first_touch: FirstTouch | None,
              **details: str | None) -> ContactItem:
        contact_id = str(ULID())
        return cls(*cls.key(contact_id), contact_id=contact_id, account_id=account_id, name=name,
                   owner_id=owner_id, created_at=created_at, first_touch=first_touch, **details,
                   **_owner_keys(owner_id, "CONTACTS", created_at))


class DealItem(CrmItem, discriminator="Deal"):
    """A deal on its pipeline's board (D1-D4).

    It sits in two indexes as a card of its column, newest activity first: GSI2 holds every deal of the stage (a
    manager's column), GSI1 one owner's (a rep's column). So a page of a column is one Query, whatever the table
    holds. Whatever changes the column, owner or amount also changes the column counters, in the same transaction,
    on this version.
    """

    deal_id = UnicodeAttribute()
    title = UnicodeAttribute()
    account_id = UnicodeAttribute(null=True)
    account_name = UnicodeAttribute(null=True)
    contact_id = UnicodeAttribute(null=True)
    lead_id = UnicodeAttribute(null=True)
    amount = UnicodeAttribute(null=True)  # a Decimal as text, exact to the currency's minor unit
    currency = UnicodeAttribute(null=True)  # ISO 4217
    owner_id = UnicodeAttribute()
    pipeline_id = UnicodeAttribute()
    stage_id = UnicodeAttribute()
    stage_entered_at = UnicodeAttribute()
    last_activity_at = UnicodeAttribute()
    next_task_due_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    lost_reason = UnicodeAttribute(null=True)
    expected_close_date = UnicodeAttribute(null=True)  # YYYY-MM-DD
    deal_type = UnicodeAttribute(null=True)  # crm.domain.deal_cards.DEAL_TYPES
    version = VersionAttribute()

    @classmethod
    def key(cls, deal_id: str) -> tuple[str, str]:
        return deal_pk(deal_id), "DEAL"

    @staticmethod
    def board_keys(*, pipeline_id: str, stage_id: str, owner_id: str, last_activity_at: str,
                   deal_id: str) -> dict[str, str]:
        """The card's place in its stage column (GSI2) and in its owner's (GSI1); the id breaks ties."""
        activity = f"{last_activity_at}#{deal_id}"
        return {"GSI2PK": stage_column_pk(pipeline_id, stage_id), "GSI2SK": activity,
                "GSI1PK": owner_column_pk(owner_id, pipeline_id, stage_id), "GSI1SK": activity}

    @classmethod
    def build(cls, *, title: str, owner_id: str, pipeline_id: str, stage_id: str, created_at: str,
              **details: str | None) -> DealItem:
        """A new deal, entering its stage now; `details`: account, contact, lead, money, lost reason, expected close
        date, type."""
        deal_id = str(ULID())
        return cls(*cls.key(deal_id), deal_id=deal_id, title=title, owner_id=owner_id, pipeline_id=pipeline_id,
                   stage_id=stage_id, stage_entered_at=created_at, last_activity_at=created_at,
                   created_at=created_at, **details,
                   **cls.board_keys(pipeline_id=pipeline_id, stage_id=stage_id, owner_id=owner_id,
                                    last_activity_at=created_at, deal_id=deal_id))


class AccountMemberItem(CrmItem, discriminator="AccountMember"):
    """A contact or deal of an account, with what the account page lists of it, in the account's partition.

    It is written in the transaction that writes its contact or deal, whenever what it shows changes (a deal's
    stage, owner, money), and put whole each time. A contact or deal written before memberships existed has none
    and is not listed on its account until it is written again (a deal moved or reassigned).
    """

    account_id = UnicodeAttribute()
    member_kind = UnicodeAttribute()  # contact | deal
    member_id = UnicodeAttribute()
    name = UnicodeAttribute()  # the contact's name, the deal's title
    owner_id = UnicodeAttribute()
    role = UnicodeAttribute(null=True)  # a contact's
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    pipeline_id = UnicodeAttribute(null=True)  # a deal's
    stage_id = UnicodeAttribute(null=True)
    amount = UnicodeAttribute(null=True)
    currency = UnicodeAttribute(null=True)

    @classmethod
    def key(cls, account_id: str, member_kind: str, member_id: str) -> tuple[str, str]:
        return account_pk(account_id), member_sort_key(member_kind, member_id)

    @classmethod
    def of_contact(cls, contact: ContactItem) -> AccountMemberItem:
        return cls(*cls.key(contact.account_id, "contact", contact.contact_id), account_id=contact.account_id,
                   member_kind="contact", member_id=contact.contact_id, name=contact.name,
                   owner_id=contact.owner_id, role=contact.role, email=contact.email, phone=contact.phone)

    @classmethod
    def of_deal(cls, deal: DealItem, **changes: Any) -> AccountMemberItem | None:
        """The deal's line on its account once `changes` (attribute name -> new value) are written; None for a
        deal without an account."""
        if not deal.account_id:
            return None
        value = {name: changes.get(name, getattr(deal, name))
                 for name in ("title", "owner_id", "pipeline_id", "stage_id", "amount", "currency")}
        return cls(*cls.key(deal.account_id, "deal", deal.deal_id), account_id=deal.account_id, member_kind="deal",
                   member_id=deal.deal_id, name=value.pop("title"), **value)


MEMBER_KINDS = ("contact", "deal")


def account_members(account_id: str, member_kind: str, limit: int,
                    after_id: str | None = None) -> list[AccountMemberItem]:
    """Up to `limit` of the account's contacts or deals, oldest first, after the member `after_id`: one Query of
    its partition's member items of that kind."""
    start = {"PK": {"S": account_pk(account_id)}, "SK": {"S": member_sort_key(member_kind, after_id)}} \
        if after_id else None
    found = AccountMemberItem.query(account_pk(account_id),
                                    AccountMemberItem.SK.startswith(member_sort_key(member_kind, "")),
                                    limit=limit, last_evaluated_key=start)
    return list(islice(found, limit))


@dataclass(frozen=True)
class CompanyAccount:
    """The account a company name stands for: the one holding the name, or a new one that the caller's
    transaction creates (`write`) with its unique name item. Of two transactions creating the same company, one
    fails that condition (`condition_failed`) and names the company again to find the winner's account."""

    account_id: str
    new: AccountItem | None

    @classmethod
    def named(cls, name: str, *, owner_id: str, created_at: str, **details: str | None) -> CompanyAccount:
        """One GetItem; `owner_id`, `created_at` and `details` (industry, size, country, lead) make a new account."""
        account_id = account_id_by_name(name)
        if account_id is not None:
            return cls(account_id, None)
        account = AccountItem.build(name=name, owner_id=owner_id, created_at=created_at, **details)
        return cls(account.account_id, account)

    def write(self, transaction: TransactWrite) -> None:
        if self.new is not None:
            transaction.save(AccountNameItem.build(self.new), condition=AccountNameItem.PK.does_not_exist())
            transaction.save(self.new)
            save_all(transaction, of_account(self.new))


def stage_column_pk(pipeline_id: str, stage_id: str) -> str:
    return f"BOARD#{pipeline_id}#{stage_id}"


def owner_column_pk(owner_id: str, pipeline_id: str, stage_id: str) -> str:
    return f"OWNER#{owner_id}#BOARD#{pipeline_id}#{stage_id}"


def account_id_by_name(name: str) -> str | None:
    """The account already holding this company name (after normalization), if any: one GetItem."""
    try:
        item = AccountNameItem.get(*AccountNameItem.key(normalize_account_name(name)), consistent_read=True)
    except AccountNameItem.DoesNotExist:
        return None
    return item.account_id


def account_names(account_ids: set[str]) -> dict[str, str]:
    """Account id -> name for the given accounts: one BatchGet, so a list of contacts shows their companies."""
    keys = [AccountItem.key(account_id) for account_id in sorted(account_ids)]
    return {account.account_id: account.name for account in AccountItem.batch_get(keys)}
