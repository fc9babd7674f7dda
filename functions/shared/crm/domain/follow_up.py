"""Follow-ups (L8): every call or email changes the lead's status; five unanswered attempts mean "not interested".

Statuses: new -> attempting (tried, no answer yet) -> contacted (the person answered, replied or reached out);
after `max_attempts` unanswered attempts in a row -> not_interested; unreached when nobody made the first contact
before the escalations ran out (L4), whatever the lead's temperature. Any response resets the count, even on a
lead marked not interested or unreached: the person is talking to us again. A converted lead keeps its status: its
calls and emails are still on its timeline, which the contact's page shows.
"""

from __future__ import annotations

from dataclasses import dataclass

RESPONSE_OUTCOMES = frozenset({"answered", "replied"})
STATUSES = ("new", "attempting", "contacted", "not_interested", "unreached")
CONVERTED = "converted"  # set by conversion (L10), never by a follow-up


@dataclass(frozen=True)
class FollowUp:
    status: str
    attempts_without_response: int
    responded: bool
    attempted: bool


def follow_up(status: str, attempts_without_response: int, activity_type: str, direction: str,
              outcome: str | None, max_attempts: int) -> FollowUp:
    """The lead's status and unanswered-attempt count after one activity."""
    responded = direction == "inbound" or outcome in RESPONSE_OUTCOMES or activity_type == "meeting"
    if status == CONVERTED:  # the person is a contact now: the lead keeps the status conversion gave it
        return FollowUp(status, attempts_without_response, responded=responded, attempted=False)
    if responded:
        return FollowUp("contacted", 0, responded=True, attempted=False)
    if activity_type not in {"call", "email"}:
        return FollowUp(status, attempts_without_response, responded=False, attempted=False)
    attempts = attempts_without_response + 1
    if attempts >= max_attempts:
        return FollowUp("not_interested", attempts, responded=False, attempted=True)
    next_status = status if status in {"contacted", "unreached"} else "attempting"
    return FollowUp(next_status, attempts, responded=False, attempted=True)
