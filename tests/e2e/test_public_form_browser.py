"""The public form reveals nothing and overwrites nothing, as a person meets it in a real headless Chromium: renewed
consent after an unsubscribe waits for the link we email, whose page shows a button in the person's language and
only the button's POST subscribes them again (issue 13, section 3)."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from tests.e2e.browser import ARTIFACTS, call_api, posted_lead_id
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def email_to(stack: RunningStack, address: str, containing: str) -> dict:
    return stack.wait_for(lambda message: message["kind"] == "email" and address in message["to"]
                          and containing in (message.get("text") or ""), timeout=60)


def link_in(message: dict, path: str) -> str:
    return re.search(rf"https?://\S+/{path}\?\S+", message["text"]).group(0)


def events_of(stack: RunningStack, lead_id: str) -> list[str]:
    page = call_api(stack, "manager-maria", "GET", f"/api/records/lead/{lead_id}").json()
    return [event["type"] for event in page["timeline"]["events"]]


def test_an_unsubscribed_person_is_subscribed_again_only_from_the_button_of_the_emailed_link(stack, page):
    # Given a Greek lead who consented on the form, got a marketing email and unsubscribed with its one-click link
    address = f"eleni.{uuid.uuid4().hex[:8]}@example.gr"
    person = {"name": "Eleni Papadopoulou", "email": address, "country": "GR", "language": "el",
              "marketing_consent": True, "consent_text": "Ναι, στείλτε μου νέα"}
    assert requests.post(f"{stack.url}/leads", json=person, timeout=10).status_code == 201
    lead_id = posted_lead_id(stack, address)
    sent = call_api(stack, "manager-maria", "POST", "/api/mass-email",
                    json={"kind": "leads", "filters": {"q": address}, "template_id": "checking_in"},
                    headers={"Idempotency-Key": uuid.uuid4().hex})
    assert sent.status_code == 202, sent.text
    unsubscribe = link_in(email_to(stack, address, "/unsubscribe?"), "unsubscribe")
    assert requests.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}, timeout=10).status_code == 200
    # When someone posts the address again with the box ticked: the usual answer, and a confirmation email in Greek
    again = requests.post(f"{stack.url}/leads", json={**person, "message": "Θέλω ξανά τα νέα σας"}, timeout=10)
    assert (again.status_code, again.json()) == (201, {"received": True})
    confirmation = email_to(stack, address, "/confirm-consent?")
    assert confirmation["subject"] == "Παρακαλούμε επιβεβαιώστε: θέλετε ξανά email από εμάς;"
    assert "consent_requested" in events_of(stack, lead_id) and "consent_confirmed" not in events_of(stack, lead_id)
    # When the person opens the link: a page in Greek with a button, and nothing changed yet
    page.goto(link_in(confirmation, "confirm-consent"))
    assert page.evaluate("document.documentElement.lang") == "el"
    button = page.get_by_role("button", name="Ναι, θέλω email")
    button.wait_for()
    assert "consent_confirmed" not in events_of(stack, lead_id)
    (ARTIFACTS / "public_form").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "public_form" / "confirm_consent.png"), full_page=True)
    # When they press it
    button.click()
    # Then the page thanks them in Greek and the lead's timeline records the confirmed consent
    page.get_by_text("Ευχαριστούμε, εγγραφήκατε ξανά").wait_for()
    assert "consent_confirmed" in events_of(stack, lead_id)
