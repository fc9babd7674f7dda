"""Lead intake against DynamoDB Local: creation, dedupe, idempotency, validation, failure (L1, L2, L6); and the
calls and emails then logged on a lead through the board API (L4, L8)."""

import json
import threading
from urllib.parse import urlencode

import boto3
import pytest

from tests.integration.conftest import HOT_ANSWERS, api_event, lead_id_of
from tests.integration.test_board_api import MANAGER, board, emitted_metrics  # noqa: F401


def post_json(crm, payload, **kwargs):
    return crm.invoke("lead_intake", "app.handler", api_event(json.dumps(payload), **kwargs))


def new_lead(crm, payload, **kwargs):
    """A public JSON post's lead id, found as the CRM finds the person (the answer names no lead)."""
    response = post_json(crm, payload, **kwargs)
    assert response["statusCode"] == 201, response["body"]
    return lead_id_of(payload)


def post_form(crm, fields, **kwargs):
    return crm.invoke("lead_intake", "app.handler",
                      api_event(urlencode(fields), "application/x-www-form-urlencoded", **kwargs))


def log_activity(board, lead_id, body, headers=None):
    """POST /api/leads/{id}/activities as the lead's owner: a rep logs calls on their own leads."""
    from crm.data.leads import get_lead

    return board.call("POST", f"/api/leads/{lead_id}/activities", get_lead(lead_id).owner_id, body, headers=headers)


def lead_items(lead_id):
    from crm.data.leads import lead_pk
    from crm.data.table import CrmItem

    return list(CrmItem.query(lead_pk(lead_id)))


def count_items():
    """Items a lead intake writes (the seeded team and rules are not counted)."""
    from crm.data.table import CrmItem

    return sum(1 for item in CrmItem.scan() if item.PK.split("#")[0] in {"LEAD", "EMAIL", "PHONE", "TASK"})


def test_json_post_creates_lead_with_contact_points_touch_task_and_workflow(crm):
    # Given a visitor from Germany who is an expected buyer, When they post JSON
    response = post_json(crm, {"name": "Jonas Weber", "email": "Jonas@Example.de", "phone": "+49 30 901820",
                               "company": "Weber GmbH", "source": "ebook", "utm_campaign": "spring", **HOT_ANSWERS})
    # Then the lead is created and assigned by the DACH rule with a "Call new lead" task due at the SLA deadline
    assert response["statusCode"] == 201 and json.loads(response["body"]) == {"received": True}
    lead_id = lead_id_of({"email": "jonas@example.de", "name": "Jonas Weber"})
    from crm.data.leads import get_lead
    from crm.data.tasks import TaskItem

    lead = get_lead(lead_id)
    assert (lead.email, lead.phone, lead.country, lead.owner_id) == ("jonas@example.de", "+4930901820", "DE",
                                                                       "rep-anna")
    assert lead.first_touch.source == "ebook" and lead.first_touch.utm == {"utm_campaign": "spring"}
    task = TaskItem.get(*TaskItem.key(lead.call_task_id))
    assert (task.title, task.owner_id, task.due_at) == ("Call new lead", "rep-anna", lead.first_contact_due_at)
    kinds = sorted(item.event_type for item in lead_items(lead_id) if item.SK.startswith("EVENT#"))
    assert kinds == ["assigned", "scored", "task_created", "touch"]
    # And one workflow execution named after the lead was started
    assert [execution["name"] for execution in crm.executions()] == [f"lead-{lead_id}"]


def test_form_post_redirects_to_thank_you_page(crm):
    response = post_form(crm, {"name": "Ann Lee", "email": "ann@example.com", "website": ""})
    assert response["statusCode"] == 303
    assert response["headers"]["Location"] == "thank-you"
    page = crm.invoke("lead_intake", "app.handler", api_event("", method="GET", path="/thank-you"))
    assert page["statusCode"] == 200 and "<html" in page["body"].lower()


def test_form_may_redirect_only_to_an_allowed_site(crm):
    allowed = post_form(crm, {"name": "A", "email": "a@example.com",
                              "redirect_to": "https://www.example.com/thanks"})
    assert allowed["headers"]["Location"] == "https://www.example.com/thanks"
    foreign = post_form(crm, {"name": "B", "email": "b@example.com", "redirect_to": "https://evil.example/x"})
    assert foreign["headers"]["Location"] == "thank-you"


