"""Lead qualification (L5): BANT answers, fit with the ideal customer, seed signals and engagement become one score.

The score sorts a lead into cold / warm / hot and into one of three cycles (expected buyer, nurturable, no prospect).
Every point is explained by a ScorePart, so a rep can see why a lead landed where it did.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from crm.reasons import invalid

# --- The whole model: points per signal. The score is clamped to 0..100: only a lead with nearly every signal at its
# best adds up past 100 (MAX_POINTS is the sum of every signal at its best), and penalties can take it below 0.
BANT_POINTS = 14  # each of budget, authority, need, timing, for an answer that reads as positive
# All four answered positively: the visitor qualified themselves, which weighs more than the four answers apart. With
# the profile's size and role it makes a hot lead (56 + 8 + 5 + 5 = 74); without them it stays warm.
BANT_COMPLETE_POINTS = 8
BANT_PARTIAL_POINTS = BANT_POINTS // 2  # an answer that is neither clearly positive nor clearly negative
TIMING_LATER_POINTS = 3  # "next year", "just looking": they answered, but are not buying soon
SIZE_FIT_POINTS = 5  # company size band is one the profile targets
ROLE_FIT_POINTS = 5  # job title contains an authority keyword
COUNTRY_FIT_POINTS = 2  # only when the profile lists countries
INDUSTRY_FIT_POINTS = 2  # only when the profile lists industries
RECENT_CHANGE_POINTS = 5  # new funding, owner or manager: companies then change suppliers too (seed 000)
REFERRAL_POINTS = 5  # ties to existing customers (seed 000)
OPEN_POINTS, OPEN_CAP = 1, 2
CLICK_POINTS, CLICK_CAP = 2, 4
REPLY_POINTS, REPLY_CAP = 4, 8
CALL_POINTS, CALL_CAP = 6, 6  # an answered call
UNANSWERED_PENALTY, UNANSWERED_CAP = 2, 10  # per unanswered attempt; five attempts reach the cap (seed 002)
TIMEFRAME_SOON_DAYS = 92  # a stated timeframe up to about three months counts as buying soon

MAX_POINTS = (4 * BANT_POINTS + BANT_COMPLETE_POINTS + SIZE_FIT_POINTS + ROLE_FIT_POINTS + COUNTRY_FIT_POINTS
              + INDUSTRY_FIT_POINTS + RECENT_CHANGE_POINTS + REFERRAL_POINTS + OPEN_CAP + CLICK_CAP + REPLY_CAP
              + CALL_CAP)

# --- Keywords (en, de, hu, el, fa). Matched as whole words or phrases, ignoring case and accents.
_YES = ("yes", "ja", "igen", "ναι", "بله")
_NO = ("no", "none", "not yet", "nein", "kein", "keins", "nincs", "όχι", "نه", "ندارم")
BUDGET_POSITIVE = (*_YES, "approved", "genehmigt", "jóváhagyva", "εγκεκριμένο", "تایید شده")
BUDGET_NEGATIVE = _NO
AUTHORITY_POSITIVE = (*_YES, "i decide", "decision maker", "ich entscheide", "entscheider", "én döntök",
                      "döntéshozó", "αποφασίζω", "من تصمیم")
AUTHORITY_NEGATIVE = (*_NO, "not me", "my boss", "mein chef", "a főnököm", "ο προϊστάμενος", "مدیرم")
NEED_NEGATIVE = (*_NO, "nothing", "nichts", "semmi", "τίποτα", "هیچ")  # only when that is the whole answer
NEED_MIN_CHARS = 10
TIMING_SOON = ("now", "asap", "immediately", "urgent", "this month", "this quarter", "sofort", "dringend",
               "diesen monat", "dieses quartal", "azonnal", "sürgős", "ebben a hónapban", "άμεσα", "τώρα",
               "επείγον", "فوری", "الان")
TIMING_LATER = ("later", "next year", "just looking", "not now", "später", "nächstes jahr", "nicht jetzt",
                "később", "jövőre", "csak nézelődöm", "αργότερα", "του χρόνου", "απλώς κοιτάω", "بعدا",
                "سال بعد", "فقط نگاه")
# Word stems for "<number> <unit>" timeframes, with the unit's length in days.
TIMEFRAME_UNITS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("day", "tag", "nap", "μερ", "ημερ", "روز"), 1),
    (("week", "woche", "hét", "εβδομάδ", "هفته"), 7),
    (("month", "monat", "hónap", "μήν", "ماه"), 30),
)
TEMPERATURES = ("cold", "warm", "hot")
CYCLES = ("expected_buyer", "nurturable", "no_prospect")


@dataclass(frozen=True)
class IdealCustomerProfile:
    """Who usually buys from us; kept as data so an admin can change it."""

    company_size_bands: frozenset[str]
    roles: tuple[str, ...]  # authority keywords, matched as substrings of the job title
    countries: frozenset[str] = frozenset()  # empty: any country, and country gives no points
    industries: frozenset[str] = frozenset()  # empty: any industry, and industry gives no points


DEFAULT_PROFILE = IdealCustomerProfile(
    company_size_bands=frozenset({"11-50", "51-200", "201-1000"}),
    roles=("owner", "founder", "ceo", "director", "head", "manager", "vp", "chief", "geschäftsführer", "leiter",
           "igazgató", "vezető", "διευθυντής", "مدیر"),
)


@dataclass(frozen=True)
class Thresholds:
    """Score limits for warm and hot; configurable so a team can tune how picky it is."""

    warm: int = 40
    hot: int = 70

    def __post_init__(self) -> None:
        if not 0 <= self.warm <= self.hot <= 100:
            raise invalid("thresholds_order")


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class LeadSignals:
    """What scoring may look at: the form's BANT answers, firmographics, seed signals and engagement counts."""

    budget: str | None = None
    authority: str | None = None
    need: str | None = None
    timing: str | None = None
    company_size: str | None = None
    role: str | None = None
    country: str | None = None
    industry: str | None = None
    recent_company_change: bool = False
    referred_by_customer: bool = False
    source: str | None = None
    opens: int = 0
    clicks: int = 0
    replies: int = 0
    answered_calls: int = 0
    unanswered_attempts: int = 0


