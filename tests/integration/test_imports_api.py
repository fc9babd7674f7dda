"""CSV import through the board API: upload, mapping preview, chunked import, per-row report; duplicates become
touches on the person's lead or contact, retries never import a row twice, and a rep sees only their own imports."""

from __future__ import annotations

import csv
import io
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.integration.test_board_api import ADMIN, MANAGER, REP_A, REP_B, Board, board  # noqa: F401  (fixture)

BOM = "\ufeff"
LEADS_CSV = BOM + (
    "Név;E-mail;Telefon;Cég\n"
    "Nora New;nora@example.com;;Nora Kft\n"
    "Olga Again;OLGA@Example.com;;\n"
    "Pal Phone;;06 30 765 4321;\n"
    '"Ivan\nInvalid";;;Nowhere Ltd\n'
)


def upload(api: Board, user: str, text: str, kind: str = "leads", file_name: str = "fair.csv") -> dict[str, Any]:
    response = api.call("POST", "/api/imports", user, {"kind": kind, "file_name": file_name, "csv": text})
    assert response.status_code == 201, response.text
    return response.json()


def map_columns(api: Board, user: str, job: dict[str, Any], **options: Any) -> dict[str, Any]:
    response = api.call("PUT", f"/api/imports/{job['import_id']}/mapping", user,
                        {"mapping": job["suggested_mapping"], **options})
    assert response.status_code == 200, response.text
    return response.json()


def run(api: Board, user: str, import_id: str) -> list[dict[str, Any]]:
    """POST /next until finished: every row's result as the calls answered them."""
    rows: list[dict[str, Any]] = []
    for _ in range(100):
        response = api.call("POST", f"/api/imports/{import_id}/next", user)
        assert response.status_code == 200, response.text
        rows += response.json()["rows"]
        if response.json()["finished"]:
            return rows
    raise AssertionError("the import never finished")


def existing_lead(**fields: str) -> str:
    """Rep A's lead, posted by a form: its workflow started."""
    from crm.clock import utcnow
    from crm.models.leads import LeadSubmission
    from crm.services.intake import IntakeOptions, submit_lead

    return submit_lead(LeadSubmission.model_validate({"name": "Known Person", **fields}), utcnow(),
                       IntakeOptions(owner_id=REP_A)).lead_id


def all_leads() -> list:
    from crm.data.leads import LeadItem
    from crm.data.table import CrmItem

    return [item for item in CrmItem.scan() if isinstance(item, LeadItem)]  # a test's look, never a user path


def touches(record_pk: str) -> list[dict[str, Any]]:
    from crm.data.leads import timeline

    return [event.data for event in timeline(record_pk) if event.event_type == "touch"]