def test_returning_person_adds_a_touch_and_keeps_the_first_source(crm, board):
    first = new_lead(crm, {"name": "Ann", "email": "ann@example.com", "source": "event"})
    # When a signed-in caller posts the same person with what the lead did not know
    again = board.call("POST", "/api/leads", MANAGER, {"name": "Ann Lee", "email": " ANN@example.com",
                                                       "phone": "06 30 999 8877", "company": "Lee Kft",
                                                       "source": "newsletter"})
    assert again.status_code == 200 and again.json() == {"id": first, "returning": True}
    from crm.data.leads import get_lead

    lead = get_lead(first)
    assert lead.touch_count == 2 and lead.first_touch.source == "event"
    assert lead.company == "Lee Kft" and lead.phone == "+36309998877" and lead.name == "Ann"
    # the phone now finds the same person too
    by_phone = board.call("POST", "/api/leads", MANAGER, {"name": "Ann", "phone": "+36 30 999 8877"})
    assert by_phone.json() == {"id": first, "returning": True}
    assert len(crm.executions()) == 1


def test_simultaneous_posts_of_one_person_make_one_lead(crm):
    answers = []

    def post(index):
        answers.append(post_json(crm, {"name": "Race", "email": "race@example.com", "message": f"try {index}"}))

    threads = [threading.Thread(target=post, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer["statusCode"] for answer in answers] == [201] * 4
    assert len({answer["body"] for answer in answers}) == 1
    from crm.data.leads import get_lead

    assert get_lead(lead_id_of({"email": "race@example.com"})).touch_count == 4
    assert len(crm.executions()) == 1


def test_retry_with_the_same_idempotency_key_returns_the_first_answer_and_writes_nothing(crm):
    headers = {"Idempotency-Key": "abc-123"}
    first = post_json(crm, {"name": "Ann", "email": "ann@example.com"}, headers=headers)
    before = count_items()
    retry = post_json(crm, {"name": "Ann", "email": "ann@example.com"}, headers=headers)
    assert (retry["statusCode"], retry["body"]) == (first["statusCode"], first["body"])
    assert count_items() == before



def test_a_lead_is_counted_once_however_often_its_post_is_retried(crm, capsys):
    # Given a post retried with its Idempotency-Key, then the same person again with another key
    capsys.readouterr()
    for key in ("first", "first", "again"):
        post_json(crm, {"name": "Ann", "email": "ann@example.com"}, headers={"Idempotency-Key": key})
    # Then the service counted one new lead and one touch: a retry answered from the idempotency record counts nothing
    counted = emitted_metrics(capsys.readouterr().out)
    assert (counted["LeadCreated"], counted["LeadTouch"]) == (1, 1)

def test_identical_body_within_the_window_is_one_submission(crm):
    payload = {"name": "Ann", "email": "ann@example.com"}
    first = post_json(crm, payload)
    second = post_json(crm, payload)
    assert second["statusCode"] == 201 and second["body"] == first["body"]
    from crm.data.leads import get_lead

    assert get_lead(lead_id_of(payload)).touch_count == 1


def test_bad_json_input_names_each_field_and_writes_nothing(crm):
    response = post_json(crm, {"name": "", "email": "nope", "phone": "12", "company_size": "huge"})
    assert response["statusCode"] == 422
    fields = {error["field"] for error in json.loads(response["body"])["errors"]}
    assert fields == {"name", "email", "phone", "company_size"}
    assert count_items() == 0


def test_bad_form_input_answers_the_form_page_with_messages_and_values(crm):
    response = post_form(crm, {"name": "<b>Ann</b>", "email": "nope"})
    assert response["statusCode"] == 422
    assert response["headers"]["Content-Type"].startswith("text/html")
    assert "&lt;b&gt;Ann&lt;/b&gt;" in response["body"] and "valid email" in response["body"]
    assert count_items() == 0


def test_oversized_body_is_refused_with_413(crm):
    response = post_json(crm, {"name": "Ann", "email": "a@example.com", "message": "x" * 20_000})
    assert response["statusCode"] == 413
    assert count_items() == 0


def test_filled_honeypot_gets_the_normal_answer_and_stores_nothing(crm):
    response = post_form(crm, {"name": "Bot", "email": "bot@example.com", "website": "http://spam"})
    assert response["statusCode"] == 303
    json_response = post_json(crm, {"name": "Bot", "email": "bot@example.com", "website": "x"})
    assert json_response["statusCode"] == 201 and json.loads(json_response["body"]) == {"received": True}
    assert count_items() == 0


def test_foreign_origin_is_refused_and_allowed_origin_gets_cors(crm):
    refused = post_json(crm, {"name": "A", "email": "a@example.com"}, headers={"Origin": "https://evil.example"})
    assert refused["statusCode"] == 403
    assert json.loads(refused["body"])["errors"][0]["field"] == "origin"
    preflight = crm.invoke("lead_intake", "app.handler",
                           api_event("", method="OPTIONS", headers={"Origin": "https://www.example.com"}))
    assert preflight["statusCode"] == 204
    assert preflight["headers"]["Access-Control-Allow-Origin"] == "https://www.example.com"
    assert count_items() == 0


def test_unsupported_content_type_is_415(crm):
    response = crm.invoke("lead_intake", "app.handler", api_event("name=Ann", "text/plain"))
    assert response["statusCode"] == 415


def test_workflow_start_failure_answers_503_leaves_nothing_and_the_retry_succeeds(crm, monkeypatch):
    # Given Step Functions is down
    sfn = boto3.client("stepfunctions")
    monkeypatch.setenv("LEAD_LIFECYCLE_ARN", crm.lifecycle_arn.replace("lead-lifecycle", "missing"))
    from crm.settings import get_settings

    get_settings.cache_clear()
    headers = {"Idempotency-Key": "retry-me"}
    failed = post_json(crm, {"name": "Ann", "email": "ann@example.com"}, headers=headers)
    # Then the visitor is asked to retry and nothing is stored
    assert failed["statusCode"] == 503 and failed["headers"]["Retry-After"]
    assert count_items() == 0
    # When the service is back, the same key goes through once
    monkeypatch.setenv("LEAD_LIFECYCLE_ARN", crm.lifecycle_arn)
    get_settings.cache_clear()
    retried = post_json(crm, {"name": "Ann", "email": "ann@example.com"}, headers=headers)
    assert retried["statusCode"] == 201
    assert len(sfn.list_executions(stateMachineArn=crm.lifecycle_arn)["executions"]) == 1


def test_storage_failure_answers_503(crm, monkeypatch):
    from pynamodb.exceptions import TransactWriteError

    import crm.services.intake as intake

    def broken(*_args, **_kwargs):
        raise TransactWriteError("DynamoDB unavailable")

    monkeypatch.setattr(intake, "_write_new", broken)
    response = post_json(crm, {"name": "Ann", "email": "ann@example.com"})
    assert response["statusCode"] == 503
    assert count_items() == 0


@pytest.mark.parametrize("company_size", ["5000", "1000+"])
def test_rule_skips_inactive_rep_for_large_companies(crm, company_size):
    lead_id = new_lead(crm, {"name": "Big", "email": f"big{company_size}@example.com", "company_size": company_size})
    from crm.data.leads import get_lead

    lead = get_lead(lead_id)
    assert (lead.owner_id, lead.assignment_reason) == ("rep-chris", "rule:enterprise")


def test_unmatched_leads_go_round_robin_among_active_reps(crm):
    from crm.data.leads import get_lead

    owners = [get_lead(new_lead(crm, {"name": f"P{index}", "email": f"p{index}@example.com"})).owner_id
              for index in range(6)]
    assert sorted(set(owners)) == ["rep-anna", "rep-bela", "rep-chris"]
    assert owners[:3] != owners[3:] or len(set(owners[:3])) == 3


def test_the_error_page_posts_back_to_the_public_path_with_the_stage(crm):
    event = api_event("name=&email=x", "application/x-www-form-urlencoded")
    event["requestContext"]["path"] = "/v1/leads"
    page = crm.invoke("lead_intake", "app.handler", event)
    assert page["statusCode"] == 422 and 'action="/v1/leads"' in page["body"]


def test_a_retried_activity_with_the_same_key_is_logged_once(crm, board):
    from crm.data.leads import timeline

    lead_id = new_lead(crm, {"name": "Ann", "email": "ann@example.com"})
    call = {"type": "call", "outcome": "no_answer"}
    first = log_activity(board, lead_id, call, headers={"Idempotency-Key": "call-1"})
    again = log_activity(board, lead_id, call, headers={"Idempotency-Key": "call-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.json()["first_contact"] is True
    assert [event.event_type for event in timeline(f"LEAD#{lead_id}")].count("activity") == 1


def test_activity_input_is_validated_and_unknown_leads_are_404(crm, board):
    lead_id = new_lead(crm, {"name": "Ann", "email": "ann@example.com"})
    # the signed-in user is who logged it: a body naming someone else is refused
    bad = log_activity(board, lead_id, {"type": "fax", "by": "rep-bela"})
    assert bad.status_code == 422
    assert {error["field"] for error in bad.json()["errors"]} == {"type", "by"}
    missing = board.call("POST", "/api/leads/nope/activities", MANAGER, {"type": "call"})
    assert missing.status_code == 404


HOT_LEAD = {"name": "Hot Lead", "email": "hot@example.com", "company": "Big Kft", "role": "CEO",
            "company_size": "51-200",
            "budget": "Yes, 20k EUR approved", "authority": "Yes, I decide", "need": "A CRM for our 8 sales reps",
            "timing": "This month", "referred_by": "Anna from Weber GmbH"}


def test_a_new_lead_is_scored_with_its_explanation_kept(crm):
    from crm.data.leads import get_lead, timeline

    lead_id = new_lead(crm, HOT_LEAD)
    lead = get_lead(lead_id)
    assert (lead.temperature, lead.cycle) == ("hot", "expected_buyer") and lead.score >= 70
    assert sum(part["points"] for part in lead.score_parts) == lead.score
    scored = [event for event in timeline(f"LEAD#{lead_id}") if event.event_type == "scored"]
    assert len(scored) == 1 and scored[0].data["parts"] == lead.score_parts


def test_a_lead_with_nothing_to_go_on_is_no_prospect(crm):
    from crm.data.leads import get_lead

    lead = get_lead(new_lead(crm, {"name": "Quiet", "email": "quiet@example.com"}))
    assert (lead.score, lead.temperature, lead.cycle) == (0, "cold", "no_prospect")


def test_a_returning_person_with_new_answers_is_rescored_and_the_history_grows(crm, board):
    from crm.data.leads import get_lead, timeline

    lead_id = new_lead(crm, {"name": "Grow", "email": "grow@example.com"})
    post_json(crm, {"name": "Grow", "email": "grow@example.com", "source": "newsletter"})  # nothing new to score
    assert [event.event_type for event in timeline(f"LEAD#{lead_id}")].count("scored") == 1
    # the answers from a signed-in caller (a public post only proposes them to the rep: test_public_form_privacy)
    board.call("POST", "/api/leads", MANAGER, {**HOT_LEAD, "name": "Grow", "email": "grow@example.com"})
    lead = get_lead(lead_id)
    assert (lead.temperature, lead.cycle) == ("hot", "expected_buyer")
    history = [event.data["temperature"] for event in timeline(f"LEAD#{lead_id}") if event.event_type == "scored"]
    assert history == ["hot", "cold"]  # newest first


def test_with_no_active_rep_a_manager_takes_the_lead_and_with_nobody_it_is_503(crm):
    from crm.data.leads import get_lead
    from crm.data.people import UserItem, active_users

    for rep in active_users("rep"):
        UserItem.build(user_id=rep.user_id, name=rep.name, email=rep.email, role="rep", active=False).save()
    lead = get_lead(new_lead(crm, {"name": "Orphan", "email": "orphan@example.com"}))
    assert (lead.owner_id, lead.assignment_reason) == ("mgr-maria", "no_active_rep")
    UserItem.build(user_id="mgr-maria", name="Maria Manager", email="maria@example.com", role="manager",
                   active=False).save()
    nobody = post_json(crm, {"name": "Nobody", "email": "nobody@example.com"})
    assert nobody["statusCode"] == 503


def log_call(board, lead_id, outcome, activity_type="call", direction="outbound"):
    body = {"type": activity_type, "direction": direction, "outcome": outcome}
    response = log_activity(board, lead_id, {key: value for key, value in body.items() if value})
    assert response.status_code == 201, response.text
    return response.json()


def test_five_unanswered_attempts_make_the_lead_not_interested_and_it_stays_stored(crm, board):
    from crm.data.leads import get_lead, timeline

    lead_id = new_lead(crm, {"name": "Silent", "email": "silent@example.com"})
    answers = [log_call(board, lead_id, outcome) for outcome in ("no_answer", "voicemail", "no_answer")]
    answers.append(log_call(board, lead_id, "sent", activity_type="email"))
    assert [answer["status"] for answer in answers] == ["attempting"] * 4
    fifth = log_call(board, lead_id, "no_answer")
    assert (fifth["status"], fifth["status_changed"], fifth["attempts_without_response"]) == (
        "not_interested", True, 5)
    lead = get_lead(lead_id)
    assert lead.status == "not_interested" and lead.first_contact_at is not None
    changes = [(event.data["from"], event.data["to"]) for event in timeline(f"LEAD#{lead_id}")
               if event.event_type == "status_changed"]
    assert changes == [("attempting", "not_interested"), ("new", "attempting")]


def test_a_reply_resets_the_count_and_raises_the_score(crm, board):
    from crm.data.leads import get_lead

    lead_id = new_lead(crm, {"name": "Later", "email": "later@example.com"})
    for _ in range(4):
        log_call(board, lead_id, "no_answer")
    cold_score = get_lead(lead_id).score
    reply = log_call(board, lead_id, "replied", activity_type="email")
    assert (reply["status"], reply["attempts_without_response"]) == ("contacted", 0)
    lead = get_lead(lead_id)
    assert lead.replies == 1 and lead.score > cold_score
    assert log_call(board, lead_id, "no_answer")["status"] == "contacted"