SCORE_REASONS: Mapping[str, str] = MappingProxyType({
    "budget_amount": "stated a budget amount", "budget_yes": "has a budget",
    "budget_answered": "answered the budget question", "budget_none": "no budget",
    "authority_no": "not the decision maker", "authority_yes": "decides on the purchase",
    "authority_answered": "answered the authority question",
    "need_none": "no stated need", "need_stated": "stated a need", "need_short": "gave a short need",
    "timing_later": "not buying soon", "timing_now": "buying now", "timing_quarter": "buying within three months",
    "timing_answered": "gave a timeframe", "bant_complete": "budget, authority, need and timing all positive",
    "size_fit": "company size {size} fits", "role_fit": "role '{role}' signals authority",
    "country_fit": "{country} is a target market", "industry_fit": "industry '{industry}' is targeted",
    "recent_change": "recent change at the company", "customer_ties": "ties to an existing customer",
    "referral": "came through a referral", "opens": "opened {count} emails", "clicks": "clicked {count} links",
    "replies": "replied {count} times", "answered_calls": "answered {count} calls",
    "unanswered_attempts": "{count} contact attempts without an answer",
})
"""Why a signal gave its points, by code: the English text (the site shows each code in the reader's language,
static_site/js/i18n/record.js, with the part's params)."""


@dataclass(frozen=True)
class ScorePart:
    """One line of the explanation: a signal, the points it gave or took, and why (a code of SCORE_REASONS with its
    params)."""

    signal: str
    points: int
    code: str
    params: Mapping[str, str | int] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def reason(self) -> str:
        return SCORE_REASONS[self.code].format(**self.params)


NO_BUDGET = ScorePart("budget", 0, "budget_none")
NOT_SOON = ScorePart("timing", TIMING_LATER_POINTS, "timing_later")


