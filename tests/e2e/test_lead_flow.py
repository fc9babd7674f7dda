"""A person's view of the foundation: post leads as a browser and as curl, read the outbox (L1-L4, L6)."""

from __future__ import annotations

import subprocess
import time
import uuid

import pytest
import requests

from tests.e2e.browser import call_api, posted_lead_id
from tests.e2e.conftest import SLA_SECONDS_LOCAL, RunningStack, start_stack, stop_stack
from tests.integration.conftest import HOT_ANSWERS

pytestmark = pytest.mark.e2e


def unique_email(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.org"


def post_json(stack: RunningStack, payload: dict, **headers: str) -> requests.Response:
    return requests.post(f"{stack.url}/leads", json=payload, headers=headers, timeout=10)


def to_rep(message: dict, name: str, kind: str = "email") -> bool:
    return message["kind"] == kind and name in (message.get("subject") or message.get("text") or "")


def test_the_form_page_is_served_and_posting_it_redirects_to_thank_you(stack):
    page = requests.get(f"{stack.url}/form.html", timeout=10)
    assert page.status_code == 200 and 'action="/leads"' in page.text
    email = unique_email("form")
    response = requests.post(f"{stack.url}/leads", data={"name": "Form Person", "email": email, "website": ""},
                             headers={"Origin": stack.url}, allow_redirects=False, timeout=10)
    assert response.status_code == 303
    thanks = requests.get(requests.compat.urljoin(f"{stack.url}/leads", response.headers["Location"]), timeout=10)
    assert thanks.status_code == 200


def test_json_hot_lead_notifies_its_rep_by_email_and_sms(stack):
    response = post_json(stack, {**HOT_ANSWERS, "name": "Jonas Weber", "email": unique_email("jonas"),
                                 "phone": "+49 30 901820", "company": "Weber GmbH"})
    assert response.status_code == 201
    email = stack.wait_for(lambda message: to_rep(message, "Jonas Weber"))
    assert email["to"] and "Weber GmbH" in email["html"] and email["text"]
    sms = stack.wait_for(lambda message: to_rep(message, "Jonas Weber", "sms"))
    assert sms["to"].startswith("+")


def test_the_same_person_posting_again_gets_the_same_lead_and_the_same_answer_as_a_new_one(stack):
    email = unique_email("again")
    first = post_json(stack, {"name": "Ann Again", "email": email, "source": "event"})
    lead_id = posted_lead_id(stack, email)
    second = post_json(stack, {"name": "Ann Again", "email": email.upper(), "source": "newsletter"})
    assert (first.status_code, first.json()) == (second.status_code, second.json()) == (201, {"received": True})
    assert posted_lead_id(stack, email) == lead_id
    touches = call_api(stack, "manager-maria", "GET", f"/api/records/lead/{lead_id}").json()["fields"]["touch_count"]
    assert touches == 2


def test_bad_input_gets_field_errors(stack):
    response = post_json(stack, {"name": "", "email": "not-an-email"})
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {"name", "email"}


def test_a_missed_sla_escalates_to_the_manager_and_a_logged_call_does_not(stack):
    late, prompt = unique_email("late"), unique_email("prompt")
    post_json(stack, {**HOT_ANSWERS, "name": "Late Lead", "email": late})
    post_json(stack, {**HOT_ANSWERS, "name": "Prompt Lead", "email": prompt})
    activity = call_api(stack, "manager-maria", "POST", f"/api/leads/{posted_lead_id(stack, prompt)}/activities",
                        json={"type": "call", "outcome": "answered"})
    assert activity.status_code == 201 and activity.json()["first_contact"] is True
    escalation = stack.wait_for(lambda message: message["kind"] == "email" and "Late Lead" in message["subject"]
                                and "manager@example.com" in message["to"], timeout=30)
    assert posted_lead_id(stack, late) in escalation["html"] or "Late Lead" in escalation["html"]
    time.sleep(SLA_SECONDS_LOCAL + 1)  # past the prompt lead's deadline too
    told = [message["subject"] for message in stack.outbox()
            if message["kind"] == "email" and "manager@example.com" in message["to"]
            and "Prompt Lead" in message["subject"]]
    assert not told, f"the managers were told about the lead that was called in time: {told}\n{stack.log()}"


def java_processes_using(data_dir) -> list[str]:
    found = subprocess.run(["pgrep", "-f", f"DynamoDBLocal.jar.*{data_dir}"], capture_output=True, text=True)
    return found.stdout.split()


def test_leads_survive_a_restart(tmp_path):
    data_dir = tmp_path / "data"
    email = unique_email("keep")
    first = start_stack(tmp_path, data_dir)
    try:
        post_json(first, {"name": "Kept Lead", "email": email})
        lead_id = posted_lead_id(first, email)
        assert java_processes_using(data_dir)
    finally:
        stop_stack(first)
    assert first.process.returncode is not None
    # Ctrl-C stopped every process the runner started, DynamoDB Local's java included
    assert not java_processes_using(data_dir)
    second = start_stack(tmp_path, data_dir)
    try:
        post_json(second, {"name": "Kept Lead", "email": email, "message": "back after the restart"})
        assert posted_lead_id(second, email) == lead_id
    finally:
        stop_stack(second)
