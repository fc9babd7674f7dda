"""Users of the CRM (reps, managers, admins), routing rules and the round-robin counter."""

from __future__ import annotations

from collections.abc import Iterable

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute

from crm.cache import ttl_cached
from crm.data.table import CrmItem
from crm.roles import INTEGRATION, ROLES

TEAM_NAMES_SECONDS = 30  # a renamed user shows by their new name within this long in every process


class UserItem(CrmItem, discriminator="User"):
    user_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    extension = UnicodeAttribute(null=True)  # how a PBX names the user's desk phone (T1)
    sip_user = UnicodeAttribute(null=True)
    language = UnicodeAttribute(default="en")
    timezone = UnicodeAttribute(default="UTC")
    role = UnicodeAttribute()
    active = BooleanAttribute(default=True)
    updated_at = UnicodeAttribute(null=True)
    updated_by = UnicodeAttribute(null=True)

    @classmethod
    def build(cls, *, user_id: str, name: str, email: str, role: str, phone: str | None = None,
              extension: str | None = None, sip_user: str | None = None, language: str = "en",
              timezone: str = "UTC", active: bool = True) -> UserItem:
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        return cls(f"USER#{user_id}", "USER", user_id=user_id, name=name, email=email, phone=phone,
                   extension=extension, sip_user=sip_user, language=language, timezone=timezone, role=role,
                   active=active,
                   GSI2PK=f"ROLE#{role}", GSI2SK=f"{'A' if active else 'I'}#{user_id}")

    @classmethod
    def integration(cls, client_id: str) -> UserItem:
        """The principal of a machine client calling with OAuth client credentials: never saved, it sees records as a
        manager would (its role is no rep's) and what it writes is by `integration:<client id>`."""
        user_id = f"integration:{client_id}"
        return cls(f"USER#{user_id}", "USER", user_id=user_id, name=user_id, email="", role=INTEGRATION)

    @property
    def is_integration(self) -> bool:
        return self.role == INTEGRATION


class RoutingRuleItem(CrmItem, discriminator="RoutingRule"):
    """A rule as data; `conditions` keys: countries, sources, languages, min/max_company_size."""

    rule_id = UnicodeAttribute()
    priority = NumberAttribute()
    rep_ids = JSONAttribute()
    conditions = JSONAttribute(default=dict)

    PARTITION = "ROUTING"

    @classmethod
    def build(cls, rule_id: str, priority: int, rep_ids: list[str], conditions: dict) -> RoutingRuleItem:
        return cls(cls.PARTITION, f"RULE#{priority:05d}#{rule_id}", rule_id=rule_id, priority=priority,
                   rep_ids=rep_ids, conditions=conditions)


class CounterItem(CrmItem, discriminator="Counter"):
    value = NumberAttribute(default=0)


def get_user(user_id: str) -> UserItem | None:
    try:
        return UserItem.get(f"USER#{user_id}", "USER")
    except UserItem.DoesNotExist:
        return None


@ttl_cached(TEAM_NAMES_SECONDS)
def signed_in_user(user_id: str) -> UserItem | None:
    """The user a verified token names, read at most every TEAM_NAMES_SECONDS per process: every API request
    needs it first. A deactivation or role change reaches a running process within that time, well inside the
    hour an already issued Cognito token stays valid anyway."""
    return get_user(user_id)


def user_names(user_ids: Iterable[str]) -> dict[str, str]:
    """User id -> name for these users (unknown ids are left out). Cards, rows and timelines name many owners on
    every read; a team is small, so each process keeps the whole team's names and reads only newcomers at once."""
    wanted = set(user_ids)
    names = team_names()
    missing = sorted(wanted - names.keys())
    if missing:
        names = names | {user.user_id: user.name for user in UserItem.batch_get([(f"USER#{id_}", "USER")
                                                                                 for id_ in missing])}
    return {user_id: names[user_id] for user_id in wanted if user_id in names}


@ttl_cached(TEAM_NAMES_SECONDS)
def team_names() -> dict[str, str]:
    """Every user's name, by id: three index queries (one per role), re-read at most every TEAM_NAMES_SECONDS."""
    return {user.user_id: user.name for role in ROLES for user in UserItem.state_index.query(f"ROLE#{role}")}


def active_users(role: str) -> list[UserItem]:
    return list(UserItem.state_index.query(f"ROLE#{role}", UserItem.GSI2SK.startswith("A#")))


def active_team() -> list[UserItem]:
    """Every active user, whatever their role, by name: whom "everyone" covers and whom a manager may pick."""
    return sorted((user for role in ROLES for user in active_users(role)), key=lambda user: (user.name, user.user_id))


@ttl_cached(TEAM_NAMES_SECONDS)
def calling_team() -> list[UserItem]:
    """The active team as telephony matches a call's rep (by phone, extension, SIP user or email), read at most every
    TEAM_NAMES_SECONDS per process: every new call's first event names its rep."""
    return active_team()


def routing_rules() -> list[RoutingRuleItem]:
    return list(RoutingRuleItem.query(RoutingRuleItem.PARTITION, RoutingRuleItem.SK.startswith("RULE#")))


def take_round_robin_turn() -> int:
    """An atomic counter: concurrent intakes each get their own turn."""
    counter = CounterItem("COUNTER", "ROUND_ROBIN")
    counter.update(actions=[CounterItem.value.add(1)])
    return int(counter.value) - 1