@dataclass(frozen=True)
class Qualification:
    """The outcome: a 0..100 score, its temperature, the cycle the lead goes into, and why."""

    score: int
    temperature: str
    cycle: str
    parts: tuple[ScorePart, ...]


def qualify(signals: LeadSignals, profile: IdealCustomerProfile = DEFAULT_PROFILE,
            thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Qualification:
    """Score a lead and sort it into a temperature and a cycle.

    Temperature: score >= hot is hot, >= warm is warm, else cold.
    Cycle: hot leads are expected buyers and warm ones nurturable. A cold lead stays nurturable while there is a
    reason to keep trying (a stated need, fit with the profile, a recent change or referral, or any engagement),
    otherwise it is no prospect. A lead that says both "no budget" and "not soon" is no prospect whatever its
    score, unless it has engaged (opened, clicked, replied or answered a call): then the rules above apply.
    """
    bant = [_budget(signals.budget), _authority(signals.authority), _need(signals.need), _timing(signals.timing)]
    fit = _fit(signals, profile)
    seeds = _seed_signals(signals)
    engagement = _engagement(signals)
    parts = tuple(part for part in (*bant, _bant_complete(bant), *fit, *seeds, *engagement) if part is not None)

    score = max(0, min(100, sum(part.points for part in parts)))
    temperature = "hot" if score >= thresholds.hot else "warm" if score >= thresholds.warm else "cold"

    engaged = any(count > 0 for count in (signals.opens, signals.clicks, signals.replies, signals.answered_calls))
    budget, _authority_part, need, timing = bant
    ruled_out = budget == NO_BUDGET and timing == NOT_SOON
    if ruled_out and not engaged:
        cycle = "no_prospect"
    elif temperature == "hot":
        cycle = "expected_buyer"
    elif temperature == "warm" or engaged or fit or seeds or (need is not None and need.points > 0):
        cycle = "nurturable"
    else:
        cycle = "no_prospect"
    return Qualification(score, temperature, cycle, parts)


def explain(q: Qualification) -> list[dict]:
    """The explanation as JSON-ready dicts, for storing next to the lead."""
    return [{"signal": part.signal, "points": part.points, "reason": part.reason, "code": part.code,
             "params": dict(part.params)} for part in q.parts]


def _budget(answer: str | None) -> ScorePart | None:
    text = _normalize(answer)
    if not text:
        return None
    amounts = [int(number) for number in re.findall(r"\d+", text)]
    if _has_phrase(text, BUDGET_NEGATIVE) or (amounts and not any(amounts)):
        return NO_BUDGET
    if any(amounts):
        return ScorePart("budget", BANT_POINTS, "budget_amount")
    if _has_phrase(text, BUDGET_POSITIVE):
        return ScorePart("budget", BANT_POINTS, "budget_yes")
    return ScorePart("budget", BANT_PARTIAL_POINTS, "budget_answered")


def _authority(answer: str | None) -> ScorePart | None:
    text = _normalize(answer)
    if not text:
        return None
    if _has_phrase(text, AUTHORITY_NEGATIVE):
        return ScorePart("authority", 0, "authority_no")
    if _has_phrase(text, AUTHORITY_POSITIVE):
        return ScorePart("authority", BANT_POINTS, "authority_yes")
    return ScorePart("authority", BANT_PARTIAL_POINTS, "authority_answered")


def _need(answer: str | None) -> ScorePart | None:
    text = _normalize(answer)
    if not text:
        return None
    if text in {_normalize(word) for word in NEED_NEGATIVE}:
        return ScorePart("need", 0, "need_none")
    if len(text) >= NEED_MIN_CHARS:
        return ScorePart("need", BANT_POINTS, "need_stated")
    return ScorePart("need", BANT_PARTIAL_POINTS, "need_short")


def _timing(answer: str | None) -> ScorePart | None:
    text = _normalize(answer)
    if not text:
        return None
    if _has_phrase(text, TIMING_LATER):  # first, so that "not now" is not read as "now"
        return NOT_SOON
    if _has_phrase(text, TIMING_SOON):
        return ScorePart("timing", BANT_POINTS, "timing_now")
    days = _timeframe_days(text)
    if days is not None and days <= TIMEFRAME_SOON_DAYS:
        return ScorePart("timing", BANT_POINTS, "timing_quarter")
    return ScorePart("timing", BANT_PARTIAL_POINTS, "timing_answered")


def _bant_complete(bant: list[ScorePart | None]) -> ScorePart | None:
    if all(part is not None and part.points == BANT_POINTS for part in bant):
        return ScorePart("bant_complete", BANT_COMPLETE_POINTS, "bant_complete")
    return None


def _fit(signals: LeadSignals, profile: IdealCustomerProfile) -> list[ScorePart]:
    parts = []
    if signals.company_size in profile.company_size_bands:
        parts.append(ScorePart("company_size", SIZE_FIT_POINTS, "size_fit",
                               {"size": signals.company_size}))
    role = _normalize(signals.role)
    if role and any(_normalize(keyword) in role for keyword in profile.roles):
        parts.append(ScorePart("role", ROLE_FIT_POINTS, "role_fit", {"role": str(signals.role)}))
    if profile.countries and signals.country and signals.country.upper() in {c.upper() for c in profile.countries}:
        parts.append(ScorePart("country", COUNTRY_FIT_POINTS, "country_fit", {"country": signals.country}))
    if profile.industries and signals.industry and _normalize(signals.industry) in {
            _normalize(industry) for industry in profile.industries}:
        parts.append(ScorePart("industry", INDUSTRY_FIT_POINTS, "industry_fit",
                               {"industry": signals.industry}))
    return parts


def _seed_signals(signals: LeadSignals) -> list[ScorePart]:
    parts = []
    if signals.recent_company_change:
        parts.append(ScorePart("recent_company_change", RECENT_CHANGE_POINTS, "recent_change"))
    if signals.referred_by_customer:
        parts.append(ScorePart("referral", REFERRAL_POINTS, "customer_ties"))
    elif signals.source == "referral":
        parts.append(ScorePart("referral", REFERRAL_POINTS, "referral"))
    return parts


def _engagement(signals: LeadSignals) -> list[ScorePart]:
    counted = (
        ("opens", signals.opens, OPEN_POINTS, OPEN_CAP),
        ("clicks", signals.clicks, CLICK_POINTS, CLICK_CAP),
        ("replies", signals.replies, REPLY_POINTS, REPLY_CAP),
        ("answered_calls", signals.answered_calls, CALL_POINTS, CALL_CAP),
    )
    parts = [ScorePart(signal, min(count * points, cap), signal, {"count": count})
             for signal, count, points, cap in counted if count > 0]
    if signals.unanswered_attempts > 0:
        penalty = min(signals.unanswered_attempts * UNANSWERED_PENALTY, UNANSWERED_CAP)
        parts.append(ScorePart("unanswered_attempts", -penalty,
                               "unanswered_attempts", {"count": signals.unanswered_attempts}))
    return parts


def _timeframe_days(text: str) -> int | None:
    """The shortest '<number> <unit>' timeframe in the text, in days; None when there is none."""
    found = []
    for number, word in re.findall(r"(\d+) ?([^\W\d_]+)", text):
        for stems, days in TIMEFRAME_UNITS:
            if any(word.startswith(_normalize(stem)) for stem in stems):
                found.append(int(number) * days)
                break
    return min(found, default=None)


def _has_phrase(text: str, phrases: Iterable[str]) -> bool:
    padded = f" {text} "
    return any(f" {_normalize(phrase)} " in padded for phrase in phrases)


_ARABIC_TO_PERSIAN = str.maketrans({"ي": "ی", "ك": "ک"})


def _normalize(text: str | None) -> str:
    """Lower case, accents and Arabic diacritics dropped, words joined by single spaces: 'Ναί!' -> 'ναι'."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char)).translate(_ARABIC_TO_PERSIAN)
    return " ".join(re.findall(r"\w+", bare))
