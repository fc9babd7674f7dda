"""The search box: answering a typed query, for a rep and for a manager, with 10,000 records (8,000 leads and 2,000
contacts) in the table, against the same number of bare DynamoDB Query calls.

Run from the repo root: `.venv/bin/python bench/search.py` (or `make bench-search`). DynamoDB Local in memory; the
records and their search items are written as the intake and conversion write them (crm.data.search), with names,
companies, emails and phones drawn from about a hundred words, spread over 10 reps. The board API's Chalice app is
called in-process with the API Gateway event a signed-in user's `GET /api/search?q=` becomes, so "server time" is
the whole handler: claims, the Query, JSON. Queries are what people type: the first 2 to 6 characters of a name,
a company, an email, or a phone number written as `+49 30 1234`, `030 1234` or `(030) 12 34`. For each viewer: 30
warm-up searches, then 300 timed ones; the bare baseline is the one low-level boto3 Query per search that the
handler makes (the same prefixes, in everyone's scope: a manager's Query). One JSON object goes to stdout.
Target: p95 <= 100 ms.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO_ROOT = Path(__file__).resolve().parent.parent
for _path in (str(REPO_ROOT / "functions" / "shared"), str(REPO_ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from bench._board_stack import MANAGER, board_stack  # noqa: E402
from bench._capacity import CapacityMeter, log, metered_dynamodb  # noqa: E402
from bench._stats import summary_ms  # noqa: E402

TARGETS = {"p95_ms": 100.0}
RECORDS = int(os.environ.get("BENCH_SEARCH_RECORDS", "10000"))
SEARCHES = int(os.environ.get("BENCH_SEARCH_QUERIES", "300"))
WARMUP = 30
REPS = [f"rep-{number}" for number in range(10)]
VIEWERS = {"rep": ("rep-0", "reps"), "manager": (MANAGER, "managers")}
FIRST = ("Anna", "Béla", "Chris", "Dóra", "Emil", "Fanni", "Gábor", "Hanna", "István", "Julia", "Katalin", "Lukas",
         "Maria", "Niko", "Olga", "Péter", "Rita", "Stefan", "Tamás", "Ute", "Viktor", "Wilma", "Zoltán", "Zoë",
         "Νίκος", "Ελένη", "علی", "مریم", "Jonas", "Lena")
LAST = ("Schmidt", "Kovács", "Müller", "Nagy", "Weber", "Tóth", "Fischer", "Szabó", "Wagner", "Horváth", "Becker",
        "Varga", "Hoffmann", "Kiss", "Schulz", "Molnár", "Koch", "Németh", "Richter", "Farkas", "Papadopoulos",
        "Rahimi", "Klein", "Wolf", "Balogh", "Neumann", "Schwarz", "Lakatos", "Zimmermann", "Braun")
COMPANY = ("Globex", "Initech", "Umbrella", "Tyrell", "Kessel", "Vertrieb", "Stahl", "Holz", "Werkzeug", "Fénytech",
           "Duna", "Alpen", "Nordlicht", "Sonnen", "Pannon", "Rhein", "Balaton", "Olymp", "Parsa", "Adria")
SUFFIX = ("GmbH", "AG", "Kft", "Zrt", "Ltd", "SA", "KG")


def _person(number: int, rng: random.Random) -> dict[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    company = f"{rng.choice(COMPANY)} {rng.choice(LAST)} {rng.choice(SUFFIX)}"
    return {"name": f"{first} {last}", "company": company,
            "email": f"{last.lower()}.{number}@{company.split()[0].lower()}.example",
            "phone": f"+49{rng.choice(('30', '40', '89', '151'))}{rng.randrange(10_000_000, 99_999_999)}"}


def seed(count: int, rng: random.Random) -> list[dict[str, str]]:
    """`count` records, four in five leads and the rest contacts, each with its search items; the people written."""
    from ulid import ULID

    from crm.data import search
    from crm.data.accounts import ContactItem
    from crm.data.leads import FirstTouch, LeadItem
    from crm.data.table import CrmItem

    at = "2030-01-01T09:00:00+00:00"
    people = []
    with CrmItem.batch_write() as batch:
        for number in range(count):
            person, owner = _person(number, rng), REPS[number % len(REPS)]
            people.append(person)
            record_id = str(ULID())
            if number % 5:
                lead = LeadItem(*LeadItem.key(record_id), lead_id=record_id, **person, owner_id=owner,
                                first_touch=FirstTouch(at=at, source="web_page"), last_touch_at=at, created_at=at,
                                assignment_reason="bench", first_contact_due_at=at, call_task_id="bench",
                                **LeadItem.owner_keys(owner, at))
                items = [lead, *search.of_lead(lead)]
            else:
                contact = ContactItem(*ContactItem.key(record_id), contact_id=record_id, account_id="bench",
                                      name=person["name"], email=person["email"], phone=person["phone"],
                                      owner_id=owner, created_at=at)
                items = [contact, *search.of_contact(contact, person["company"])]
            for item in items:
                batch.save(item)
            if number and number % 2000 == 0:
                log(f"seeded {number} records")
    return people


def typed_queries(people: list[dict[str, str]], rng: random.Random, count: int) -> list[str]:
    """What people type into the box: a prefix of a name, company or email, or a phone number in some format."""
    queries = []
    for _ in range(count):
        person, length = rng.choice(people), rng.randint(2, 6)
        phone = person["phone"]
        national = "0" + phone[3:]
        choice = rng.randrange(6)
        queries.append([
            person["name"][:length], person["name"].split()[1][:length], person["company"][:length],
            person["email"][:length + 2], f"+{phone[1:3]} {phone[3:5]} {phone[5:9]}",
            f"({national[:3]}) {national[3:5]} {national[5:7]}"][choice])
    return queries


def _event(user_id: str, group: str, typed: str) -> dict[str, Any]:
    path = "/api/search"
    return {"resource": path, "path": path, "httpMethod": "GET", "headers": {"Accept": "application/json"},
            "multiValueHeaders": {}, "queryStringParameters": {"q": typed},
            "multiValueQueryStringParameters": {"q": [typed]}, "pathParameters": None, "stageVariables": None,
            "body": None, "isBase64Encoded": False,
            "requestContext": {"resourcePath": path, "httpMethod": "GET", "stage": "v1",
                               "path": f"/v1{path}?q={quote(typed)}", "requestId": "bench",
                               "identity": {"sourceIp": "127.0.0.1"},
                               "authorizer": {"claims": {"username": user_id, "cognito:groups": group,
                                                         "token_use": "access", "scope": "openid"}}}}


def _measure(app: Any, meter: CapacityMeter, user_id: str, group: str, queries: list[str]) -> dict[str, Any]:
    from local.lambda_dispatch import LocalLambdaContext

    for typed in queries[:WARMUP]:
        assert app(_event(user_id, group, typed), LocalLambdaContext("BoardApiFunction"))["statusCode"] == 200
    seconds, answered = [], 0
    meter.reset()
    for typed in queries:
        event = _event(user_id, group, typed)
        meter.recording = True
        started = time.perf_counter()
        response = app(event, LocalLambdaContext("BoardApiFunction"))
        seconds.append(time.perf_counter() - started)
        meter.recording = False
        assert response["statusCode"] == 200, response
        answered += any(json.loads(response["body"])["results"].values())
    return {"server_ms": summary_ms(seconds), "read_units_per_search": round(meter.read_units / len(queries), 2),
            "dynamodb_calls_per_search": {name: round(count / len(queries), 2) for name, count in meter.calls.items()},
            "searches_with_results": answered}


def _bare(client: Any, queries: list[str]) -> dict[str, Any]:
    """The one Query a search makes, as a bare low-level call: the floor of what answering can cost."""
    from crm.domain.search import Query

    looked_for = [query for query in map(Query.of, queries) if query.term]
    for query in looked_for[:WARMUP]:
        client.query(**_bare_query(query))
    seconds = []
    for query in looked_for:
        started = time.perf_counter()
        client.query(**_bare_query(query))
        seconds.append(time.perf_counter() - started)
    return {"server_ms": summary_ms(seconds)}


def _bare_query(query: Any) -> dict[str, Any]:
    from crm.data.search import EVERYONE, search_pk

    return {"TableName": os.environ["TABLE_NAME"], "KeyConditionExpression": "PK = :pk AND begins_with(SK, :term)",
            "ExpressionAttributeValues": {":pk": {"S": search_pk(EVERYONE, query.partition)},
                                          ":term": {"S": query.term}}, "Limit": 50}


def run() -> dict[str, Any]:
    from local.lambda_dispatch import load_handler

    meter = CapacityMeter()
    rng = random.Random(12)
    with board_stack(REPS) as client, metered_dynamodb(meter):
        log(f"seeding {RECORDS} records")
        people = seed(RECORDS, rng)
        queries = typed_queries(people, rng, SEARCHES)
        app = load_handler(REPO_ROOT / "functions" / "board_api", "app.app")
        results = {name: _measure(app, meter, user_id, group, queries) for name, (user_id, group) in VIEWERS.items()}
        results["bare_query"] = _bare(client, queries)
        log(", ".join(f"{name} p95 {result['server_ms']['p95']} ms" for name, result in results.items()))
    return _report(results)


def _report(results: dict[str, Any]) -> dict[str, Any]:
    p95 = max(results[viewer]["server_ms"]["p95"] for viewer in VIEWERS)
    bare = results["bare_query"]["server_ms"]["p95"]
    figures = {
        f"p95_ms_{RECORDS}": p95,
        f"bare_query_p95_ms_{RECORDS}": bare,
        "p95_ratio_vs_bare_query": round(p95 / bare, 2),
        "by_viewer": results,
        "records": RECORDS,
        "searches_per_case": SEARCHES,
        "targets": TARGETS,
    }
    figures["meets_targets"] = {"p95_ms": p95 <= TARGETS["p95_ms"]}
    return figures


def main() -> None:
    with contextlib.redirect_stdout(sys.stderr):  # handlers' logs and metrics: stdout is for the figures
        figures = run()
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
