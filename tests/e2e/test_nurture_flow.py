"""A nurtured lead on the real local stack, with time compressed so eight months pass in about a minute (L7).

The outbox's Open and Click buttons post the SES events AWS would publish; the stack routes them to the
SNS-subscribed EmailEventsFunction like SES -> SNS -> Lambda on AWS.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import requests

from tests.e2e.browser import call_api, posted_lead_id
from tests.e2e.conftest import RunningStack, start_stack, stop_stack

pytestmark = pytest.mark.e2e
SPEEDUP = "400000"  # the README's "whole sequence in about a minute"


@pytest.fixture(scope="module")
def fast_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = start_stack(tmp_path_factory.mktemp("nurture"), extra_env={"CLOCK_SPEEDUP": SPEEDUP})
    yield running
    stop_stack(running)


def nurturable_lead(stack: RunningStack, name: str) -> tuple[str, str]:
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.org"
    response = requests.post(f"{stack.url}/leads", json={
        "name": name, "email": email, "country": "GB", "message": "Our spreadsheets no longer keep up with the leads",
        "marketing_consent": True, "consent_text": "Yes, send me news"}, timeout=10)
    assert response.status_code == 201, response.text
    return posted_lead_id(stack, email), email


def lead(stack: RunningStack, lead_id: str) -> dict:
    """The lead's facts as its page shows them to the manager, with its latest 100 events as `timeline`."""
    response = call_api(stack, "manager-maria", "GET", f"/api/records/lead/{lead_id}", params={"limit": 100})
    assert response.status_code == 200, response.text
    page = response.json()
    return {**page["fields"], "timeline": page["timeline"]["events"]}


def wait_until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"{what} did not happen within {timeout}s")


def test_opens_and_clicks_from_the_outbox_promote_the_lead_and_tell_the_rep(fast_stack):
    lead_id, email = nurturable_lead(fast_stack, "Paula Promote")
    info_pack = fast_stack.wait_for(lambda message: message["kind"] == "email" and email in message["to"])
    assert info_pack["lead_id"] == lead_id and info_pack["links"]
    events = f"{fast_stack.url}/outbox/{info_pack['id']}/events"
    assert requests.post(events, json={"type": "open"}, timeout=10).status_code == 202
    for _ in range(2):
        assert requests.post(events, json={"type": "click"}, timeout=10).status_code == 202
    promoted = lead(fast_stack, lead_id)
    assert promoted["cycle"] == "expected_buyer"
    assert promoted["engagement"]["opens"] == 1 and promoted["engagement"]["clicks"] == 2
    assert promoted["nurture"]["ended"] == "promoted"
    told = fast_stack.wait_for(lambda message: message["kind"] == "email" and "Paula Promote" in
                               (message.get("subject") or "") and email not in message["to"]
                               and info_pack["links"][0] in (message.get("html") or ""))
    assert told["to"]
    runs = requests.get(f"{fast_stack.url}/executions.json", params={"lead": lead_id}, timeout=10).json()
    lifecycle = [run for run in runs["executions"] if run["name"] == f"lead-{lead_id}"]
    assert lifecycle and wait_until(
        lambda: requests.get(f"{fast_stack.url}/executions.json", params={"lead": lead_id}, timeout=10).json()
        ["executions"][0]["status"] != "RUNNING", 10, "the nurture workflow to stop")


def test_a_silent_lead_gets_the_whole_sequence_then_the_big_bang_then_is_no_prospect(fast_stack):
    lead_id, email = nurturable_lead(fast_stack, "Silvia Silent")
    demoted = wait_until(lambda: (found := lead(fast_stack, lead_id))["cycle"] == "no_prospect" and found, 120,
                         "the demotion after the big bang")
    assert demoted["nurture"]["ended"] == "no opens after the big bang email"
    to_lead = [message for message in fast_stack.outbox() if message["kind"] == "email" and email in message["to"]]
    nurture = [message for message in to_lead if message["lead_id"] == lead_id]
    sent = [event for event in demoted["timeline"] if event["type"] == "nurture_email_sent"]
    assert len(sent) == 12
    assert len(nurture) == 12  # no "we tried to reach you": the info pack was automation's, nobody called
    [big_bang] = [event for event in sent if event["data"]["template"] == "nurture_big_bang"]
    [demotion] = [event for event in demoted["timeline"] if event["type"] == "demoted"]
    assert demotion["at"] > big_bang["at"]  # the big bang had its chance: the demotion is a later wake-up
    runs = requests.get(f"{fast_stack.url}/executions.json", params={"lead": lead_id}, timeout=10).json()
    [lifecycle] = [run for run in runs["executions"] if run["name"] == f"lead-{lead_id}"]
    assert lifecycle["status"] == "SUCCEEDED"
    nurture_loop = sum(1 for step in lifecycle["steps"] if step["name"] in {"NurtureStep", "NurtureChoice",
                                                                            "WaitForNurtureStep"})
    assert nurture_loop / 12 <= 4  # transitions per email step
