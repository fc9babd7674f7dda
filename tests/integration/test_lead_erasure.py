"""Erasure (L9) leaves no personal value of any declared lead field anywhere: a lead made through the real intake with
every field filled, a returning visit, activities, tasks and an email through the board API (each with an
Idempotency-Key), then a manager's approval; the CRM table and the idempotency table are scanned afterwards."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from crm.models.lead_fields import LEAD_FIELDS, UTM_FIELDS, stored_value
from tests.integration.conftest import ENVIRONMENT, api_event, lead_id_of
from tests.integration.test_board_api import MANAGER, REP_A, board  # noqa: F401  # board: a fixture

SOON = (datetime.now(UTC) + timedelta(days=2)).isoformat()
FIRST_VISIT = {
    "name": "Quillon Vexmarrow", "company": "Vexmarrow Zinkworks", "role": "Chief Zinkologist",
    "industry": "Zinc lutherie", "company_size": "51-200", "country": "DE",
    "email": "quillon.vexmarrow@zinkworks.example", "phone": "+36 30 765 4321",
    "best_time_to_contact": "after the zinc tide", "source": "event", "form_id": "zink-form",
    "page_url": "https://www.example.com/zink?visitor=quillon", "referrer": "https://quillon-blog.example/",
    "utm_source": "quillonsource", "utm_medium": "quillonmedium", "utm_campaign": "quilloncampaign",
    "utm_term": "quillonterm", "utm_content": "quilloncontent", "message": "Please phone me about zinc pipes",
    "language": "de-zinkq1", "timezone": "America/Argentina/Ushuaia", "referred_by": "Ottoline Brackwater",
    "recent_company_change": "merged with Brackwater Foundry", "budget": "eleven crates of zinc",
    "authority": "I sign the zinc orders", "need": "replace the leaking zinc ledgers", "timing": "before the fair",
    "marketing_consent": True, "consent_text": "Quillon agrees to the zinc letters",
}
RETURNING_VISIT = {"name": "Quillon V.", "email": "quillon.vexmarrow@zinkworks.example", "source": "newsletter",
                   "message": "Second question about brass taps", "page_url": "https://www.example.com/brass-taps",
                   "utm_campaign": "quillonreturn"}
STORED_PHONE = "+36307654321"


def every_field_is_filled() -> None:
    sent = set(FIRST_VISIT) - set(UTM_FIELDS) | {"utm"}
    assert sent == {field.name for field in LEAD_FIELDS}, "fill every declared field in this test"


def personal_values() -> set[str]:
    """Every personal value the person gave in both visits (as sent and as stored), and each word of their name."""
    personal = {field.name for field in LEAD_FIELDS if field.personal}
    values: set[str] = {STORED_PHONE}
    for visit in (FIRST_VISIT, RETURNING_VISIT):
        for name, value in visit.items():
            if name in personal or (name in UTM_FIELDS and "utm" in personal):
                values.add(str(value))
    values.update(FIRST_VISIT["name"].split())
    return {value.lower() for value in values}


def post_lead(crm, body: dict, headers: dict | None = None) -> str:
    """The public form's post; the id of the lead it made or touched."""
    response = crm.invoke("lead_intake", "app.handler", api_event(json.dumps(body), headers=headers))
    assert response["statusCode"] == 201, response["body"]
    return lead_id_of(body)


def scanned(table: str) -> list[dict[str, Any]]:
    """Every item of a table (DynamoDB Local, by AWS_ENDPOINT_URL_DYNAMODB): a test may Scan."""
    items: list[dict[str, Any]] = []
    for page in boto3.client("dynamodb").get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        items += page["Items"]
    return items


def traces(items: list[dict[str, Any]], values: set[str]) -> dict[str, list[str]]:
    """Which of `values` each item (by its keys) still holds, in any attribute, however deeply nested."""
    found = {}
    for item in items:
        text = json.dumps(item, ensure_ascii=False).lower()
        hits = sorted(value for value in values if value in text)
        if hits:
            found[json.dumps(item)] = hits
    return found


