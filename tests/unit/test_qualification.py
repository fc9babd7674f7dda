import json

import pytest

from crm.domain.company_size import BANDS
from crm.domain.qualification import (
    BANT_COMPLETE_POINTS,
    BANT_POINTS,
    DEFAULT_PROFILE,
    DEFAULT_THRESHOLDS,
    MAX_POINTS,
    IdealCustomerProfile,
    LeadSignals,
    ScorePart,
    Thresholds,
    explain,
    qualify,
)

NEED = "Our spreadsheets no longer keep up with the leads"
FULL_BANT = {"budget": "Yes, 20,000 EUR approved", "authority": "Yes, I decide", "need": NEED,
             "timing": "this quarter"}
FIT = {"company_size": "51-200", "role": "CEO"}


def test_given_an_empty_lead_when_qualified_then_it_is_cold_with_no_prospect_and_score_zero():
    q = qualify(LeadSignals())
    assert (q.score, q.temperature, q.cycle, q.parts) == (0, "cold", "no_prospect", ())


def test_given_full_positive_bant_fit_and_referral_when_qualified_then_it_is_a_hot_expected_buyer():
    q = qualify(LeadSignals(**FULL_BANT, **FIT, source="referral"))
    assert q.temperature == "hot"
    assert q.cycle == "expected_buyer"
    assert {part.signal for part in q.parts} == {"budget", "authority", "need", "timing", "bant_complete",
                                                 "company_size", "role", "referral"}


def test_given_only_a_stated_need_when_qualified_then_it_is_cold_but_nurturable():
    q = qualify(LeadSignals(need=NEED))
    assert (q.score, q.temperature, q.cycle) == (BANT_POINTS, "cold", "nurturable")
    assert q.parts == (ScorePart("need", BANT_POINTS, "need_stated"),)


def test_given_only_fit_when_qualified_then_it_is_nurturable():
    assert qualify(LeadSignals(**FIT)).cycle == "nurturable"


