"""The public form reveals nothing and overwrites nothing (issue 13, section 3).

POST /leads answers a known person exactly as a new one; only a signed-in caller (POST /api/leads) learns the lead.
A returning public post adds a touch; renewed consent after an unsubscribe waits for the person's confirmation link;
other changes are proposed to the owner, who applies them; line breaks in a name are cleaned at intake.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email import message_from_bytes, message_from_string, policy
from urllib.parse import parse_qs, urlsplit

from tests.integration.conftest import api_event, lead_id_of
from tests.integration.test_board_api import MANAGER, REP_A, REP_B, board  # noqa: F401  (fixture)
from tests.integration.test_board_integrations import as_integration
from tests.integration.test_nurture import events, lead


def post_json(crm, payload: dict, **headers: str) -> dict:
    return crm.invoke("lead_intake", "app.handler", api_event(json.dumps(payload), headers=headers))


def post_form(crm, fields: dict) -> dict:
    from urllib.parse import urlencode

    return crm.invoke("lead_intake", "app.handler", api_event(urlencode(fields), "application/x-www-form-urlencoded"))


def parsed(message):
    raw = message.raw_data
    return message_from_bytes(raw, policy=policy.default) if isinstance(raw, bytes) else \
        message_from_string(raw, policy=policy.default)


def text_of(message) -> str:
    return parsed(message).get_body(("plain",)).get_content()


def links_in(text: str, path: str) -> list[str]:
    return [word.strip("<>()") for word in text.split() if f"/{path}?" in word]


def link_event(link: str, method: str = "GET") -> dict:
    parts = urlsplit(link)
    path = parts.path.removeprefix("/v1")
    event = api_event("", "application/x-www-form-urlencoded", method=method, path=path)
    event["queryStringParameters"] = {key: values[0] for key, values in parse_qs(parts.query).items()}
    return event


# --- the same answer ---------------------------------------------------------------------------------------------


def test_a_known_person_gets_the_same_public_answer_as_a_new_one(crm):
    # Given a person the CRM knows
    known = {"name": "Ann Lee", "email": "ann@example.com", "phone": "+36 30 111 2233"}
    first = post_json(crm, known)
    # When they, and then someone new, post JSON again (other keys: not the idempotency record's answer)
    again = post_json(crm, {**known, "company": "Lee Kft"}, **{"Idempotency-Key": "again"})
    new = post_json(crm, {"name": "Bo New", "email": "bo@example.com"}, **{"Idempotency-Key": "new"})
    # Then every answer is the same status and body, naming no lead
    assert [answer["statusCode"] for answer in (first, again, new)] == [201, 201, 201]
    assert {answer["body"] for answer in (first, again, new)} == {json.dumps({"received": True})}
    assert again["headers"] == new["headers"]
    # And a plain form post lands on the same thank-you page, known or not, as does a bot's
    pages = [post_form(crm, fields) for fields in ({"name": "Ann", "email": "ann@example.com"},
                                                   {"name": "Cy", "email": "cy@example.com"},
                                                   {"name": "Bot", "email": "bot@example.com", "website": "x"})]
    assert {(page["statusCode"], page["headers"]["Location"]) for page in pages} == {(303, "thank-you")}
    assert lead(lead_id_of(known)).touch_count == 3


def test_a_signed_in_caller_still_learns_the_lead_and_whether_it_was_known(crm, board):
    # Given a person who came in by the form
    person = {"name": "Jonas Weber", "email": "jonas@example.de", "country": "DE"}
    post_json(crm, person)
    lead_id = lead_id_of(person)
    # When an integration with crm/leads.write posts them, and a new person
    known = as_integration(board, "POST", "/api/leads", "crm/leads.write", body=person)
    new = as_integration(board, "POST", "/api/leads", "crm/leads.write",
                         body={"name": "Petra New", "email": "petra@example.de"})
    # Then it gets the lead's id and whether the person was known
    assert (known.status_code, known.json()) == (200, {"id": lead_id, "returning": True})
    assert new.status_code == 201 and new.json()["returning"] is False and new.json()["id"] != lead_id
    # And a person signed in gets the same; a token without the scope gets nothing
    assert board.call("POST", "/api/leads", MANAGER, person).json() == {"id": lead_id, "returning": True}
    assert as_integration(board, "POST", "/api/leads", "crm/records.read", body=person).status_code == 403


# --- renewed consent: double opt-in ------------------------------------------------------------------------------


def test_an_unsubscribed_person_stays_unsubscribed_until_they_follow_the_confirmation_link(crm):
    from crm.clock import utcnow
    from crm.services.lead_messages import ensure_unsubscribe_token
    from crm.services.unsubscribe import unsubscribe

    # Given a German lead who gave consent, then unsubscribed
    person = {"name": "Jonas Weber", "email": "jonas@example.de", "country": "DE", "language": "de",
              "marketing_consent": True, "consent_text": "Ja, schicken Sie mir Neuigkeiten"}
    post_json(crm, person)
    lead_id = lead_id_of(person)
    unsubscribe(lead_id, ensure_unsubscribe_token(lead(lead_id)), utcnow(), "page")
    sent_before = len(crm.emails())
    # When someone posts the address again with the consent box ticked
    answer = post_json(crm, {**person, "message": "Please write to me again"}, **{"Idempotency-Key": "back"})
    # Then the answer is the usual one and the person is still unsubscribed, with the consent only pending
    assert (answer["statusCode"], json.loads(answer["body"])) == (201, {"received": True})
    pending = lead(lead_id)
    assert pending.unsubscribed_at and pending.consent_pending and pending.consent_pending["wording"]
    # And the address got one confirmation email, in the lead's language, with the link
    [email] = crm.emails()[sent_before:]
    assert parsed(email)["Subject"] == "Bitte bestätigen: wieder E-Mails von uns?"
    assert "jonas@example.de" in str(email.destinations)
    [link] = links_in(text_of(email), "confirm-consent")
    # When the same post comes again at once, no second email is sent (the form cannot flood an inbox)
    post_json(crm, person, **{"Idempotency-Key": "back-again"})
    assert len(crm.emails()) == sent_before + 1
    # When a mail scanner follows the link, nothing changes: the page only shows a button
    page = crm.invoke("lead_intake", "unsubscribe.handler", link_event(link))
    assert page["statusCode"] == 200 and '<form method="post"' in page["body"] and 'lang="de"' in page["body"]
    assert lead(lead_id).unsubscribed_at
    # And a wrong token is the same 404 as an unknown lead
    wrong = link_event(link.replace("token=", "token=x"))
    assert crm.invoke("lead_intake", "unsubscribe.handler", wrong)["statusCode"] == 404
    # When the person presses the button
    done = crm.invoke("lead_intake", "unsubscribe.handler", link_event(link, "POST"))
    # Then the consent is recorded as worded on the form and the unsubscribe ends
    assert done["statusCode"] == 200
    confirmed = lead(lead_id)
    assert confirmed.unsubscribed_at is None and confirmed.consent_pending is None
    assert confirmed.consent.given and confirmed.consent.wording == "Ja, schicken Sie mir Neuigkeiten"
    assert len(events(lead_id, "consent_confirmed")) == 1
    # And the link works once
    assert crm.invoke("lead_intake", "unsubscribe.handler", link_event(link, "POST"))["statusCode"] == 404


# --- proposed changes --------------------------------------------------------------------------------------------


def test_contact_changes_from_a_public_post_wait_for_the_owner_to_apply_them(crm, board):
    # Given Anna's lead, known by its email only
    person = {"name": "Jonas Weber", "email": "jonas@example.de", "country": "DE"}
    post_json(crm, person)
    lead_id = lead_id_of(person)
    before = lead(lead_id)
    # When someone posts that address with another name, a phone, a company and answers that would score it hot
    post_json(crm, {**person, "name": "Mallory", "phone": "+49 30 901820", "company": "Evil GmbH",
                    "budget": "Yes, 20k EUR approved", "authority": "Yes, I decide", "timing": "now"},
              **{"Idempotency-Key": "stranger"})
    # Then the lead is as it was (a touch more), not re-scored, and its phone finds no one
    after = lead(lead_id)
    assert (after.name, after.phone, after.company, after.qualification) == ("Jonas Weber", None, None, None)
    assert (after.score, after.temperature, after.touch_count) == (before.score, before.temperature, 2)
    assert len(events(lead_id, "scored")) == 1
    from crm.data.leads import contact_point_owners

    assert contact_point_owners(None, "+4930901820") == {}
    # And the owner is told: a "changes proposed" event on the lead and a notice
    [proposal] = events(lead_id, "changes_proposed")
    assert proposal.data["state"] == "open"
    assert proposal.data["changes"]["name"] == {"from": "Jonas Weber", "to": "Mallory"}
    assert set(proposal.data["changes"]) == {"name", "phone", "company", "budget", "authority", "timing"}
    [notice] = [item for item in board.call("GET", "/api/notices", REP_A).json()["notices"]
                if item["type"] == "changes_proposed"]
    event_id = proposal.SK.removeprefix("EVENT#")
    assert notice["data"] == {"lead_id": lead_id, "event_id": event_id}
    apply = f"/api/leads/{lead_id}/proposals/{event_id}/apply"
    # When another rep tries to apply it, the lead does not exist for them
    assert board.call("POST", apply, REP_B).status_code == 404
    # When the owner applies it
    applied = board.call("POST", apply, REP_A)
    # Then the lead takes the values, the phone finds it, it is re-scored, and the proposal reads applied
    assert applied.status_code == 200, applied.text
    now = lead(lead_id)
    assert (now.name, now.phone, now.company) == ("Mallory", "+4930901820", "Evil GmbH")
    assert now.qualification["budget"] == "Yes, 20k EUR approved" and now.score > before.score
    assert contact_point_owners(None, "+4930901820") == {"PHONE#+4930901820": lead_id}
    [proposal] = events(lead_id, "changes_proposed")
    assert (proposal.data["state"], proposal.data["applied_by"]) == ("applied", REP_A)
    assert len(events(lead_id, "changes_applied")) == 1
    # And it is applied once
    assert board.call("POST", apply, REP_A).status_code == 409


def test_a_public_post_that_changes_nothing_proposes_nothing(crm):
    person = {"name": "Jonas Weber", "email": "jonas@example.de", "company": "Weber GmbH"}
    post_json(crm, person)
    post_json(crm, {**person, "message": "Any news?"}, **{"Idempotency-Key": "same"})
    lead_id = lead_id_of(person)
    assert events(lead_id, "changes_proposed") == [] and lead(lead_id).touch_count == 2


# --- line breaks -------------------------------------------------------------------------------------------------


def test_a_name_with_line_breaks_is_cleaned_and_the_leads_emails_render_and_send(crm):
    from crm.services.lead_messages import email_lead

    # Given a post whose name carries CR LF (a header injection attempt), VT, FF and a Unicode line separator
    person = {"name": "Ann\r\nBcc: victim@example.com\x0b\x0cLee\u2028Jr", "email": "ann@example.com",
              "company": "Lee\nKft"}
    assert post_json(crm, person)["statusCode"] == 201
    lead_id = lead_id_of(person)
    # Then the lead's name and company are single lines
    stored = lead(lead_id)
    assert (stored.name, stored.company) == ("Ann Bcc: victim@example.com Lee Jr", "Lee Kft")
    # And an email to the lead renders and goes out to that one address, the name in its To header
    sent_before = len(crm.emails())
    email_lead(stored, "nurture_info_pack", datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    [email] = crm.emails()[sent_before:]
    assert {address.rpartition("<")[2].rstrip(">") for address in email.destinations} == {"ann@example.com"}
    assert parsed(email)["To"].addresses[0].display_name == "Ann Bcc: victim@example.com Lee Jr"