def test_erasure_leaves_no_personal_value_in_the_table_or_the_idempotency_table(crm, board):
    every_field_is_filled()
    # Given a lead made by the web form's intake with every declared field, and a returning visit
    lead_id = post_lead(crm, FIRST_VISIT)
    assert post_lead(crm, RETURNING_VISIT, {"Idempotency-Key": "visit-2"}) == lead_id
    # And its rep's note, task, meeting, call and email on it, each sent with an Idempotency-Key
    base = f"/api/records/lead/{lead_id}"
    for path, body in ((f"{base}/notes", {"text": "Quillon said Vexmarrow Zinkworks wants a demo"}),
                       (f"{base}/tasks", {"title": "Call Quillon back about zinc", "due_at": SOON}),
                       (f"{base}/meetings", {"title": "Demo for Vexmarrow Zinkworks", "starts_at": SOON,
                                             "duration_minutes": 30}),
                       (f"/api/leads/{lead_id}/activities", {"type": "call", "outcome": "no_answer",
                                                             "note": "Quillon Vexmarrow did not pick up"}),
                       (f"{base}/email", {"template_id": "checking_in"})):
        response = board.call("POST", path, REP_A, body, headers={"Idempotency-Key": f"key-{path}"})
        assert response.status_code == 201, (path, response.text)
    idempotency_table = ENVIRONMENT["IDEMPOTENCY_TABLE_NAME"]
    values = personal_values()
    assert traces(scanned(idempotency_table), values), "the stored answers quote the person before the erasure"
    from crm.data.leads import get_lead

    before = get_lead(lead_id)
    # When the rep flags it and a manager approves
    assert board.call("POST", f"/api/leads/{lead_id}/deletion-request", REP_A,
                      {"reason": "Quillon Vexmarrow asked us to forget him"}).status_code == 202
    decided = board.call("POST", f"/api/admin/deletion-requests/{lead_id}/approve", MANAGER,
                         {"note": "confirmed by phone with Quillon"})
    assert decided.status_code == 200, decided.text
    # Then no personal value is left anywhere in the CRM table, nor in the idempotency table (its records are gone)
    assert traces(scanned("crm"), values) == {}
    assert scanned(idempotency_table) == []
    # And the tombstone keeps exactly the fields not declared personal
    after = get_lead(lead_id)
    for field in LEAD_FIELDS:
        kept = stored_value(after, field)
        if field.name == "name":
            assert kept == "(erased)"
        elif field.personal:
            assert kept is None, field.name
        else:
            assert kept == stored_value(before, field) and kept is not None, field.name
    assert after.unsubscribe_token is None
    # And the person's first post, sent again word for word, is a new lead rather than the erased one's answer
    assert post_lead(crm, FIRST_VISIT) != lead_id


def test_an_imported_persons_row_is_blanked_in_the_kept_file_and_the_others_stay(crm, board):
    from tests.integration.test_imports_api import map_columns, run, upload

    # Given a file of two people, one of whom also has a column nobody maps
    text = ("Name,Email,Company,Notes\n"
            "Quillon Vexmarrow,quillon.vexmarrow@zinkworks.example,Vexmarrow Zinkworks,met Quillon at the fair\n"
            "Nora Keep,nora.keep@example.com,Keep Kft,\n")
    job = upload(board, REP_A, text)
    map_columns(board, REP_A, {**job, "suggested_mapping": {**job["suggested_mapping"], "Notes": None}})
    rows = {row["row"]: row for row in run(board, REP_A, job["import_id"])}
    lead_id = rows[2]["record_id"]
    # When the imported person is erased
    assert board.call("POST", f"/api/leads/{lead_id}/deletion-request", REP_A, {"reason": "asked"}).status_code == 202
    assert board.call("POST", f"/api/admin/deletion-requests/{lead_id}/approve", MANAGER, {}).status_code == 200
    # Then the file the import keeps has their row blanked, nothing of theirs is left, and the other row is intact
    values = {"quillon", "vexmarrow", "zinkworks", "met quillon at the fair"}
    assert traces(scanned("crm"), values) == {}
    assert traces(scanned("crm"), {"nora.keep@example.com", "keep kft"})
