"""Admin settings as data against DynamoDB Local: the ideal customer profile (L5), nurture sequences (L7) and
status rules (L11). Anyone reads; a manager or admin changes; bad input is refused naming the field."""

import json

import pytest

from tests.integration.conftest import api_event

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


def call(crm, method, path, user="mgr-maria", body=None, path_parameters=None):
    event = api_event(json.dumps(body) if body is not None else "", method=method, path=path,
                      headers={"X-Crm-User": user}, path_parameters=path_parameters)
    response = crm.invoke("lead_api", "admin_settings.handler", event)
    return response["statusCode"], json.loads(response["body"])


def sequence_call(crm, method, sequence_id, **kwargs):
    return call(crm, method, f"/admin/sequences/{sequence_id}", path_parameters={"id": sequence_id}, **kwargs)


def score_parts(crm, payload):
    response = crm.invoke("lead_intake", "app.handler", api_event(json.dumps(payload)))
    lead_id = json.loads(response["body"])["id"]
    read = crm.invoke("lead_api", "reads.handler", api_event(
        "", method="GET", path=f"/leads/{lead_id}", headers={"X-Crm-User": "mgr-maria"},
        path_parameters={"id": lead_id}))
    return {part["signal"]: part["points"] for part in json.loads(read["body"])["score_parts"]}


def test_a_saved_profile_scores_the_next_lead(crm):
    # Given the built-in profile, which names no industry
    status, profile = call(crm, "GET", "/admin/profile", user="rep-anna")
    assert status == 200 and profile["industries"] == [] and profile["updated_by"] is None
    assert "industry" not in score_parts(crm, {"name": "Before", "email": "a@example.com", "industry": "Software"})
    # When the manager saves a profile that targets software companies in Hungary
    profile.update(industries=["Software"], countries=["hu"])
    status, stored = call(crm, "PUT", "/admin/profile", body=profile)
    # Then the stored profile comes back with who saved it and when, and a GET shows it
    assert status == 200
    assert (stored["industries"], stored["countries"], stored["updated_by"]) == (["Software"], ["HU"], "mgr-maria")
    assert stored["updated_at"] and call(crm, "GET", "/admin/profile")[1] == stored
    # And the next software lead from Hungary gets the points
    parts = score_parts(crm, {"name": "After", "email": "b@example.com", "industry": "software", "country": "HU"})
    assert (parts["industry"], parts["country"]) == (2, 2)


def test_a_bad_profile_is_refused_naming_each_field(crm):
    status, body = call(crm, "PUT", "/admin/profile", body={"company_size_bands": ["huge"], "roles": ["ceo"],
                                                            "countries": ["ZZ"], "colour": "red"})
    assert status == 422
    assert {error["field"] for error in body["errors"]} == {"company_size_bands.0", "countries.0", "colour"}
    assert call(crm, "GET", "/admin/profile")[1]["updated_by"] is None


def test_sequences_list_show_and_save(crm):
    # Given only the built-in sequence
    status, listed = call(crm, "GET", "/admin/sequences", user="rep-anna")
    assert status == 200 and [row["id"] for row in listed["sequences"]] == ["default"]
    assert listed["sequences"][0]["steps"] == len(sequence_call(crm, "GET", "default")[1]["steps"])
    assert sequence_call(crm, "GET", "webinar")[0] == 404
    # When the manager saves a webinar sequence
    status, stored = sequence_call(crm, "PUT", "webinar", body=WEBINAR)
    # Then it comes back as stored, is listed with its counts, and nurture can use it
    assert status == 200
    assert (stored["id"], stored["name"], stored["updated_by"]) == ("webinar", "Webinar follow-up", "mgr-maria")
    assert sequence_call(crm, "GET", "webinar")[1] == stored
    rows = {row["id"]: row for row in call(crm, "GET", "/admin/sequences")[1]["sequences"]}
    assert set(rows) == {"default", "webinar"} and (rows["webinar"]["steps"], rows["webinar"]["emails"]) == (3, 2)
    from crm.data.config import sequence

    assert [step.kind for step in sequence("webinar").steps] == ["email", "call", "email"]
    # And what a GET returned can be PUT back as it is
    assert sequence_call(crm, "PUT", "webinar", body=stored)[0] == 200


@pytest.mark.parametrize(("steps", "field", "reason", "code"), [
    ([{"kind": "email", "delay_days": 0}], "steps.0", "an email step needs a template", "email_step_template"),
    ([{"kind": "call", "delay_days": 5}, {"kind": "call", "delay_days": 1}], "steps",
     "steps must be in order of delay_days", "steps_order"),
])
def test_a_bad_sequence_is_refused_naming_the_field(crm, steps, field, reason, code):
    status, body = sequence_call(crm, "PUT", "webinar", body={"name": "Webinar", "steps": steps})
    assert status == 422
    assert {"field": field, "message": reason, "code": code, "params": {}} in body["errors"]
    assert sequence_call(crm, "GET", "webinar")[0] == 404


def test_status_rules_show_the_default_until_saved(crm):
    status, rules = call(crm, "GET", "/admin/status-rules", user="rep-anna")
    assert status == 200 and [rule["status"] for rule in rules["rules"]] == ["attempting", "not_interested"]
    bad = call(crm, "PUT", "/admin/status-rules", body={"rules": [{"status": "won", "template": "x"}]})
    assert bad[0] == 422 and {"rules.0.status", "rules.0.template"} <= {e["field"] for e in bad[1]["errors"]}
    status, stored = call(crm, "PUT", "/admin/status-rules", body={"rules": [
        {"status": "contacted", "template": "lead_status_contacted", "email": False, "sms": True}]})
    assert status == 200 and stored["updated_by"] == "mgr-maria"
    from crm.data.config import status_rules

    assert [(rule.status, rule.sms, rule.email) for rule in status_rules()] == [("contacted", True, False)]


@pytest.mark.parametrize(("path", "path_parameters", "body"), [
    ("/admin/profile", None, {"company_size_bands": [], "roles": []}),
    ("/admin/sequences/webinar", {"id": "webinar"}, WEBINAR),
    ("/admin/status-rules", None, {"rules": []}),
])
def test_a_rep_cannot_change_settings(crm, path, path_parameters, body):
    status, _ = call(crm, "PUT", path, user="rep-anna", body=body, path_parameters=path_parameters)
    assert status == 403
    # and nothing was stored: a GET still shows the default (or no such sequence)
    status, shown = call(crm, "GET", path, path_parameters=path_parameters)
    if path_parameters:
        assert status == 404
    else:
        assert shown["updated_by"] is None
