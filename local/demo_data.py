"""Demo people and routing rules, written on first start so the local CRM is usable at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoUser:
    user_id: str
    name: str
    email: str
    role: str
    phone: str
    language: str
    timezone: str


DEMO_USERS = (
    DemoUser("admin-ada", "Ada Admin", "admin@example.com", "admin", "+14155550199", "en", "Europe/London"),
    DemoUser("manager-maria", "Maria Manager", "manager@example.com", "manager", "+14155550100", "en",
             "America/New_York"),
    DemoUser("rep-anna", "Anna Schmidt", "anna@example.com", "rep", "+4915112345678", "de", "Europe/Berlin"),
    DemoUser("rep-bela", "Béla Kovács", "bela@example.com", "rep", "+36301234567", "hu", "Europe/Budapest"),
    DemoUser("rep-chris", "Chris Miller", "chris@example.com", "rep", "+14155550123", "en", "America/Chicago"),
)

# (rule id, priority, rep ids, conditions): the first matching rule by priority assigns the lead.
DEMO_ROUTING_RULES = (
    ("dach", 10, ["rep-anna"], {"countries": ["DE", "AT", "CH"]}),
    ("hungary", 20, ["rep-bela"], {"countries": ["HU"]}),
    ("enterprise", 30, ["rep-chris"], {"min_company_size": 201}),
)


def seed_demo_data() -> list[DemoUser]:
    """Writes the demo users and rules unless users exist already; returns the users it wrote.

    crm is imported here, not at module level: its table names come from the environment the
    runner sets first.
    """
    from crm.data.people import ROLES, RoutingRuleItem, UserItem

    if any(next(iter(UserItem.state_index.query(f"ROLE#{role}", limit=1)), None) for role in ROLES):
        return []
    for user in DEMO_USERS:
        UserItem.build(user_id=user.user_id, name=user.name, email=user.email, role=user.role,
                       phone=user.phone, language=user.language, timezone=user.timezone).save()
    for rule_id, priority, rep_ids, conditions in DEMO_ROUTING_RULES:
        RoutingRuleItem.build(rule_id, priority, rep_ids, conditions).save()
    return list(DEMO_USERS)


# One lead per cycle, as the web form would post them: an expected buyer (the personal route and its SLA),
# a nurturable lead with consent (the nurture sequence) and a no-prospect lead (no automation).
DEMO_LEADS = (
    {"name": "Hanna Hot", "email": "hanna.hot@example.org", "phone": "+49 40 5550101", "company": "Globex GmbH",
     "country": "DE", "language": "de", "role": "CEO", "company_size": "51-200",
     "budget": "Yes, 20,000 EUR approved", "authority": "Yes, I decide", "timing": "this quarter",
     "message": "Our spreadsheets no longer keep up with the leads", "referred_by": "Acme Kft",
     "marketing_consent": True, "consent_text": "Yes, send me news", "source": "referral"},
    {"name": "Nora Nurture", "email": "nora.nurture@example.org", "company": "Initech Ltd", "country": "GB",
     "message": "We are looking at CRMs for next year", "marketing_consent": True,
     "consent_text": "Yes, send me news", "source": "ebook"},
    {"name": "Bence Browsing", "email": "bence@example.org", "country": "HU", "language": "hu",
     "budget": "no budget", "timing": "just looking", "source": "web_page"},
)


def seed_demo_leads() -> list[str]:
    """Posts the demo leads through the intake service, so each starts its real workflow; returns their ids."""
    from crm.clock import utcnow
    from crm.models.leads import LeadSubmission
    from crm.services.intake import submit_lead

    return [submit_lead(LeadSubmission.model_validate(lead), utcnow()).lead_id for lead in DEMO_LEADS]


# A deal in every stage of the default pipeline, spread over the reps, so the board has something to show. The
# numbers are how many days ago it entered its stage (some are stuck past their stage's limit, D5) and in how many
# days it is expected to close (negative: the date has passed; None: nobody said). Each company becomes an account
# listing its deals; Stark Industries has two, Anna's and Chris's.
DEMO_DEALS = (
    ("unsorted", "rep-anna", "Website inquiry: Globex", "Globex GmbH", "4800.00", "EUR", 0, "new_business", 45),
    ("identified", "rep-bela", "CRM for the Budapest office", "Umbrella Zrt", "2500000", "HUF", 20, "new_business",
     60),
    ("in-discussion", "rep-chris", "Sales team rollout", "Initech Ltd", "12000.00", "USD", 5, "new_business", 30),
    ("decision-makers-identified", "rep-anna", "Vertrieb Süd", "Tyrell AG", "18000.00", "EUR", 18, "upsell", -3),
    ("proposal", "rep-chris", "Enterprise pilot", "Wayne Enterprises", "45000.00", "USD", 12, "new_business", 14),
    ("negotiation", "rep-bela", "Renewal and upsell", "Acme Kft", "3900000", "HUF", 3, "renewal", 10),
    ("procurement", "rep-anna", "Procurement: 40 seats", "Stark Industries", "32000.00", "EUR", 1, "upsell", 7),
    ("identified", "rep-chris", "Stark Industries: US offices", "Stark Industries", "15000.00", "USD", 2,
     "new_business", None),
    ("identified", "rep-anna", "Field sales pilot", "Soylent GmbH", "7500.00", "EUR", 4, "new_business", 40),
    ("in-discussion", "rep-anna", "Second team: Hamburg", "Tyrell AG", "9600.00", "EUR", 6, "upsell", 21),
    ("proposal", "rep-anna", "Yearly renewal 2027", "Cyberdyne Systems", "14400.00", "EUR", 2, "renewal", 25),
    ("negotiation", "rep-anna", "Partner portal", "Globex GmbH", "21000.00", "EUR", 8, "new_business", 12),
    ("closed-won", "rep-chris", "Starter plan", "Hooli Inc", "6000.00", "USD", 30, "new_business", -30),
    ("closed-lost", "rep-bela", "Agency bundle", "Vandelay Import Export", "9000.00", "EUR", 30, "new_business",
     -30),
)


def seed_demo_deals() -> list[str]:
    """Creates the demo deals through the board service (counters, stage clocks, entry tasks, timelines and
    their companies' accounts included), each as of the day it entered its stage; returns their ids."""
    from datetime import timedelta
    from decimal import Decimal

    from crm.clock import utcnow
    from crm.data.people import get_user
    from crm.models.board import DealCreate
    from crm.services.board import create_deal

    manager = get_user("manager-maria")
    created = []
    now = utcnow()
    for stage_id, owner_id, title, account, amount, currency, days_ago, deal_type, closes_in in DEMO_DEALS:
        request = DealCreate(title=title, account_name=account, amount=Decimal(amount), currency=currency,
                             stage_id=stage_id, owner_id=owner_id, deal_type=deal_type,
                             expected_close_date=None if closes_in is None else (now + timedelta(closes_in)).date(),
                             lost_reason="Chose a competitor" if stage_id == "closed-lost" else None)
        created.append(create_deal(request, manager, now - timedelta(days=days_ago))["deal_id"])
    return created