def test_a_lead_file_creates_new_leads_merges_duplicates_as_touches_and_reports_every_row(board, crm):
    from crm.data.leads import LIFECYCLE_PENDING, LeadItem, get_lead

    # Given rep A's lead known by email and one known by phone
    by_email, by_phone = existing_lead(email="olga@example.com"), existing_lead(phone="+36307654321")
    workflows_before = len(crm.executions())
    # When rep A uploads a Hungarian semicolon file with a BOM and a quoted newline
    job = upload(board, REP_A, LEADS_CSV)
    # Then the columns are read and each is mapped by its header name
    assert job["columns"] == ["Név", "E-mail", "Telefon", "Cég"]
    assert job["suggested_mapping"] == {"Név": "name", "E-mail": "email", "Telefon": "phone", "Cég": "company"}
    assert (job["total"], job["status"], len(job["preview"])) == (4, "uploaded", 4)
    assert job["preview"][3] == {"row": 5, "cells": ["Ivan\nInvalid", "", "", "Nowhere Ltd"]}
    assert {"field": "name", "required": True, "alternatives": ["first_name", "last_name"]} in job["fields"]
    # When the mapping is confirmed
    mapped = map_columns(board, REP_A, job)
    # Then the preview shows the rows as they would be stored, and why the last would be refused
    assert mapped["preview"][1]["values"] == {"name": "Olga Again", "email": "olga@example.com"}
    assert mapped["preview"][2]["values"]["phone"] == "+36307654321"
    assert mapped["preview"][3]["errors"] == [{"field": "email", "message": "give an email address or a phone number",
                                               "code": "email_or_phone", "params": {}}]
    # And what each row will do: the known people (by email, by phone) are merged, not shown as new
    assert [row["outcome"] for row in mapped["preview"]] == ["created", "merged", "merged", "invalid"]
    # When the rows are imported
    rows = run(board, REP_A, job["import_id"])
    # Then one new lead, two touches on the known leads, one invalid row, each with its row number
    new_id = rows[0]["record_id"]
    assert [(row["row"], row["outcome"], row["record_id"]) for row in rows] == [
        (2, "created", new_id), (3, "merged", by_email), (4, "merged", by_phone), (5, "invalid", None)]
    assert len(all_leads()) == 3
    assert (get_lead(by_email).touch_count, get_lead(by_phone).touch_count) == (2, 2)
    returning = touches(f"LEAD#{by_phone}")[0]
    assert (returning["source"], returning["file_name"], returning["import_id"]) == ("import", "fair.csv",
                                                                                      job["import_id"])
    # And the new lead is rep A's, with no follow-up automation: no workflow, not queued for one
    lead = get_lead(new_id)
    assert (lead.owner_id, lead.assignment_reason, lead.company, lead.first_touch.source) == (
        REP_A, "chosen", "Nora Kft", "import")
    assert len(crm.executions()) == workflows_before
    assert new_id not in {item.lead_id for item in LeadItem.state_index.query(LIFECYCLE_PENDING)}
    # And the status and the report say the same, the report also as a CSV file
    status = board.call("GET", f"/api/imports/{job['import_id']}", REP_A).json()
    assert (status["done"], status["finished"], status["counts"]) == (
        4, True, {"created": 1, "merged": 2, "invalid": 1, "skipped": 0})
    report = board.call("GET", f"/api/imports/{job['import_id']}/report", REP_A).json()
    assert report["rows"] == rows
    download = board.call("GET", f"/api/imports/{job['import_id']}/report", REP_A, format="csv")
    assert download.headers["Content-Type"].startswith("text/csv")
    assert 'filename="fair-report.csv"' in download.headers["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(download.text)))
    assert lines[0] == ["row", "outcome", "record_kind", "record_id", "account_id", "errors"]
    assert lines[4] == ["5", "invalid", "", "", "", "email: give an email address or a phone number"]


def test_concurrent_and_repeated_next_calls_import_every_row_once(board, crm):
    # Given a file of 60 new people (three chunks), mapped
    text = "name,email\n" + "".join(f"Person {n},person{n}@example.com\n" for n in range(60))
    job = upload(board, REP_A, text)
    map_columns(board, REP_A, job)
    path = f"/api/imports/{job['import_id']}/next"
    # When the browser fires /next from several tabs at once until the import is finished
    statuses: list[int] = []
    for _ in range(20):
        with ThreadPoolExecutor(4) as pool:
            statuses += [response.status_code for response in pool.map(
                lambda _: board.call("POST", path, REP_A), range(4))]
        if board.call("GET", f"/api/imports/{job['import_id']}", REP_A).json()["finished"]:
            break
    # Then each call either imported a chunk or was told another one is at it, and every person is one new lead
    assert set(statuses) <= {200, 409}
    assert len(all_leads()) == 60
    assert {lead.touch_count for lead in all_leads()} == {1}
    report = board.call("GET", f"/api/imports/{job['import_id']}/report", REP_A).json()
    assert [row["row"] for row in report["rows"]] == list(range(2, 62))
    assert report["counts"]["created"] == 60
    # And a call after the end changes nothing
    again = board.call("POST", path, REP_A).json()
    assert (again["rows"], again["done"]) == ([], 60)


def test_a_chunk_that_failed_half_way_is_retried_without_touching_the_rows_already_imported(board, crm, monkeypatch):
    from crm.clock import utcnow
    from crm.data.people import get_user
    from crm.services import csv_import

    # Given a mapped file of three people
    job = upload(board, REP_A, "name,email\nAda,ada@example.com\nBen,ben@example.com\nCyd,cyd@example.com\n")
    map_columns(board, REP_A, job)
    rep = get_user(REP_A)
    # When the storage fails while the third row's result is written
    store = csv_import._store

    def failing_store(job: Any, outcome: Any, number: int) -> Any:
        if number == 4:
            raise RuntimeError("storage went away")
        return store(job, outcome, number)

    monkeypatch.setattr(csv_import, "_store", failing_store)
    with pytest.raises(RuntimeError):
        csv_import.import_next(job["import_id"], rep, utcnow())
    monkeypatch.setattr(csv_import, "_store", store)
    # Then the chunk is free again at once, and the retry keeps the first two rows' results
    retried = csv_import.import_next(job["import_id"], rep, utcnow())
    assert [row["outcome"] for row in retried["rows"]] == ["created", "created", "merged"]
    # And no row became a second lead; the two finished rows got no extra touch
    assert sorted((lead.name, lead.touch_count) for lead in all_leads()) == [("Ada", 1), ("Ben", 1), ("Cyd", 2)]


def test_only_the_importer_and_managers_see_an_import(board, crm):
    # Given rep A's mapped import
    job = upload(board, REP_A, "name,email\nZed,zed@example.com\n")
    import_id = job["import_id"]
    calls = [("GET", f"/api/imports/{import_id}", None), ("GET", f"/api/imports/{import_id}/report", None),
             ("PUT", f"/api/imports/{import_id}/mapping", {"mapping": job["suggested_mapping"]}),
             ("POST", f"/api/imports/{import_id}/next", None)]
    # When rep B tries every route on it: Then it does not exist for them
    for method, path, body in calls:
        assert board.call(method, path, REP_B, body).status_code == 404, path
    # When the manager and the admin look: Then they see it
    for user in (MANAGER, ADMIN):
        assert board.call("GET", f"/api/imports/{import_id}", user).json()["importer_id"] == REP_A
    # And an unknown import is a 404 for everyone
    assert board.call("GET", "/api/imports/01J000000000000000000000", MANAGER).status_code == 404


def test_who_gets_the_rows_a_rep_imports_for_themselves_a_manager_picks_or_uses_the_routing_rules(board, crm):
    from crm.data.leads import get_lead

    text = "name,email,country\nDora,dora@example.com,DE\nEmil,emil@example.com,FR\n"
    # When rep A asks to give the rows to rep B, or to route them: Then that is not theirs to decide
    job = upload(board, REP_A, text)
    for options in ({"owner_id": REP_B}, {"round_robin": True}):
        response = board.call("PUT", f"/api/imports/{job['import_id']}/mapping", REP_A,
                              {"mapping": job["suggested_mapping"], **options})
        assert response.status_code == 403, options
    # When the manager imports for rep B
    picked = upload(board, MANAGER, text)
    map_columns(board, MANAGER, picked, owner_id=REP_B)
    rows = run(board, MANAGER, picked["import_id"])
    # Then both leads are rep B's
    assert {get_lead(row["record_id"]).owner_id for row in rows} == {REP_B}
    # When the manager imports with round-robin and automation: Then the routing rules assign and workflows start
    routed = upload(board, MANAGER, "name,email,country\nFritz,fritz@example.com,AT\n")
    map_columns(board, MANAGER, routed, round_robin=True, start_automation=True)
    (row,) = run(board, MANAGER, routed["import_id"])
    assert get_lead(row["record_id"]).owner_id == REP_A  # the DACH rule
    assert [execution["name"] for execution in crm.executions()] == [f"lead-{row['record_id']}"]


def test_a_rep_is_told_of_a_merge_into_a_colleagues_lead_without_learning_which(board, crm):
    # Given rep B's lead
    from crm.clock import utcnow
    from crm.models.leads import LeadSubmission
    from crm.services.intake import IntakeOptions, submit_lead

    lead_id = submit_lead(LeadSubmission.model_validate({"name": "Theirs", "email": "theirs@example.com"}),
                          utcnow(), IntakeOptions(owner_id=REP_B, start_automation=False)).lead_id
    # When rep A imports the same person
    job = upload(board, REP_A, "name,email\nTheirs,theirs@example.com\n")
    map_columns(board, REP_A, job)
    (row,) = run(board, REP_A, job["import_id"])
    # Then the row is merged as a touch, but rep A does not see the record; the manager does
    assert (row["outcome"], row["record_id"]) == ("merged", None)
    report = board.call("GET", f"/api/imports/{job['import_id']}/report", MANAGER).json()
    assert report["rows"][0]["record_id"] == lead_id


def test_a_contacts_file_creates_each_account_once_and_merges_known_people(board, crm):
    from crm.data.accounts import AccountItem, ContactItem, account_id_by_name
    from crm.data.table import CrmItem

    # Given a lead that is a known person
    lead_id = existing_lead(email="lena@example.com")
    text = ("Name,Email,Company name,Job title\n"
            "Karl,karl@example.com,Weber GmbH,CEO\n"
            "Klara,klara@example.com,weber  gmbh,CTO\n"
            "Karl again,KARL@example.com,Weber GmbH,\n"
            "Lena,lena@example.com,Lena AG,\n"
            "Solo,+36301112233,,\n")
    # When rep A imports it as contacts
    job = upload(board, REP_A, text, kind="contacts", file_name="contacts.csv")
    assert job["suggested_mapping"] == {"Name": "name", "Email": "email", "Company name": "company",
                                        "Job title": "role"}
    map_columns(board, REP_A, job)
    rows = run(board, REP_A, job["import_id"])
    # Then Karl and Klara share one Weber account; Karl's second row is a touch on his contact; Lena's on her lead
    outcomes = [(row["outcome"], row["record_kind"]) for row in rows]
    assert outcomes[:4] == [("created", "contact"), ("created", "contact"), ("merged", "contact"), ("merged", "lead")]
    weber = account_id_by_name("WEBER GMBH")
    assert rows[0]["account_id"] == rows[1]["account_id"] == rows[2]["account_id"] == weber
    assert rows[3]["record_id"] == lead_id
    assert len(touches(f"CONTACT#{rows[0]['record_id']}")) == 2
    karl = ContactItem.get(*ContactItem.key(rows[0]["record_id"]))
    assert (karl.owner_id, karl.role, karl.email, karl.first_touch.source) == (REP_A, "CEO", "karl@example.com",
                                                                              "import")
    # And the row with a phone in the email column is refused with the reason
    assert rows[4]["outcome"] == "invalid" and rows[4]["errors"][0]["field"] == "email"
    assert sum(isinstance(item, AccountItem) for item in CrmItem.scan()) == 1


def import_items() -> list:
    """Everything stored for imports (jobs, chunks of rows, results): a test's look, never a user path."""
    from crm.data.table import CrmItem

    return [item for item in CrmItem.scan() if item.PK.startswith("IMPORT#")]


@pytest.mark.parametrize(("text", "status", "reason", "code", "params"), [
    ("", 422, "the file is empty", "file_empty", {}),
    ("name,email\n", 422, "the file has a header row but no data rows", "file_no_rows", {}),
    ("name,email\n" + "x" * 2_000_000, 413, "the file is larger than 2 MB; split it into parts", "file_too_large",
     {"megabytes": 2}),
    ("name,email\n" + "x,y\n" * 5001, 413, "the file has more than 5000 rows; split it into parts",
     "file_too_many_rows", {"rows": 5000}),
    # 60,000 distinct columns once broke the job's 400 KB item; 2,000 repeated ones took 33 s to name
    ("name,email" + ",x" * 60_000 + "\na,b\n", 413, "the file has more than 200 columns; is it a CSV table?",
     "file_too_many_columns", {"columns": 200}),
    (",".join(["E" * 1000] * 21) + "\na,b\n", 422, "the header row is longer than 20000 bytes; is it a CSV table?",
     "header_too_long", {"size": 20000}),
    ("name,email\nAnn,ann@example.com\n" + "x" * 12_001 + "\n", 422,
     "row 3 is longer than 12000 bytes; is it a CSV table?", "row_too_long", {"row": 3, "size": 12000}),
])
def test_a_file_that_cannot_be_imported_is_refused_with_the_reason(board, crm, text, status, reason, code, params):
    response = board.call("POST", "/api/imports", REP_A, {"kind": "leads", "file_name": "x.csv", "csv": text})
    assert (response.status_code, response.json()["errors"]) == (
        status, [{"field": "csv", "message": reason, "code": code, "params": params}])
    assert import_items() == []  # refused before anything was written


def test_the_hostile_file_of_2000_repeated_names_is_answered_far_under_a_second(board, crm):
    # Given the board API warmed by one refusal, and the file whose 2,000 repeated names once took 33 s to name
    board.call("POST", "/api/imports", REP_A, {"kind": "leads", "file_name": "x.csv", "csv": ""})
    text = ",".join(["a"] * 2000) + "\n" + ",".join(["x"] * 2000) + "\n"
    # When it is uploaded
    started = time.perf_counter()
    response = board.call("POST", "/api/imports", REP_A, {"kind": "leads", "file_name": "x.csv", "csv": text})
    # Then it is refused on its column count at once (the function's timeout is 10 s), and nothing is stored
    assert time.perf_counter() - started < 0.5
    assert (response.status_code, response.json()["errors"][0]["code"]) == (413, "file_too_many_columns")
    assert import_items() == []


def test_a_file_at_every_limit_is_kept_whole_in_items_below_400_kb(board, crm):
    # Given a file at the limits, in the cells that take the most room as stored: 200 columns with a header of
    # Persian names, and rows as long as a row may be of Greek text and of control characters (six bytes each once
    # escaped); the rest of each row is 199 empty cells (', ""' each)
    header = ",".join(f"ستون {number} " + "ن" * 40 for number in range(200))
    greek, control = "α" * ((12_000 - 4 * 199) // 2 - 5), "\x01" * ((12_000 - 4 * 199) // 6 - 5)
    text = header + "\n" + f"{greek}\n{control}\n" * 30
    # When it is uploaded, Then it is kept: the job and each chunk of 25 such rows fit their items
    job = upload(board, REP_A, text)
    assert (len(job["columns"]), job["total"]) == (200, 60)
    chunks = [item for item in import_items() if item.SK.startswith("CHUNK#")]
    assert len(chunks) == 3 and [row[1][0] for row in chunks[0].rows[:2]] == [greek, control]
    # And a mapping naming more columns than a file may have is refused before it is read
    response = board.call("PUT", f"/api/imports/{job['import_id']}/mapping", REP_A,
                          {"mapping": {f"c{number}": None for number in range(201)}})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "mapping"


def test_a_mapping_missing_a_required_field_or_filling_one_twice_is_refused(board, crm):
    job = upload(board, REP_A, "Name,Mail,Phone\nA,a@example.com,+36301112233\n")
    path = f"/api/imports/{job['import_id']}/mapping"
    response = board.call("PUT", path, REP_A, {"mapping": {"Name": "name", "Mail": "email", "Phone": "email"}})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "mapping.Phone", "message": "email is already filled by another "
                                                                                 "column",
                                          "code": "mapping_twice", "params": {"field": "email"}}]
    response = board.call("PUT", path, REP_A, {"mapping": {"Name": None, "Mail": None, "Phone": "role"}})
    assert {error["field"] for error in response.json()["errors"]} == {"name", "email"}
    # And /next before a valid mapping is a conflict: there is nothing to import yet
    assert board.call("POST", f"/api/imports/{job['import_id']}/next", REP_A).status_code == 409
    # And once the import has started the mapping stays as it was
    map_columns(board, REP_A, job)
    run(board, REP_A, job["import_id"])
    assert board.call("PUT", path, REP_A, {"mapping": job["suggested_mapping"]}).status_code == 409
