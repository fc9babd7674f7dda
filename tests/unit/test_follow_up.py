import pytest

from crm.domain.follow_up import follow_up


def run(activities, status="new", max_attempts=5):
    attempts = 0
    for activity_type, direction, outcome in activities:
        result = follow_up(status, attempts, activity_type, direction, outcome, max_attempts)
        status, attempts = result.status, result.attempts_without_response
    return status, attempts


UNANSWERED_CALL = ("call", "outbound", "no_answer")


def test_a_first_unanswered_call_makes_the_lead_attempting():
    assert run([UNANSWERED_CALL]) == ("attempting", 1)


def test_five_unanswered_attempts_mean_not_interested():
    attempts = [UNANSWERED_CALL, ("email", "outbound", "sent"), ("call", "outbound", "voicemail"),
                UNANSWERED_CALL, ("email", "outbound", None)]
    assert run(attempts[:4]) == ("attempting", 4)
    assert run(attempts) == ("not_interested", 5)


def test_the_limit_is_configurable():
    assert run([UNANSWERED_CALL] * 3, max_attempts=3) == ("not_interested", 3)


@pytest.mark.parametrize("response", [("call", "outbound", "answered"), ("email", "outbound", "replied"),
                                      ("call", "inbound", None), ("meeting", "outbound", None)])
def test_any_response_resets_the_count_and_means_contacted(response):
    assert run([UNANSWERED_CALL] * 4 + [response]) == ("contacted", 0)
    assert run([UNANSWERED_CALL] * 5 + [response]) == ("contacted", 0)


def test_notes_change_nothing():
    assert run([UNANSWERED_CALL, ("note", "outbound", None)]) == ("attempting", 1)


def test_a_contacted_lead_that_stops_answering_stays_contacted_until_the_limit():
    assert run([("call", "outbound", "answered"), UNANSWERED_CALL]) == ("contacted", 1)
    assert run([("call", "outbound", "answered")] + [UNANSWERED_CALL] * 5) == ("not_interested", 5)


@pytest.mark.parametrize("activity", [UNANSWERED_CALL, ("email", "outbound", "sent"), ("call", "outbound", "answered"),
                                      ("email", "inbound", None)])
def test_a_converted_lead_keeps_its_status_and_count(activity):
    assert run([activity] * 6, status="converted") == ("converted", 0)


def test_a_lead_nobody_reached_in_time_keeps_saying_so_until_the_person_answers():
    # "unreached" is what happened (escalations ran out, L4), a status beside the score's temperature, not one
    from crm.domain.follow_up import STATUSES
    from crm.domain.qualification import TEMPERATURES

    assert not set(STATUSES) & set(TEMPERATURES)
    assert run([UNANSWERED_CALL], status="unreached") == ("unreached", 1)
    assert run([UNANSWERED_CALL, ("call", "outbound", "answered")], status="unreached") == ("contacted", 0)
