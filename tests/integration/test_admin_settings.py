"""Admin settings as data through the board API against DynamoDB Local: the ideal customer profile (L5), nurture
sequences (L7) and status rules (L11). Anyone reads; a manager or admin changes; bad input is refused naming the
field."""

import json

import pytest

from tests.integration.conftest import api_event, lead_id_of
from tests.integration.test_board_api import board  # noqa: F401

WEBINAR = {"name": "Webinar follow-up", "steps": [
    {"kind": "email", "delay_days": 0, "template": "nurture_info_pack"},
    {"kind": "call", "delay_days": 2},
    {"kind": "email", "delay_days": 7, "template": "nurture_weekly"}]}


@pytest.fixture(autouse=True)
def default_profile_afterwards():
    """Scoring caches the profile per process: later tests must score with the default again."""
    yield
    from crm.services.qualification import forget_profile

    forget_profile()


def call(board, method, path, user="mgr-maria", body=None):
    response = board.call(method, f"/api/admin{path}", user, body)
    return response.status_code, response.json()


def sequence_call(board, method, sequence_id, **kwargs):
    return call(board, method, f"/sequences/{sequence_id}", **kwargs)


def score_parts(crm, board, payload):
    crm.invoke("lead_intake", "app.handler", api_event(json.dumps(payload)))
    lead_id = lead_id_of(payload)
    read = board.call("GET", f"/api/records/lead/{lead_id}", "mgr-maria")
    return {part["signal"]: part["points"] for part in read.json()["fields"]["score_parts"]}


def test_a_saved_profile_scores_the_next_lead(crm, board):
    # Given the built-in profile, which names no industry
    status, profile = call(board, "GET", "/profile", user="rep-anna")
    assert status == 200 and profile["industries"] == [] and profile["updated_by"] is None
    assert "industry" not in score_parts(crm, board, {"name": "Before", "email": "a@example.com",
                                                      "industry": "Software"})
    # When the manager saves a profile that targets software companies in Hungary
    profile.update(industries=["Software"], countries=["hu"])
    status, stored = call(board, "PUT", "/profile", body=profile)
    # Then the stored profile comes back with who saved it and when, and a GET shows it
    assert status == 200
    assert (stored["industries"], stored["countries"], stored["updated_by"]) == (["Software"], ["HU"], "mgr-maria")
    assert stored["updated_at"] and call(board, "GET", "/profile")[1] == stored
    # And the next software lead from Hungary gets the points
    parts = score_parts(crm, board, {"name": "After", "email": "b@example.com", "industry": "software",
                                     "country": "HU"})
    assert (parts["industry"], parts["country"]) == (2, 2)


def test_a_bad_profile_is_refused_naming_each_field(crm, board):
    status, body = call(board, "PUT", "/profile", body={"company_size_bands": ["huge"], "roles": ["ceo"],
                                                            "countries": ["ZZ"], "colour": "red"})
    assert status == 422
    assert {error["field"] for error in body["errors"]} == {"company_size_bands.0", "countries.0", "colour"}
    assert call(board, "GET", "/profile")[1]["updated_by"] is None


def test_sequences_list_show_and_save(crm, board):
    # Given only the built-in sequence
    status, listed = call(board, "GET", "/sequences", user="rep-anna")
    assert status == 200 and [row["id"] for row in listed["sequences"]] == ["default"]
    assert listed["sequences"][0]["steps"] == len(sequence_call(board, "GET", "default")[1]["steps"])
    assert sequence_call(board, "GET", "webinar")[0] == 404
    # When the manager saves a webinar sequence
    status, stored = sequence_call(board, "PUT", "webinar", body=WEBINAR)
    # Then it comes back as stored, is listed with its counts, and nurture can use it
    assert status == 200
    assert (stored["id"], stored["name"], stored["updated_by"]) == ("webinar", "Webinar follow-up", "mgr-maria")
    assert sequence_call(board, "GET", "webinar")[1] == stored
    rows = {row["id"]: row for row in call(board, "GET", "/sequences")[1]["sequences"]}
    assert set(rows) == {"default", "webinar"} and (rows["webinar"]["steps"], rows["webinar"]["emails"]) == (3, 2)
    from crm.data.config import sequence

    assert [step.kind for step in sequence("webinar").steps] == ["email", "call", "email"]
    # And what a GET returned can be PUT back as it is
    assert sequence_call(board, "PUT", "webinar", body=stored)[0] == 200


@pytest.mark.parametrize(("steps", "field", "reason", "code"), [
    ([{"kind": "email", "delay_days": 0}], "steps.0", "an email step needs a template", "email_step_template"),
    ([{"kind": "call", "delay_days": 5}, {"kind": "call", "delay_days": 1}], "steps",
     "steps must be in order of delay_days", "steps_order"),
])
def test_a_bad_sequence_is_refused_naming_the_field(crm, board, steps, field, reason, code):
    status, body = sequence_call(board, "PUT", "webinar", body={"name": "Webinar", "steps": steps})
    assert status == 422
    assert {"field": field, "message": reason, "code": code, "params": {}} in body["errors"]
    assert sequence_call(board, "GET", "webinar")[0] == 404


def test_status_rules_show_the_default_until_saved(crm, board):
    status, rules = call(board, "GET", "/status-rules", user="rep-anna")
    assert status == 200 and [rule["status"] for rule in rules["rules"]] == ["attempting", "not_interested"]
    bad = call(board, "PUT", "/status-rules", body={"rules": [{"status": "won", "template": "x"}]})
    assert bad[0] == 422 and {"rules.0.status", "rules.0.template"} <= {e["field"] for e in bad[1]["errors"]}
    status, stored = call(board, "PUT", "/status-rules", body={"rules": [
        {"status": "contacted", "template": "lead_status_contacted", "email": False, "sms": True}]})
    assert status == 200 and stored["updated_by"] == "mgr-maria"
    from crm.data.config import status_rules

    assert [(rule.status, rule.sms, rule.email) for rule in status_rules()] == [("contacted", True, False)]


@pytest.mark.parametrize(("path", "body"), [
    ("/profile", {"company_size_bands": [], "roles": []}),
    ("/sequences/webinar", WEBINAR),
    ("/status-rules", {"rules": []}),
])
def test_a_rep_cannot_change_settings(crm, board, path, body):
    status, _ = call(board, "PUT", path, user="rep-anna", body=body)
    assert status == 403
    # and nothing was stored: a GET still shows the default (or no such sequence)
    status, shown = call(board, "GET", path)
    if path.startswith("/sequences/"):
        assert status == 404
    else:
        assert shown["updated_by"] is None
