"""When automation must leave a lead alone, and when we may write to it (L7, L8, L9, L10, consent)."""

from __future__ import annotations

from dataclasses import dataclass

from crm.reasons import Reason


@dataclass(frozen=True)
class AutomationFacts:
    status: str
    cycle: str | None
    converted: bool = False
    erased: bool = False
    junk: bool = False


def stop_reason(facts: AutomationFacts) -> str | None:
    """Why no workflow may act on the lead any more (None: it may)."""
    if facts.erased:
        return "deleted"
    if facts.converted:
        return "converted"
    if facts.junk:
        return "junk"
    if facts.status == "not_interested":
        return "not interested"
    return None


@dataclass(frozen=True)
class EmailFacts:
    has_email: bool
    consent_given: bool
    unsubscribed: bool
    suppressed: str | None


def service_email_blocked(facts: EmailFacts) -> Reason | None:
    """Messages about the lead's own request (status changes) need no marketing consent, but an unsubscribe,
    bounce or complaint still stops them. Returns why not, or None."""
    if not facts.has_email:
        return Reason("no_email_address")
    if facts.suppressed:
        return Reason("address_suppressed", why=facts.suppressed)
    if facts.unsubscribed:
        return Reason("unsubscribed")
    return None


def marketing_email_blocked(facts: EmailFacts, legal_basis: str) -> Reason | None:
    """Marketing email needs all of that and consent too, unless the configured legal basis is legitimate
    interest."""
    blocked = service_email_blocked(facts)
    if blocked is None and not facts.consent_given and legal_basis == "consent":
        return Reason("no_consent")
    return blocked