def test_given_a_partial_budget_answer_when_qualified_then_it_gets_half_points():
    q = qualify(LeadSignals(budget="depends on the offer"))
    assert q.parts == (ScorePart("budget", BANT_POINTS // 2, "budget_answered"),)


@pytest.mark.parametrize(("budget", "authority", "timing", "role"), [
    ("Ja, genehmigt", "Ich entscheide", "sofort", "Geschäftsführer"),
    ("igen", "Én döntök", "3 hónapon belül", "ügyvezető igazgató"),
    ("Ναι", "Ναι, αποφασίζω εγώ", "ΑΜΕΣΑ", "Διευθυντής πωλήσεων"),
    ("بله، تأیید شده", "بله", "فوری", "مدیرعامل"),
    ("€ 5.000", "yes", "within 6 weeks", "Head of Sales"),
    ("50 میلیون", "بله", "۲ ماه", "مدیر فروش"),
    ("10000", "ναι", "σε 2 μήνες", "VP Operations"),
])
def test_given_positive_answers_in_several_languages_when_qualified_then_they_get_full_points(
        budget, authority, timing, role):
    q = qualify(LeadSignals(budget=budget, authority=authority, timing=timing, role=role))
    points = {part.signal: part.points for part in q.parts}
    assert points == {"budget": BANT_POINTS, "authority": BANT_POINTS, "timing": BANT_POINTS, "role": 5}
    assert "bant_complete" not in points  # no need was given


@pytest.mark.parametrize(("budget", "timing"), [
    ("no", "next year"),
    ("Nein, kein Budget", "nächstes Jahr"),
    ("nincs", "jövőre"),
    ("Όχι", "αργότερα"),
    ("نه", "بعداً"),
    ("not yet", "just looking"),
    ("0", "not now"),
])
def test_given_negative_budget_and_timing_in_several_languages_when_qualified_then_it_is_no_prospect(budget, timing):
    q = qualify(LeadSignals(budget=budget, timing=timing, need=NEED, **FIT))
    assert q.cycle == "no_prospect"
    assert ScorePart("budget", 0, "budget_none") in q.parts
    assert ScorePart("timing", 3, "timing_later") in q.parts


def test_given_negative_budget_and_timing_but_engagement_when_qualified_then_it_stays_nurturable():
    q = qualify(LeadSignals(budget="no", timing="next year", need=NEED, clicks=1))
    assert q.cycle == "nurturable"


def test_given_a_negative_authority_answer_when_qualified_then_the_explanation_says_why():
    q = qualify(LeadSignals(authority="No, my boss decides"))
    assert q.parts == (ScorePart("authority", 0, "authority_no"),)


def test_given_a_far_timeframe_when_qualified_then_it_gets_half_points():
    assert qualify(LeadSignals(timing="in 6 months")).score == BANT_POINTS // 2


def test_given_many_clicks_and_replies_when_qualified_then_the_lead_warms_up():
    base = LeadSignals(need=NEED, **FIT)
    engaged = LeadSignals(need=NEED, **FIT, opens=9, clicks=5, replies=2, answered_calls=1)
    assert qualify(base).temperature == "cold"
    q = qualify(engaged)
    assert q.temperature == "warm"
    assert q.cycle == "nurturable"
    assert {part.signal: part.points for part in q.parts if part.signal in {"opens", "clicks"}} == {
        "opens": 2, "clicks": 4}


def test_given_unanswered_attempts_when_qualified_then_the_score_drops():
    q = qualify(LeadSignals(need=NEED, unanswered_attempts=3))
    assert q.score == BANT_POINTS - 6
    assert q.parts[-1] == ScorePart("unanswered_attempts", -6, "unanswered_attempts", {"count": 3})


def test_given_only_penalties_when_qualified_then_the_score_clamps_at_zero():
    q = qualify(LeadSignals(unanswered_attempts=50))
    assert q.score == 0
    assert q.parts == (ScorePart("unanswered_attempts", -10, "unanswered_attempts",
                                  {"count": 50}),)


def test_given_every_signal_at_its_best_when_qualified_then_the_score_is_100():
    profile = IdealCustomerProfile(frozenset({"51-200"}), ("ceo",), frozenset({"DE"}), frozenset({"Retail"}))
    lead = LeadSignals(**FULL_BANT, **FIT, country="de", industry="retail", recent_company_change=True,
                       referred_by_customer=True, opens=99, clicks=99, replies=99, answered_calls=99)
    q = qualify(lead, profile)
    assert sum(part.points for part in q.parts) == MAX_POINTS > 100
    assert q.score == 100


def test_given_custom_thresholds_when_qualified_then_the_temperature_follows_them():
    lead = LeadSignals(need=NEED)
    assert qualify(lead, thresholds=Thresholds(warm=10, hot=60)).temperature == "warm"
    q = qualify(lead, thresholds=Thresholds(warm=5, hot=BANT_POINTS))
    assert (q.temperature, q.cycle) == ("hot", "expected_buyer")


def test_given_inverted_thresholds_when_created_then_they_are_rejected():
    with pytest.raises(ValueError):
        Thresholds(warm=80, hot=50)


def test_given_a_profile_with_countries_and_industries_when_qualified_then_only_listed_ones_fit():
    profile = IdealCustomerProfile(frozenset(), (), frozenset({"HU", "GR"}), frozenset({"Manufacturing"}))
    assert qualify(LeadSignals(country="HU", industry="manufacturing"), profile).score == 4
    assert qualify(LeadSignals(country="DE", industry=None), profile).score == 0
    assert qualify(LeadSignals(country="DE", industry="Retail")).score == 0


def test_given_an_unclamped_score_when_explained_then_the_points_sum_to_the_score():
    q = qualify(LeadSignals(**FULL_BANT, role="Marketing Manager", recent_company_change=True, clicks=1,
                            unanswered_attempts=2))
    stored = explain(q)
    assert sum(item["points"] for item in stored) == q.score
    assert json.loads(json.dumps(stored, ensure_ascii=False)) == stored
    assert set(stored[0]) == {"signal", "points", "reason", "code", "params"}


def test_each_reason_is_a_code_with_params_and_its_english_text():
    """The site translates a reason by its code and params; API clients and the stored lead keep the English."""
    q = qualify(LeadSignals(**FULL_BANT, role="CEO", company_size="51-200", unanswered_attempts=3))
    stored = {item["code"]: item for item in explain(q)}
    assert stored["role_fit"]["params"] == {"role": "CEO"}
    assert stored["role_fit"]["reason"] == "role 'CEO' signals authority"
    assert stored["size_fit"]["reason"] == "company size 51-200 fits"
    assert stored["unanswered_attempts"]["params"] == {"count": 3}
    assert stored["unanswered_attempts"]["reason"] == "3 contact attempts without an answer"
    assert stored["bant_complete"]["params"] == {}


def test_given_any_lead_when_qualified_then_parts_come_in_a_stable_order():
    lead = LeadSignals(unanswered_attempts=1, answered_calls=1, replies=1, clicks=1, opens=1, source="referral",
                       recent_company_change=True, **FIT, **FULL_BANT)
    assert [part.signal for part in qualify(lead).parts] == [
        "budget", "authority", "need", "timing", "bant_complete", "company_size", "role", "recent_company_change",
        "referral",
        "opens", "clicks", "replies", "answered_calls", "unanswered_attempts"]
    assert qualify(lead) == qualify(lead)


def test_given_the_default_profile_then_its_bands_are_known_company_size_bands():
    assert DEFAULT_PROFILE.company_size_bands <= {label for *_rest, label in BANDS}


# The answers /form.html lets a visitor give (its questions, its company size choices, its two-letter country).
FORM_BEST = {"budget": "Budget approved", "authority": "I decide", "need": NEED, "timing": "Buying now",
             "role": "CEO", "company_size": "51-200", "country": "DE"}
FORM_TYPICAL = {"budget": "Not sure yet", "authority": "I recommend", "need": "We would like to see a demo",
                "timing": "in 6 months", "role": "Sales Manager", "company_size": "11-50", "country": "DE"}


def test_given_the_best_form_answers_when_qualified_then_the_visitor_is_a_hot_expected_buyer():
    q = qualify(LeadSignals(**FORM_BEST, source="web_page"))
    assert q.score >= DEFAULT_THRESHOLDS.hot
    assert (q.temperature, q.cycle) == ("hot", "expected_buyer")
    assert ("bant_complete", BANT_COMPLETE_POINTS) in {(part.signal, part.points) for part in q.parts}


def test_given_full_bant_without_the_profile_fit_when_qualified_then_it_is_warm_not_hot():
    off_profile = {**FORM_BEST, "role": "Assistant", "company_size": "1-10"}
    assert qualify(LeadSignals(**off_profile)).temperature == "warm"
    for missing in ("role", "company_size"):
        assert qualify(LeadSignals(**{**FORM_BEST, missing: None})).temperature == "warm"


@pytest.mark.parametrize("weak", ["budget", "authority", "need", "timing"])
def test_given_one_bant_answer_short_of_positive_when_qualified_then_the_fitting_lead_is_not_hot(weak):
    answer = {"budget": "depends", "authority": "I recommend", "need": "demo", "timing": "in 6 months"}[weak]
    q = qualify(LeadSignals(**{**FORM_BEST, weak: answer}))
    assert "bant_complete" not in {part.signal for part in q.parts}
    assert (q.temperature, q.cycle) == ("warm", "nurturable")


def test_given_typical_form_answers_when_qualified_then_the_visitor_is_warm_and_nurtured():
    q = qualify(LeadSignals(**FORM_TYPICAL, source="web_page"))
    assert (q.temperature, q.cycle) == ("warm", "nurturable")
    assert "bant_complete" not in {part.signal for part in q.parts}
