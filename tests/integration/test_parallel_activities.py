"""Follow-ups logged at the same moment (L8): every unanswered call is counted, and "not interested" is reached once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from tests.integration.test_board_api import board  # noqa: F401
from tests.integration.test_status_messages import status_executions

ROUNDS = 8
PARALLEL = 5  # as many as MAX_CONTACT_ATTEMPTS: the last one counted makes the lead not interested


def new_lead(email: str) -> str:
    """A new lead as the web form leaves it, its workflow started."""
    from crm.clock import utcnow
    from crm.models.leads import LeadSubmission
    from crm.services.intake import submit_lead

    submission = LeadSubmission.model_validate({"name": "Sam Parallel", "email": email, "country": "HU",
                                                "message": "We need a CRM for our team of five"})
    return submit_lead(submission, utcnow()).lead_id


def post_in_parallel(board, lead_id: str, keys: list[str | None]) -> list[requests.Response]:
    """One unanswered call per key, all sent at once by the lead's owner (None: no Idempotency-Key)."""
    from crm.data.leads import get_lead

    token = board.token(get_lead(lead_id).owner_id).json()["token"]

    def post(key: str | None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}", **({"Idempotency-Key": key} if key else {})}
        return requests.post(f"{board.url}/api/leads/{lead_id}/activities", headers=headers, timeout=60,
                             json={"type": "call", "outcome": "no_answer"})

    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        return list(pool.map(post, keys))


def test_parallel_unanswered_calls_are_each_counted_and_the_lead_becomes_not_interested_once(crm, board, monkeypatch):
    import crm.services.activities as activities
    from crm.data.leads import get_lead

    stopped: list[str] = []
    monkeypatch.setattr(activities, "stop_lead_lifecycle",
                        lambda lead_id, cause, arn=None: stopped.append(lead_id) or True)
    for round_number in range(ROUNDS):
        # Given a new lead
        lead_id = new_lead(f"parallel-{round_number}@example.org")
        # When its rep's five unanswered calls are logged at the same moment
        responses = post_in_parallel(board, lead_id, [None] * PARALLEL)
        # Then each was answered 201 with its own count, and the lead holds all five
        assert [response.status_code for response in responses] == [201] * PARALLEL, [r.text for r in responses]
        results = [response.json() for response in responses]
        assert sorted(result["attempts_without_response"] for result in results) == list(range(1, PARALLEL + 1))
        lead = get_lead(lead_id)
        assert (lead.status, lead.attempts_without_response) == ("not_interested", PARALLEL), round_number
        # And exactly one of them changed the lead to not interested: automation stopped once, one goodbye
        assert [result["status_changed"] for result in results if result["status"] == "not_interested"] == [True]
        assert stopped.count(lead_id) == 1
        goodbyes = [message for message in status_executions(crm)
                    if message["lead_id"] == lead_id and message["status"] == "not_interested"]
        assert len(goodbyes) == 1


def test_a_retried_call_in_a_parallel_burst_is_still_counted_once(crm, board):
    from crm.data.leads import get_lead

    # Given a new lead
    lead_id = new_lead("retried@example.org")
    # When three calls are logged at once, two of them the same request sent twice (one Idempotency-Key)
    responses = post_in_parallel(board, lead_id, ["same", "same", "other"])
    # Then the repeated one is counted once: two attempts in all
    assert {response.status_code for response in responses} <= {201, 409}, [r.text for r in responses]
    assert get_lead(lead_id).attempts_without_response == 2
