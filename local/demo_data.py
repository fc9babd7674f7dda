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
