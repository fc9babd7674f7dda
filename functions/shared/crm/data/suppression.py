"""The suppression list: addresses that get no email at all (a permanent bounce, a complaint) or no marketing email
(an unsubscribe), whoever the lead or contact behind them is now.

A lead's own flags end with the lead: erasure frees its address, and the same person coming back as a new lead
would be written to again. The list outlives that: an item per address, keyed by an HMAC-SHA256 of the normalised
address under a secret key (SUPPRESSION_KEY_SECRET), so it holds no address, no name and no lead id, and erasure
leaves it in place. Without the key the hash cannot be tested against guessed addresses.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from pynamodb.attributes import UnicodeAttribute
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from crm.data.table import CrmItem
from crm.integrations.secrets import secret_string
from crm.settings import get_settings

SUPPRESSIONS = ("bounce", "complaint")


class SuppressedAddressItem(CrmItem, discriminator="SuppressedAddress"):
    """One address's standing: first suppression (why, when) and first unsubscribe, never undone by a lead's end."""

    suppressed = UnicodeAttribute(null=True)  # "bounce" | "complaint": no email at all
    suppressed_at = UnicodeAttribute(null=True)
    unsubscribed_at = UnicodeAttribute(null=True)  # no marketing email

    @classmethod
    def key(cls, address: str) -> tuple[str, str]:
        return f"SUPPRESSED#{address_hash(address)}", "SUPPRESSED"


@dataclass(frozen=True)
class Listing:
    """What the list says of an address (nothing, for an address not on it)."""

    suppressed: str | None = None
    unsubscribed: bool = False


NOT_LISTED = Listing()


def _key() -> bytes:
    secret_id = get_settings().suppression_key_secret
    if not secret_id:
        raise RuntimeError("SUPPRESSION_KEY_SECRET is not set: the suppression list cannot be read or written")
    return secret_string(secret_id).encode()


def normalised(address: str) -> str:
    """Mailboxes are case-insensitive in practice: "Ann@X.example " and "ann@x.example" are one address."""
    return address.strip().lower()


def address_hash(address: str) -> str:
    return hmac.new(_key(), normalised(address).encode(), hashlib.sha256).hexdigest()


def _listing(item: SuppressedAddressItem) -> Listing:
    return Listing(item.suppressed, bool(item.unsubscribed_at))


def listing(address: str | None) -> Listing:
    if not address:
        return NOT_LISTED
    try:
        return _listing(SuppressedAddressItem.get(*SuppressedAddressItem.key(address)))
    except SuppressedAddressItem.DoesNotExist:
        return NOT_LISTED


def listings(addresses: Iterable[str | None]) -> dict[str, Listing]:
    """The listing of each address (by the address as given); pynamodb's batch_get reads each key once, in BatchGets
    of 100."""
    keys = {address: SuppressedAddressItem.key(address) for address in set(addresses) if address}
    found = {(item.PK, item.SK): _listing(item) for item in SuppressedAddressItem.batch_get(keys.values())}
    return {address: found.get(key, NOT_LISTED) for address, key in keys.items()}


def _actions(suppressed: str | None, unsubscribed: bool, at: str) -> list[Action]:
    """The first reason and times stay: a repeated event or click changes nothing."""
    if suppressed is not None and suppressed not in SUPPRESSIONS:
        raise ValueError(f"not a suppression: {suppressed!r}")
    item = SuppressedAddressItem
    actions: list[Action] = [item.kind.set(item)]
    if suppressed:
        actions += [item.suppressed.set(item.suppressed | suppressed), item.suppressed_at.set(item.suppressed_at | at)]
    if unsubscribed:
        actions.append(item.unsubscribed_at.set(item.unsubscribed_at | at))
    return actions


def suppress(address: str, why: str, at: str) -> None:
    """Lists the address as suppressed ("bounce" or "complaint")."""
    SuppressedAddressItem(*SuppressedAddressItem.key(address)).update(actions=_actions(why, False, at))


def list_in(transaction: TransactWrite, address: str, *, suppressed: str | None = None, unsubscribed: bool = False,
            at: str) -> None:
    """Adds to `transaction` the listing of the address as suppressed and/or unsubscribed."""
    if suppressed or unsubscribed:
        transaction.update(SuppressedAddressItem(*SuppressedAddressItem.key(address)),
                           actions=_actions(suppressed, unsubscribed, at))


def unlist_in(transaction: TransactWrite, address: str) -> None:
    """Adds to `transaction` the end of the address's suppression and unsubscribe: the person confirmed, from a link
    we mailed to it, that they read it and want our mail again (crm.services.consent). An update, not a delete: the
    link's function may only write items."""
    item = SuppressedAddressItem
    transaction.update(item(*item.key(address)), actions=[item.kind.set(item), item.suppressed.remove(),
                                                          item.suppressed_at.remove(), item.unsubscribed_at.remove()])
