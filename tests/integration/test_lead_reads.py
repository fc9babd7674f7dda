"""A lead's page through the board API (GET /api/records/lead/{id}) against DynamoDB Local: the score's explanation
and history (L5), who may read it, tombstones."""

import json

from tests.integration.conftest import api_event, lead_id_of
from tests.integration.test_board_api import board  # noqa: F401

JONAS = {"name": "Jonas Weber", "email": "jonas@example.de", "country": "DE", "company": "Weber GmbH",
         "company_size": "51-200", "role": "CEO", "budget": "yes", "need": "A CRM for our five reps"}


def post_lead(crm, payload):
    response = crm.invoke("lead_intake", "app.handler", api_event(json.dumps(payload)))
    assert response["statusCode"] == 201
    return lead_id_of(payload)


def read_lead(board, lead_id, user="rep-anna"):
    """The status and the lead's facts, with the first page of its timeline as `timeline`."""
    response = board.call("GET", f"/api/records/lead/{lead_id}", user)
    if response.status_code != 200:
        return response.status_code, response.json()
    page = response.json()
    return 200, {**page["fields"], "timeline": page["timeline"]["events"]}


def log_call(board, lead_id, outcome):
    response = board.call("POST", f"/api/leads/{lead_id}/activities", "rep-anna", {"type": "call", "outcome": outcome})
    assert response.status_code == 201, response.text


def test_a_lead_shows_its_explanation_and_every_scoring_newest_first(crm, board):
    # Given Jonas's lead (Anna's, by the DACH rule), scored at intake
    lead_id = post_lead(crm, JONAS)
    # When Anna calls and he answers, which scores the lead again
    log_call(board, lead_id, "answered")
    status, lead = read_lead(board, lead_id)

    # Then the lead shows its facts, status, owner and current explanation
    assert status == 200
    assert (lead["lead_id"], lead["name"], lead["company"], lead["owner_id"]) == (lead_id, "Jonas Weber",
                                                                                  "Weber GmbH", "rep-anna")
    assert lead["status"] == "contacted" and lead["first_contact_at"]
    assert lead["owner_name"] == "Anna Schmidt"  # the page names the owner instead of showing "rep-anna"
    parts = {part["signal"]: part["points"] for part in lead["score_parts"]}
    assert parts == {"budget": 14, "need": 14, "company_size": 5, "role": 5, "answered_calls": 6}
    assert lead["score"] == sum(parts.values())
    # And two scorings, newest first, each with its parts: the call added six points
    newest, first = lead["scoring_history"]
    assert newest["score"] == lead["score"] and newest["parts"] == lead["score_parts"]
    assert first["score"] == lead["score"] - 6
    assert "answered_calls" not in {part["signal"] for part in first["parts"]}
    assert newest["at"] >= first["at"]
    # And the engagement, the untouched flags and the timeline (newest first) are there
    assert lead["engagement"]["answered_calls"] == 1
    assert lead["flags"] == {"junk": None, "deletion_request": None, "conversion": None, "unsubscribed_at": None,
                             "email_suppressed": None, "sms_opt_out": False}
    types = [event["type"] for event in lead["timeline"]]
    assert {"activity", "status_changed", "touch", "assigned"} <= set(types) and types.count("scored") == 2
    assert [event["id"] for event in lead["timeline"]] == sorted((e["id"] for e in lead["timeline"]), reverse=True)


def test_a_rep_cannot_read_another_reps_lead_but_a_manager_can(crm, board):
    # Given Anna's lead
    lead_id = post_lead(crm, JONAS)
    # When Béla asks for it, Then it does not exist for him (as an unknown lead); the manager and Anna see it
    assert read_lead(board, lead_id, "rep-bela") == (404, {"message": f"no lead {lead_id!r}"})
    assert read_lead(board, lead_id, "mgr-maria")[0] == 200
    assert read_lead(board, lead_id, "rep-anna")[0] == 200
    # And an unknown lead is 404; without a signed-in user the lead is never reached
    assert read_lead(board, "01NOSUCHLEAD", "mgr-maria")[0] == 404
    assert read_lead(board, lead_id, None)[0] == 401


def test_flags_show_junk_and_conversion_and_an_erased_lead_shows_only_its_tombstone(crm, board):
    from crm.data.leads import LeadItem, get_lead

    # Given a lead marked junk and converted
    lead_id = post_lead(crm, JONAS)
    get_lead(lead_id).update(actions=[LeadItem.junk.set({"reason": "test", "by": "rep-anna", "at": "x"}),
                                      LeadItem.converted_at.set("2030-01-01T00:00:00Z"),
                                      LeadItem.account_id.set("acc-1"), LeadItem.contact_id.set("con-1")])
    flags = read_lead(board, lead_id)[1]["flags"]
    assert flags["junk"]["reason"] == "test"
    assert flags["conversion"] == {"at": "2030-01-01T00:00:00Z", "account_id": "acc-1", "contact_id": "con-1",
                                   "deal_id": None}
    # When it is erased
    get_lead(lead_id).update(actions=[LeadItem.erased_at.set("2030-02-01T00:00:00Z")])
    response = board.call("GET", f"/api/records/lead/{lead_id}", "rep-anna")
    # Then only the tombstone's facts show: no name, email or explanation
    assert response.status_code == 200
    tombstone = response.json()["fields"]
    assert set(tombstone) == {"lead_id", "erased_at", "created_at", "source", "owner_id", "status", "score",
                              "temperature", "cycle"}
    assert "jonas" not in json.dumps(tombstone).lower()
