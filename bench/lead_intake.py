"""Lead intake benchmark: the real handler vs the bare boto3 calls it must make, cold import, form to email.

Run from the repo root: `.venv/bin/python bench/lead_intake.py`. One JSON object goes to stdout, progress and a
summary line to stderr. Exit code 0 even when a target is missed: the figures are the point. `--cold-only` runs
phase 3 alone (tests/integration/test_bench_lead_intake.py).

1. handler: 1,000 JSON posts (about 10 % returning people) through functions/lead_intake/app.py `handler`,
   DynamoDB Local in memory, moto in-process for Step Functions/SES/SNS, after 50 warm-up posts.
2. bare: the same kind of submissions as the low-level boto3 calls the handler must make, same DynamoDB Local,
   same moto, same items (DynamoDB JSON built by hand), after 50 warm-up submissions.
3. the real cold start, 10 pairs of fresh processes: one imports app.py and serves its first request, a new
   person's web-form post; the other (bench/_bare.py) imports boto3, makes its clients and the same calls.
4. the real local stack (`python -m local --in-memory`): form POST to first sight of the rep's email in
   /outbox.json, 200 times.

`--load` runs only the load instead: a burst of 20 clients, then 8 clients posting the form at once
(load_p95_ms_8_clients, load_posts_per_s) on the local stack, and the same against the runner as it was before (its
unbounded HTTP server, moto's interpreter without its caches) as the baseline.
"""

from __future__ import annotations

import contextlib
import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT / "functions" / "shared"
LEAD_INTAKE_DIR = REPO_ROOT / "functions" / "lead_intake"
for _path in (str(SHARED_DIR), str(REPO_ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from bench._bare import Bare  # noqa: E402
from bench._output import stdout_to_devnull  # noqa: E402
from bench._stats import percentile, summary_ms  # noqa: E402

TARGETS = {"ratio_p95": 1.5, "cold_first_request_ratio": 1.5, "import_ms_lead_intake": 300.0,
           "form_to_email_p95_ms": 1000.0}
POSTS = int(os.environ.get("BENCH_POSTS", "1000"))
WARMUP = 50
RETURNING_SHARE = 0.10
COLD_PAIRS = int(os.environ.get("BENCH_COLD_PAIRS", "10"))
STACK_POSTS = int(os.environ.get("BENCH_STACK_POSTS", "200"))
STACK_WARMUP = 3
PROFILE_POSTS = 60
STACK_BUDGET_S = float(os.environ.get("BENCH_STACK_BUDGET_S", "90"))  # the stack slows down as it runs
LOAD_CLIENTS = 8
LOAD_POSTS_PER_CLIENT = int(os.environ.get("BENCH_LOAD_POSTS", "40"))
BURST_CLIENTS = 20
LOAD_TARGETS = {"load_p95_ms_8_clients": 1000.0, "burst_20_clients_failed": 0}
ORIGINAL_ENV = dict(os.environ)
AWS_ENV = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_REGION": "us-east-1"}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------ dataset

FIRST = ["Anna", "Béla", "Chris", "Dóra", "Emil", "Fanni", "Gábor", "Hanna", "Ivan", "Julia", "Klaus", "Lena",
         "Márton", "Nora", "Oskar", "Petra", "Quentin", "Rita", "Sven", "Tímea", "Uwe", "Vera", "Wim", "Zsófia"]
LAST = ["Kovács", "Schmidt", "Smith", "Nagy", "Müller", "Johnson", "Tóth", "Weber", "Brown", "Szabó", "Fischer",
        "Garcia", "Horváth", "Wagner", "Martin", "Varga", "Becker", "Dubois", "Kiss", "Hoffmann"]
COMPANIES = ["Acme Kft", "Globex GmbH", "Initech Ltd", "Umbrella Zrt", "Stark Industries", "Wayne Enterprises",
             "Hooli Inc", "Vandelay Import Export", "Soylent Corp", "Tyrell AG", "Cyberdyne Systems", "Wonka SA"]
ROLES = ["CEO", "Head of Sales", "Marketing Manager", "CTO", "Office Manager", "Procurement Lead", "Founder"]
SIZES = ["1-10", "11-50", "51-200", "201-1000", "1000+", "35", "480", "5000"]
# (country field, phone country, weight): DE/AT/CH hit the DACH rule, the rest go round robin or enterprise
COUNTRIES = [("DE", "DE", 10), ("AT", "AT", 3), ("CH", "CH", 3), ("HU", "HU", 22), ("US", "US", 20),
             ("GB", "GB", 14), ("FR", "FR", 8), (None, "HU", 20)]
LANGUAGES = {"DE": "de", "AT": "de", "CH": "de", "HU": "hu", "US": "en", "GB": "en-GB", "FR": "fr"}
SOURCES = ["web_page", "web_page", "web_page", "ebook", "event", "newsletter", "referral"]
PAGES = ["/pricing", "/demo", "/contact", "/blog/speed-to-lead", "/ebook/crm-checklist", "/features/routing"]
REFERRERS = ["https://www.google.com/", "https://www.linkedin.com/", "https://news.ycombinator.com/", None, None]
MESSAGES = [
    "We are a team of {n} sales reps and lose track of inbound leads. Could you show us how routing and the "
    "first-contact SLA work? Tuesdays and Thursdays after 2pm work best for a call.",
    "Looking for a CRM that can call back web leads within minutes. We get about {n} form posts a week from "
    "our landing pages and currently forward them by email.",
    "Interested in the ebook and a short demo. Do you integrate with our existing phone system?",
    "Please send pricing for {n} seats. We need German and Hungarian email templates for the reps.",
]


def _phone_for(country: str, rng: random.Random, used: set[str]) -> tuple[str, str]:
    """A raw phone string as a person would type it, valid for the country, and its E.164 form."""
    from crm.domain.contact_points import normalize_phone

    for _ in range(200):
        digits = "".join(rng.choice("0123456789") for _ in range(7))
        raw = {
            "HU": f"+36 30 {digits[:3]} {digits[3:]}",
            "DE": f"+49 151 {digits}{rng.randint(0, 9)}",
            "AT": f"+43 664 {digits}",
            "CH": f"+41 79 {digits}",
            "US": f"+1 (415) {rng.randint(200, 989)}-{digits[:4]}",
            "GB": f"+44 7911 {digits[:6]}",
            "FR": f"+33 6 {digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6]}{rng.randint(0, 9)}",
        }[country]
        try:
            e164 = normalize_phone(raw, "HU")
        except ValueError:
            continue
        if e164 not in used:
            used.add(e164)
            return raw, e164
    raise RuntimeError(f"could not make a valid {country} phone number")


def make_posts(count: int, tag: str, seed: int) -> list[dict]:
    """`count` lead posts for run `tag`; the same seed gives the same shapes (only emails/phones differ by tag).

    About RETURNING_SHARE of them are an earlier person of the same list coming back with a new body.
    """
    rng = random.Random(seed)
    phone_rng = random.Random(f"{seed}-{tag}")  # phones differ between runs; the shapes (rng) do not
    used_phones: set[str] = set()
    people: list[dict] = []
    posts: list[dict] = []
    for index in range(count):
        if index >= 20 and rng.random() < RETURNING_SHARE:
            person = rng.choice(people)
            body = {"name": person["name"], "email": person["email"].upper() if rng.random() < 0.5
                    else f" {person['email']}", "source": rng.choice(["newsletter", "event", "ebook"]),
                    "message": f"Following up ({tag}{index}): any update on the demo?",
                    "page_url": f"https://www.example.com{rng.choice(PAGES)}"}
            if not person["has_phone"] and rng.random() < 0.5:
                body["phone"] = _phone_for(person["phone_country"], phone_rng, used_phones)[0]
                person["has_phone"] = True
            if rng.random() < 0.5:
                body["company"] = rng.choice(COMPANIES)
            posts.append({"body": body, "returning": True})
            continue
        country, phone_country, _ = rng.choices(COUNTRIES, weights=[c[2] for c in COUNTRIES])[0]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        # an address's local part is ASCII (SES takes no SMTPUTF8): Horváth writes horvath
        local = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
        email = f"{local}.{index:05d}{tag}@{rng.choice(['example.com', 'mail.example.org'])}"
        body: dict = {"name": f"{first} {last}", "email": email, "source": rng.choice(SOURCES),
                      "form_id": rng.choice(["contact", "demo-request", "ebook-download"]),
                      "page_url": f"https://www.example.com{rng.choice(PAGES)}?ref={index}"}
        has_phone = rng.random() < 0.6
        if has_phone:
            body["phone"] = _phone_for(phone_country, phone_rng, used_phones)[0]
        if country:
            body["country"] = country
            if rng.random() < 0.6:
                body["language"] = LANGUAGES[country]
        if rng.random() < 0.75:
            body["company"] = rng.choice(COMPANIES)
            body["role"] = rng.choice(ROLES)
        if rng.random() < 0.45:
            body["company_size"] = rng.choice(SIZES)
        if rng.random() < 0.7:
            body["message"] = rng.choice(MESSAGES).format(n=rng.randint(3, 400))
        referrer = rng.choice(REFERRERS)
        if referrer:
            body["referrer"] = referrer
        if rng.random() < 0.5:
            body.update({"utm_source": rng.choice(["google", "linkedin", "newsletter"]), "utm_medium": "cpc",
                         "utm_campaign": f"spring-{rng.randint(1, 9)}"})
        if rng.random() < 0.3:
            body.update({"marketing_consent": True,
                         "consent_text": "I agree to receive product news by email. I can unsubscribe any time."})
        if rng.random() < 0.2:
            body.update({"budget": "10-50k EUR", "timing": "this quarter", "need": "faster lead response"})
        if rng.random() < 0.3:
            body["timezone"] = rng.choice(["Europe/Budapest", "Europe/Berlin", "America/New_York"])
        if rng.random() < 0.2:
            body["best_time_to_contact"] = "mornings"
        people.append({"name": body["name"], "email": email, "has_phone": has_phone,
                       "phone_country": phone_country})
        posts.append({"body": body, "returning": False})
    return posts


def api_event(body: str) -> dict:
    return {
        "httpMethod": "POST", "path": "/leads", "resource": "/leads", "body": body, "isBase64Encoded": False,
        "headers": {"Content-Type": "application/json", "Origin": "https://www.example.com",
                    "User-Agent": "Mozilla/5.0 (bench)"},
        "pathParameters": None, "queryStringParameters": None,
        "requestContext": {"requestId": "bench", "stage": "v1", "path": "/v1/leads",
                           "identity": {"sourceIp": "203.0.113.9"}},
    }


# ------------------------------------------------------------------------------------------------ phase 1

def run_interleaved(posts: list[dict], bare: Bare, prepared: list, label: str):
    """Handler post i, then bare submission i: both see the same DynamoDB Local JIT state and machine noise
    (run one after the other, the second phase gets a warmer JVM and looks faster)."""
    from local.lambda_dispatch import LocalLambdaContext, load_handler

    handler = load_handler(LEAD_INTAKE_DIR, "app.handler")
    events = [api_event(json.dumps(post["body"], ensure_ascii=False)) for post in posts]
    handler_durations: list[float] = []
    bare_durations: list[float] = []
    statuses: dict[int, int] = {}
    returning = 0
    for index, (event, (key, sub, country)) in enumerate(zip(events, prepared, strict=True)):
        context = LocalLambdaContext(function_name="LeadIntakeFunction")
        start = time.perf_counter()
        response = handler(event, context)
        handler_durations.append(time.perf_counter() - start)
        statuses[response["statusCode"]] = statuses.get(response["statusCode"], 0) + 1
        start = time.perf_counter()
        _, was_returning = bare.submit({"key": key}, sub, country)
        bare_durations.append(time.perf_counter() - start)
        returning += was_returning
        if (index + 1) % 250 == 0:
            log(f"{label}: {index + 1}/{len(events)}")
    return handler_durations, statuses, bare_durations, returning


# ------------------------------------------------------------------------------------------------ phase 2

def prepare_bare(posts: list[dict]) -> list[tuple[str, dict, str | None]]:
    """Validated submissions (untimed): the bare path gets the same normalized values the handler stores."""
    prepared = []
    for post in posts:
        body = json.dumps(post["body"], ensure_ascii=False)
        key = "body:" + hashlib.sha256(b"application/json\n" + body.encode()).hexdigest()
        prepared.append((key, *validated(post["body"])))
    return prepared


def validated(fields: dict) -> tuple[dict, str | None]:
    """The submission as the handler validates it, as plain data, and the country it stores."""
    from crm.domain.contact_points import phone_country
    from crm.models.leads import LeadSubmission

    sub = LeadSubmission.model_validate(fields, context={"default_phone_region": "HU"})
    country = sub.country or (phone_country(sub.phone) if sub.phone else None)
    return sub.model_dump(), country


def item_parity(ddb, table: str, handler_email: str, bare_email: str) -> dict:
    """The lead items the handler and the bare path wrote for the same-shaped submission: names and sizes."""
    def lead_of(email: str) -> dict:
        point = ddb.get_item(TableName=table, Key={"PK": {"S": f"EMAIL#{email}"}, "SK": {"S": "CONTACT_POINT"}})["Item"]
        lead_id = point["lead_id"]["S"]
        items = ddb.query(TableName=table, KeyConditionExpression="PK = :pk",
                          ExpressionAttributeValues={":pk": {"S": f"LEAD#{lead_id}"}})["Items"]
        return {"lead": next(item for item in items if item["SK"]["S"] == "LEAD"),
                "events": sorted(len(json.dumps(item)) for item in items if item["SK"]["S"] != "LEAD")}

    handler, bare = lead_of(handler_email), lead_of(bare_email)
    return {"same_lead_attribute_names": sorted(handler["lead"]) == sorted(bare["lead"]),
            "handler_only": sorted(set(handler["lead"]) - set(bare["lead"])),
            "bare_only": sorted(set(bare["lead"]) - set(handler["lead"])),
            "lead_json_bytes": [len(json.dumps(handler["lead"])), len(json.dumps(bare["lead"]))],
            "event_json_bytes": [handler["events"], bare["events"]]}


# ------------------------------------------------------------------------------------------------ phase 3

# Both children read their input before their clocks start and time everything after: a cold Lambda's init
# (the handler module's import) and its first request, against the bare calls with their clients made from scratch.
COLD_HANDLER = r"""
import json, os, sys, time
event, second_event = json.loads(os.environ["BENCH_EVENT"]), json.loads(os.environ["BENCH_EVENT2"])
start, cpu = time.perf_counter(), time.process_time()
import importlib.util
sys.path.insert(0, os.environ["BENCH_SHARED"])
spec = importlib.util.spec_from_file_location("lead_intake_app", os.environ["BENCH_APP"])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
imported = time.perf_counter()

class Context:  # the attributes of local.lambda_dispatch.LocalLambdaContext (importing it would load moto)
    function_name = "LeadIntakeFunction"; memory_limit_in_mb = 512; function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:LeadIntakeFunction"
    aws_request_id = "cold"; log_group_name = "/aws/lambda/LeadIntakeFunction"
    log_stream_name = "local"; identity = None; client_context = None; tenant_id = None
    def get_remaining_time_in_millis(self): return 10_000

sys.stdout.flush()
saved = os.dup(1); devnull = os.open(os.devnull, os.O_WRONLY); os.dup2(devnull, 1)
response = module.handler(event, Context())
done, done_cpu = time.perf_counter(), time.process_time()
second = module.handler(second_event, Context())
second_done = time.perf_counter()
sys.stdout.flush(); os.dup2(saved, 1)
import gc, botocore.client, botocore.session  # after the clocks: what the two requests built, as the test checks it
live = gc.get_objects()
print("BENCH_RESULT " + json.dumps({"cold_ms": (done - start) * 1000, "cpu_ms": (done_cpu - cpu) * 1000,
      "import_ms": (imported - start) * 1000, "first_invoke_ms": (done - imported) * 1000,
      "second_invoke_ms": (second_done - done) * 1000, "statuses": [response["statusCode"], second["statusCode"]],
      "botocore_sessions": sum(isinstance(item, botocore.session.Session) for item in live),
      "clients": sorted(item.meta.service_model.service_name for item in live
                        if isinstance(item, botocore.client.BaseClient)),
      "loaded": sorted({name.split(".")[0] for name in sys.modules} & set(os.environ["BENCH_WATCH"].split()))}))
"""

COLD_BARE = r"""
import json, os, sys, time
key, sub, country = json.loads(os.environ["BENCH_BARE"])
start, cpu = time.perf_counter(), time.process_time()
sys.path[:0] = [os.environ["BENCH_SHARED"], os.environ["BENCH_ROOT"]]
from bench._bare import Bare
bare = Bare(os.environ["TABLE_NAME"], os.environ["IDEMPOTENCY_TABLE_NAME"], os.environ["LEAD_LIFECYCLE_ARN"],
            int(os.environ["SLA_MINUTES"]))
lead_id, returning = bare.submit({"key": key}, sub, country)
done, done_cpu = time.perf_counter(), time.process_time()
print("BENCH_RESULT " + json.dumps({"cold_ms": (done - start) * 1000, "cpu_ms": (done_cpu - cpu) * 1000,
      "returning": returning}))
"""


NOT_ON_THE_COLD_PATH = ("aws_xray_sdk", "jinja2", "moto")
"""Packages a web-form post has no use for (the X-Ray SDK alone costs ~300 ms): the cold handler reports any it
loaded."""


def form_post(tag: str) -> dict:
    """What the published lead form posts (application/x-www-form-urlencoded): a new person, the visible inputs
    filled as a visitor does, the untouched ones empty, the hidden ones and the empty honeypot."""
    unique = time.time_ns()
    return {"name": "Dóra Kovács", "role": "Head of Sales", "company": "Acme Kft", "company_size": "11-50",
            "country": "", "email": f"dora.{tag}.{unique}@example.com",
            "phone": f"+36 30 {unique % 1000:03d} {unique // 1000 % 10000:04d}", "best_time_to_contact": "mornings",
            "message": "We lose track of our inbound leads. Could you show us how routing works?",
            "budget": "", "authority": "", "need": "", "timing": "", "marketing_consent": "on",
            "consent_text": "I agree to receive product news by email. I can unsubscribe any time.",
            "source": "web_page", "form_id": "contact", "page_url": "https://www.example.com/demo",
            "referrer": "https://www.google.com/", "utm_source": "google", "utm_medium": "cpc",
            "utm_campaign": "spring-3", "website": ""}


def form_event(fields: dict) -> dict:
    from urllib.parse import urlencode

    event = api_event(urlencode(fields))
    event["headers"] = {**event["headers"], "Content-Type": "application/x-www-form-urlencoded",
                        "Accept": "text/html,application/xhtml+xml"}
    return event


def suppression_key_secret(secretsmanager: Any) -> str:
    """Makes the template's secrets as the runner does; the name of the suppression list's key, which intake reads."""
    from local.provision import create_secrets
    from local.template import Resolver, load_template

    template = load_template()
    return create_secrets(template, Resolver(template), secretsmanager)["SuppressionKeySecret"]


def run_cold_processes(dynamodb_endpoint: str) -> dict:
    """Fresh interpreters in pairs: the handler's (import app.py, then its first request, a web-form post) and the
    bare one's (import boto3, make the clients, the same calls for the same kind of lead); their order alternates.

    Step Functions for these processes is a ThreadedMotoServer in this process (the children must not import
    moto: that would preload boto3/botocore and hide what a cold start loads).
    """
    import boto3
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    from local.dynamodb_local import free_port
    from tests.integration.conftest import ENVIRONMENT, PASS_MACHINE

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        arn = boto3.client("stepfunctions", endpoint_url=endpoint).create_state_machine(
            name="lead-lifecycle-cold", definition=json.dumps(PASS_MACHINE),
            roleArn="arn:aws:iam::123456789012:role/sfn")["stateMachineArn"]
        secret = suppression_key_secret(boto3.client("secretsmanager", endpoint_url=endpoint))
        env = {**ORIGINAL_ENV, **AWS_ENV, **ENVIRONMENT, "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint,
               "AWS_ENDPOINT_URL": endpoint, "LEAD_LIFECYCLE_ARN": arn, "SUPPRESSION_KEY_SECRET": secret,
               "BENCH_SHARED": str(SHARED_DIR),
               "BENCH_ROOT": str(REPO_ROOT), "BENCH_APP": str(LEAD_INTAKE_DIR / "app.py"),
               "BENCH_WATCH": " ".join(NOT_ON_THE_COLD_PATH)}

        def child(code: str, extra: dict) -> dict:
            done = subprocess.run([sys.executable, "-c", code], env={**env, **extra}, cwd=REPO_ROOT,
                                  capture_output=True, text=True, timeout=120, check=False)
            line = next((row for row in done.stdout.splitlines() if row.startswith("BENCH_RESULT ")), None)
            if line is None:
                raise RuntimeError(f"cold process failed ({done.returncode}):\n{done.stderr[-3000:]}")
            return json.loads(line.removeprefix("BENCH_RESULT "))

        handlers, bares = [], []
        for index in range(COLD_PAIRS):
            handler_env = {"BENCH_EVENT": json.dumps(form_event(form_post(f"h{index}"))),
                           "BENCH_EVENT2": json.dumps(form_event(form_post(f"s{index}")))}
            fields = form_post(f"b{index}")
            key = "body:" + hashlib.sha256(b"application/x-www-form-urlencoded\n" +
                                           form_event(fields)["body"].encode()).hexdigest()
            bare_env = {"BENCH_BARE": json.dumps([key, *validated(fields)])}
            runs = [(handlers, COLD_HANDLER, handler_env), (bares, COLD_BARE, bare_env)]
            for results, code, extra in runs if index % 2 == 0 else runs[::-1]:
                results.append(child(code, extra))
        handler_ms, bare_ms = [r["cold_ms"] for r in handlers], [r["cold_ms"] for r in bares]
        log("cold handler: " + ", ".join(f"{r['import_ms']:.0f}+{r['first_invoke_ms']:.0f}" for r in handlers)
            + " ms (import + first request); cold bare: " + ", ".join(f"{value:.0f}" for value in bare_ms) + " ms")
        return {
            "pairs": COLD_PAIRS,
            "handler_ms": [round(value, 1) for value in handler_ms],
            "bare_ms": [round(value, 1) for value in bare_ms],
            "handler_cpu_ms": [round(r["cpu_ms"], 1) for r in handlers],
            "bare_cpu_ms": [round(r["cpu_ms"], 1) for r in bares],
            "import_ms": [round(r["import_ms"], 1) for r in handlers],
            "first_invoke_ms": [round(r["first_invoke_ms"], 1) for r in handlers],
            "second_invoke_ms": [round(r["second_invoke_ms"], 1) for r in handlers],
            "statuses": sorted({status for r in handlers for status in r["statuses"]}),
            "botocore_sessions": max(r["botocore_sessions"] for r in handlers),
            "clients": max((r["clients"] for r in handlers), key=len),
            "loaded_but_not_needed": sorted({name for r in handlers for name in r["loaded"]}),
            "bare_returning": sum(r["returning"] for r in bares),
        }
    finally:
        server.stop()


def import_breakdown() -> list[tuple[str, float]]:
    """`python -X importtime` of app.py in a fresh process: the heaviest top-level packages (cumulative ms)."""
    env = {**ORIGINAL_ENV, **AWS_ENV, "BENCH_SHARED": str(SHARED_DIR), "BENCH_APP": str(LEAD_INTAKE_DIR / "app.py")}
    from tests.integration.conftest import ENVIRONMENT

    env.update(ENVIRONMENT)
    code = ("import importlib.util, os, sys; sys.path.insert(0, os.environ['BENCH_SHARED']); "
            "spec = importlib.util.spec_from_file_location('app', os.environ['BENCH_APP']); "
            "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)")
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    top: dict[str, float] = {}
    for row in done.stderr.splitlines():
        if not row.startswith("import time:") or "|" not in row:
            continue
        parts = row.removeprefix("import time:").split("|")
        try:
            cumulative = int(parts[1].strip())
        except ValueError:
            continue
        name = parts[2].rstrip()
        depth = (len(name) - len(name.lstrip())) // 2
        if depth <= 1:
            package = name.strip()
            top[package] = max(top.get(package, 0.0), cumulative / 1000)
    return sorted(top.items(), key=lambda pair: -pair[1])[:10]


# ------------------------------------------------------------------------------------------------ phase 4

@dataclass
class LocalStack:
    url: str
    pid: int
    startup_s: float
    tail: Callable[[], str]

    def threads(self) -> int | None:
        """The stack process's threads now (Linux's /proc), None where there is no /proc."""
        try:
            status = Path(f"/proc/{self.pid}/status").read_text()
        except OSError:
            return None
        return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("Threads:"))


@contextlib.contextmanager
def local_stack(label: str, runner: str | None = None) -> Iterator[LocalStack]:
    """`python -m local --in-memory` on a free port in real time (no clock compression: SLA escalations of the
    benchmark's own leads would compete for the one process), or `runner` (Python code) in its place; stopped as
    Ctrl-C stops it."""
    import requests

    from local.dynamodb_local import free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**ORIGINAL_ENV, "PORT": str(port), "PYTHONUNBUFFERED": "1", "CLOCK_SPEEDUP": "1"}
    log_file = tempfile.NamedTemporaryFile(prefix="bench-stack-", suffix=".log", delete=False)  # noqa: SIM115
    started = time.perf_counter()
    command = ["-m", "local", "--in-memory"] if runner is None else ["-c", runner, "--in-memory"]
    process = subprocess.Popen([sys.executable, *command], cwd=REPO_ROOT, env=env,
                               stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)

    def tail() -> str:
        return Path(log_file.name).read_text(errors="replace")[-3000:]

    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the local stack exited with {process.returncode}:\n{tail()}")
            try:
                if requests.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the local stack did not come up:\n{tail()}")
            time.sleep(0.1)
        startup_s = time.perf_counter() - started
        log(f"{label} local stack up in {startup_s:.1f} s on {url}")
        yield LocalStack(url, process.pid, startup_s, tail)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # = Ctrl-C for the stack; SIGINT is ignored in background jobs
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        log_file.close()
        log(f"{label} local stack stopped (exit {process.returncode}); its log: {log_file.name}")


def run_stack(posts: int) -> dict:
    import requests

    with local_stack("phase 4:") as stack:
        url, tail, startup_s = stack.url, stack.tail, stack.startup_s
        session = requests.Session()
        latencies, post_ms, polls, poll_ms, warmup = [], [], [], [], []
        outbox_sizes = []
        run_tag = f"{os.getpid() % 1000:03d}"
        loop_start = time.perf_counter()
        stopped_early = False
        for index in range(STACK_WARMUP + posts):
            if time.perf_counter() - loop_start > STACK_BUDGET_S:
                stopped_early = True
                log(f"stack: time budget of {STACK_BUDGET_S:.0f} s used up after {len(latencies)} measured posts")
                break
            name = f"Bench Visitor {run_tag}x{index:04d}q"
            form = {"name": name, "email": f"visitor.{run_tag}.{index}@example.com", "website": ""}
            start = time.perf_counter()
            response = session.post(f"{url}/leads", data=form, headers={"Origin": url}, allow_redirects=False,
                                    timeout=30)
            post_ms.append((time.perf_counter() - start) * 1000)
            if response.status_code not in (200, 201, 303):
                raise RuntimeError(f"POST /leads answered {response.status_code}: {response.text[:500]}\n{tail()}")
            count = 0
            while True:
                poll_start = time.perf_counter()
                messages = session.get(f"{url}/outbox.json", timeout=30).json()
                poll_ms.append((time.perf_counter() - poll_start) * 1000)
                count += 1
                if any(message.get("kind") == "email" and name in (message.get("subject") or "")
                       for message in messages):
                    break
                if time.perf_counter() - start > 30:
                    raise RuntimeError(f"no email for {name} within 30 s\n{tail()}")
                time.sleep(0.02)
            elapsed = time.perf_counter() - start
            outbox_sizes.append(len(messages))
            if index < STACK_WARMUP:
                warmup.append(round(elapsed * 1000, 1))
            else:
                latencies.append(elapsed)
                polls.append(count)
            if (index + 1) % 50 == 0:
                log(f"stack: {index + 1}/{STACK_WARMUP + posts}, last {elapsed * 1000:.0f} ms, "
                    f"outbox {len(messages)} messages")
        final_poll = []
        for _ in range(5):
            poll_start = time.perf_counter()
            body = session.get(f"{url}/outbox.json", timeout=30).content
            final_poll.append((time.perf_counter() - poll_start) * 1000)
        healthz = []
        for _ in range(20):  # the same HTTP round trip without the outbox: is it the server or the outbox?
            poll_start = time.perf_counter()
            session.get(f"{url}/healthz", timeout=30)
            healthz.append((time.perf_counter() - poll_start) * 1000)
        first_polls, last_polls = poll_ms[:50], poll_ms[-50:]
        return {
            "startup_s": round(startup_s, 2),
            "latency": summary_ms(latencies),
            "posts_measured": len(latencies), "stopped_early_at_budget_s": STACK_BUDGET_S if stopped_early else None,
            "latency_ms_first_10": [round(value * 1000) for value in latencies[:10]],
            "latency_ms_last_10": [round(value * 1000) for value in latencies[-10:]],
            "warmup_ms": warmup,
            "post_ms": summary_ms([value / 1000 for value in post_ms[STACK_WARMUP:]]),
            "polls_per_lead": {"p50": percentile(polls, 50), "p95": percentile(polls, 95), "max": max(polls)},
            "poll_ms_first_50": round(sum(first_polls) / len(first_polls), 2),
            "poll_ms_last_50": round(sum(last_polls) / len(last_polls), 2),
            "outbox_messages_end": len(json.loads(body)),
            "outbox_json_bytes_end": len(body),
            "outbox_get_ms_end": round(percentile(final_poll, 50), 2),
            "healthz_get_ms_end": round(percentile(healthz, 50), 2),
            "outbox_sizes_first_last": [outbox_sizes[0], outbox_sizes[-1]],
        }


# ------------------------------------------------------------------------------------------------ load (--load)

BEFORE_RUNNER = r"""
import runpy, socketserver
from local import http_server, moto_stack

class Unbounded(socketserver.ThreadingMixIn, http_server.LocalStackServer):
    daemon_threads = True
    request_queue_size = 5

http_server.LocalStackServer = Unbounded
http_server._RequestHandler.timeout = None
moto_stack.cache_interpreter_work = lambda: None
runpy.run_module("local", run_name="__main__", alter_sys=True)
"""
"""The baseline: the runner as it was before it held a burst. A thread per connection without bound (socketserver's
ThreadingMixIn), socketserver's listen backlog of 5, idle keep-alive connections held open, and moto's interpreter
parsing each execution's definition and JSONPaths and making a Lambda client for each task anew."""

LOAD_HOW = ("Each runner is a fresh `python -m local --in-memory` in real time (CLOCK_SPEEDUP=1); the baseline is "
            "the same stack as it was before (a thread per connection, backlog 5, no idle timeout, moto's "
            "interpreter redoing its parses and Lambda clients for every execution). "
            "On each: 5 warm-up posts, then 20 clients posting one form each at the same moment on connections of "
            "their own (burst), then one client posting BENCH_LOAD_POSTS forms in a row, then 8 clients doing the "
            "same at once, each on its keep-alive connection as a browser. Latency is the form POST to its 303; "
            "posts_per_s counts answered posts over the wall time; peak_threads samples the stack process's "
            "threads every 50 ms (/proc).")


@contextlib.contextmanager
def sampled_threads(stack: LocalStack) -> Iterator[list[int]]:
    """The stack process's thread count every 50 ms while the block runs."""
    samples: list[int] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            if (count := stack.threads()) is not None:
                samples.append(count)
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield samples
    finally:
        stop.set()
        sampler.join()


def clients_posting(stack: LocalStack, clients: int, posts_each: int, tag: str) -> dict:
    """`clients` visitors posting the lead form `posts_each` times in a row, starting at the same moment, each on a
    keep-alive connection of its own; a reset or a timeout counts as that post's outcome, it does not stop them."""
    import requests

    start_together = threading.Barrier(clients)

    def client(number: int) -> list[tuple[float, str]]:
        session = requests.Session()
        start_together.wait()
        results = []
        for index in range(posts_each):
            form = {"name": f"Load Visitor {tag}{number}x{index:03d}", "website": "",
                    "email": f"load.{tag}.{number}.{index}@example.com"}
            began = time.perf_counter()
            try:
                outcome = str(session.post(f"{stack.url}/leads", data=form, headers={"Origin": stack.url},
                                           allow_redirects=False, timeout=30).status_code)
            except requests.RequestException as error:
                outcome = "connection reset" if "reset" in str(error).lower() else type(error).__name__
            results.append((time.perf_counter() - began, outcome))
        session.close()
        return results

    with sampled_threads(stack) as threads, ThreadPoolExecutor(clients) as pool:
        began = time.perf_counter()
        results = [result for posted in pool.map(client, range(clients)) for result in posted]
        wall_s = time.perf_counter() - began
    answered = [seconds for seconds, outcome in results if outcome == "303"]
    outcomes: dict[str, int] = {}
    for _, outcome in results:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return {"clients": clients, "posts": len(results), "outcomes": outcomes, "failed": len(results) - len(answered),
            "latency": summary_ms(answered), "posts_per_s": round(len(answered) / wall_s, 2),
            "wall_s": round(wall_s, 2), "peak_threads": max(threads, default=None)}


def load_runner(label: str, runner: str | None = None) -> dict:
    with local_stack(label, runner) as stack:
        clients_posting(stack, 1, 5, "w")  # the handlers' first requests
        idle_threads = stack.threads()
        burst = clients_posting(stack, BURST_CLIENTS, 1, "b")
        log(f"{label} burst of {BURST_CLIENTS}: {burst['outcomes']}")
        single = clients_posting(stack, 1, LOAD_POSTS_PER_CLIENT, "s")
        log(f"{label} 1 client: p95 {single['latency'].get('p95')} ms, {single['posts_per_s']} posts/s")
        eight = clients_posting(stack, LOAD_CLIENTS, LOAD_POSTS_PER_CLIENT, "l")
        log(f"{label} {LOAD_CLIENTS} clients: p95 {eight['latency'].get('p95')} ms, {eight['posts_per_s']} posts/s, "
            f"{eight['outcomes']}, peak {eight['peak_threads']} threads")
        return {"startup_s": round(stack.startup_s, 2), "threads_after_warmup": idle_threads, "burst": burst,
                "single_client": single, "eight_clients": eight, "threads_at_end": stack.threads()}


def load_figures(runs: dict) -> dict:
    eight, burst = runs["eight_clients"], runs["burst"]
    return {"load_p95_ms_8_clients": eight["latency"].get("p95"), "load_posts_per_s": eight["posts_per_s"],
            "load_failed_8_clients": eight["failed"], "load_peak_threads": eight["peak_threads"],
            "burst_20_clients_failed": burst["failed"],
            "single_client_p95_ms": runs["single_client"]["latency"].get("p95"),
            "single_client_posts_per_s": runs["single_client"]["posts_per_s"]}


def run_load() -> dict:
    """The bounded runner, then the baseline, the same clients against each."""
    log(f"load: the runner, then the baseline (before); {LOAD_CLIENTS} clients x {LOAD_POSTS_PER_CLIENT} posts")
    runner = load_runner("runner:")
    baseline = load_runner("baseline (before):", BEFORE_RUNNER)
    figures = load_figures(runner)
    p95 = figures["load_p95_ms_8_clients"]
    return {**figures, "baseline_before": load_figures(baseline), "targets": LOAD_TARGETS,
            "pass": {"load_p95_ms_8_clients": p95 is not None and p95 <= LOAD_TARGETS["load_p95_ms_8_clients"],
                     "burst_20_clients_failed": figures["burst_20_clients_failed"] == 0},
            "details": {"runner": runner, "baseline_before": baseline, "how": LOAD_HOW}}


# ------------------------------------------------------------------------------------------------ main

def profile_handler(posts: list[dict]) -> dict:
    """cProfile over extra new-lead posts: the functions where the handler's time goes (cumulative)."""
    from local.lambda_dispatch import LocalLambdaContext, load_handler

    handler = load_handler(LEAD_INTAKE_DIR, "app.handler")
    profiler = cProfile.Profile()
    durations = []
    with stdout_to_devnull():
        profiler.enable()
        for post in posts:
            start = time.perf_counter()
            handler(api_event(json.dumps(post["body"], ensure_ascii=False)), LocalLambdaContext("LeadIntakeFunction"))
            durations.append(time.perf_counter() - start)
        profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream)
    total = sum(durations)
    rows = []
    for (filename, line, function), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        short = filename.replace(str(REPO_ROOT) + "/", "").split("site-packages/")[-1]
        rows.append({"function": f"{short}:{line}({function})", "calls": calls,
                     "cum_ms_per_post": round(cumtime * 1000 / len(posts), 3),
                     "own_ms_per_post": round(tottime * 1000 / len(posts), 3)})
    interesting = ("connection/base.py", "botocore/session.py", "botocore/client.py", "transactions.py",
                   "idempotency", "logging", "metrics", "pydantic", "phonenumbers", "http/client.py",
                   "crm/", "app.py", "urllib3", "socket", "ulid", "moto/")
    by_cum = sorted(rows, key=lambda row: -row["cum_ms_per_post"])
    stats.sort_stats("tottime").print_stats(25)
    log("profile (own time, top 25):\n" + stream.getvalue()[-6000:])
    return {"profiled_posts": len(posts), "wall_ms_per_post": round(total * 1000 / len(posts), 2),
            "top_cumulative": [row for row in by_cum if any(key in row["function"] for key in interesting)][:40],
            "top_own": sorted(rows, key=lambda row: -row["own_ms_per_post"])[:20]}


def warm_phases(environment: dict, machine: dict) -> dict:
    """Phases 1 and 2: the handler against the bare calls, post by post, in one warm process (moto in-process)."""
    import boto3
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID

    from crm.integrations.aws import client
    from crm.settings import get_settings
    from tests.integration.conftest import seed_team

    log("building datasets")
    handler_warm = make_posts(WARMUP, "w", seed=7)
    handler_posts = make_posts(POSTS, "h", seed=42)
    bare_warm = make_posts(WARMUP, "v", seed=7)
    bare_posts = make_posts(POSTS, "b", seed=42)
    profile_posts = make_posts(PROFILE_POSTS, "p", seed=99)
    returning = sum(post["returning"] for post in handler_posts)
    with mock_aws():
        boto3.client("ses").verify_email_identity(EmailAddress=environment["SENDER_ADDRESS"])
        boto3.client("sesv2").create_configuration_set(ConfigurationSetName="crm-test")
        sfn = boto3.client("stepfunctions")
        role = f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/sfn"
        handler_arn = sfn.create_state_machine(name="lead-lifecycle", definition=json.dumps(machine),
                                               roleArn=role)["stateMachineArn"]
        bare_arn = sfn.create_state_machine(name="lead-lifecycle-bare", definition=json.dumps(machine),
                                            roleArn=role)["stateMachineArn"]
        os.environ["LEAD_LIFECYCLE_ARN"] = handler_arn
        os.environ["SUPPRESSION_KEY_SECRET"] = suppression_key_secret(boto3.client("secretsmanager"))
        get_settings.cache_clear()
        client.cache_clear()
        seed_team()

        bare = Bare(environment["TABLE_NAME"], environment["IDEMPOTENCY_TABLE_NAME"], bare_arn,
                    int(environment["SLA_MINUTES"]))
        log(f"handler and bare, interleaved: {WARMUP} warm-up + {POSTS} each ({returning} returning people)")
        with stdout_to_devnull():
            run_interleaved(handler_warm, bare, prepare_bare(bare_warm), "warm-up")
            handler_durations, statuses, bare_durations, bare_returning = run_interleaved(
                handler_posts, bare, prepare_bare(bare_posts), "measured")
        handler, bare_summary = summary_ms(handler_durations), summary_ms(bare_durations)
        log(f"handler: {handler} statuses {statuses}")
        log(f"bare: {bare_summary} ({bare_returning} returning)")
        new_index = next(index for index, post in enumerate(handler_posts)
                         if not post["returning"] and "phone" in post["body"] and "company" in post["body"])
        parity = item_parity(bare.ddb, environment["TABLE_NAME"], handler_posts[new_index]["body"]["email"].lower(),
                             bare_posts[new_index]["body"]["email"].lower())
        executions = {"handler": len(sfn.list_executions(stateMachineArn=handler_arn, maxResults=1000)["executions"]),
                      "bare": len(sfn.list_executions(stateMachineArn=bare_arn, maxResults=1000)["executions"])}
        ratio = handler["p95"] / bare_summary["p95"]
        profile = None
        if ratio > TARGETS["ratio_p95"]:
            log(f"ratio {ratio:.2f} > {TARGETS['ratio_p95']}: profiling {PROFILE_POSTS} more handler posts")
            profile = profile_handler(profile_posts)
        get_settings.cache_clear()
        client.cache_clear()
    return {"handler": handler, "bare": bare_summary, "ratio": ratio, "statuses": statuses, "returning": returning,
            "bare_returning": bare_returning, "parity": parity, "executions": executions, "profile": profile}


def cold_figures(cold: dict) -> dict:
    """Medians; the CPU-time ratio is the steadier one on a shared machine (waiting for a core is not counted)."""
    handler, bare = percentile(cold["handler_ms"], 50), percentile(cold["bare_ms"], 50)
    handler_cpu, bare_cpu = percentile(cold["handler_cpu_ms"], 50), percentile(cold["bare_cpu_ms"], 50)
    return {"cold_handler_ms": round(handler, 1), "cold_bare_ms": round(bare, 1),
            "cold_first_request_ratio": round(handler / bare, 3),
            "cold_handler_cpu_ms": round(handler_cpu, 1), "cold_bare_cpu_ms": round(bare_cpu, 1),
            "cold_first_request_cpu_ratio": round(handler_cpu / bare_cpu, 3),
            "import_ms_lead_intake": round(percentile(cold["import_ms"], 50), 1),
            "first_invoke_ms_lead_intake": round(percentile(cold["first_invoke_ms"], 50), 1)}


COLD_HOW = ("medians over fresh process pairs, run one after the other in alternating order against this run's "
            "DynamoDB Local and a ThreadedMotoServer for Step Functions and Secrets Manager (the children never "
            "import moto). cold_handler_ms: import app.py, then its first request, a new person's web-form post "
            "with consent ticked (303). cold_bare_ms: import boto3, make the DynamoDB, Step Functions and Secrets "
            "Manager clients, and the calls that post makes (idempotency PutItem, BatchGetItem, two Query, "
            "UpdateItem, GetItem, the suppression key's GetSecretValue and the list's GetItem, TransactWriteItems, "
            "StartExecution, idempotency UpdateItem), its items built by hand.")


def main(argv: list[str]) -> int:
    """`--cold-only`: only the cold start (phase 3), for the test that keeps its ratio; `--load`: only the load."""
    cold_only = "--cold-only" in argv
    began = time.perf_counter()
    result: dict = {"machine": {"cpu_count": os.cpu_count(), "python": platform.python_version(),
                                "platform": platform.platform(), "processor": platform.machine()}}
    if "--load" in argv:
        result.update({**run_load(), "total_run_s": round(time.perf_counter() - began, 1)})
        print(json.dumps(result, indent=2, ensure_ascii=False))
        baseline = result["baseline_before"]
        log(f"SUMMARY {LOAD_CLIENTS} clients: p95 {result['load_p95_ms_8_clients']} ms (target ≤ "
            f"{LOAD_TARGETS['load_p95_ms_8_clients']:.0f}), {result['load_posts_per_s']} posts/s, peak "
            f"{result['load_peak_threads']} threads, burst of {BURST_CLIENTS}: {result['burst_20_clients_failed']} "
            f"failed; baseline (before): p95 {baseline['load_p95_ms_8_clients']} ms, {baseline['load_posts_per_s']} "
            f"posts/s, peak {baseline['load_peak_threads']} threads, burst: {baseline['burst_20_clients_failed']} "
            f"failed; run took {result['total_run_s']} s")
        return 0
    os.environ.update(AWS_ENV)
    from tests.integration.conftest import ENVIRONMENT, PASS_MACHINE, seed_team

    os.environ.update(ENVIRONMENT)
    import boto3

    from local.dynamodb_local import DynamoDBLocal
    from local.provision import create_tables
    from local.template import Resolver, load_template

    template = load_template()
    with DynamoDBLocal() as database:
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = database.endpoint
        create_tables(template, Resolver(template), boto3.client("dynamodb", endpoint_url=database.endpoint))
        log(f"DynamoDB Local on {database.endpoint}")
        if cold_only:
            seed_team()
        else:
            warm = warm_phases(ENVIRONMENT, PASS_MACHINE)
        log(f"cold start: {COLD_PAIRS} pairs of fresh processes, handler and bare")
        cold = run_cold_processes(database.endpoint)
    figures = cold_figures(cold)
    cold_ratio = figures["cold_first_request_ratio"]
    cold_summary = (f"cold handler {figures['cold_handler_ms']} ms (import {figures['import_ms_lead_intake']} ms + "
                    f"first request {figures['first_invoke_ms_lead_intake']} ms) vs cold bare "
                    f"{figures['cold_bare_ms']} ms (ratio {cold_ratio:.2f}, target ≤ "
                    f"{TARGETS['cold_first_request_ratio']}; CPU time {figures['cold_handler_cpu_ms']} vs "
                    f"{figures['cold_bare_cpu_ms']} ms, {figures['cold_first_request_cpu_ratio']:.2f})")
    if cold_only:
        result.update({**figures, "targets": {"cold_first_request_ratio": TARGETS["cold_first_request_ratio"]},
                       "pass": {"cold_first_request_ratio": cold_ratio <= TARGETS["cold_first_request_ratio"]},
                       "details": {"cold_processes": cold, "cold_how": COLD_HOW},
                       "total_run_s": round(time.perf_counter() - began, 1)})
        print(json.dumps(result, indent=2, ensure_ascii=False))
        log(f"SUMMARY {cold_summary}; run took {result['total_run_s']} s")
        return 0
    breakdown = import_breakdown()
    log(f"stack: {STACK_WARMUP} warm-up + {STACK_POSTS} form posts")
    stack = run_stack(STACK_POSTS)

    handler, bare_summary, ratio = warm["handler"], warm["bare"], warm["ratio"]
    import_ms = figures["import_ms_lead_intake"]
    result.update({
        "handler_p50_ms": handler["p50"], "handler_p95_ms": handler["p95"], "handler_p99_ms": handler["p99"],
        "bare_p50_ms": bare_summary["p50"], "bare_p95_ms": bare_summary["p95"], "bare_p99_ms": bare_summary["p99"],
        "ratio_p95": round(ratio, 3),
        "ratio_p50": round(handler["p50"] / bare_summary["p50"], 3),
        **figures,
        "form_to_email_p50_ms": stack["latency"]["p50"],
        "form_to_email_p95_ms": stack["latency"]["p95"],
        "targets": TARGETS,
        "pass": {"ratio_p95": ratio <= TARGETS["ratio_p95"],
                 "cold_first_request_ratio": cold_ratio <= TARGETS["cold_first_request_ratio"],
                 "import_ms_lead_intake": import_ms <= TARGETS["import_ms_lead_intake"],
                 "form_to_email_p95_ms": stack["latency"]["p95"] <= TARGETS["form_to_email_p95_ms"]},
        "details": {
            "handler": {**handler, "statuses": warm["statuses"], "returning_posts": warm["returning"]},
            "bare": {**bare_summary, "returning": warm["bare_returning"]},
            "item_parity": warm["parity"],
            "executions_started": warm["executions"],
            "cold_processes": cold,
            "cold_how": COLD_HOW,
            "import_top_packages_ms": breakdown,
            "stack": stack,
            "profile": warm["profile"],
        },
        "total_run_s": round(time.perf_counter() - began, 1),
    })
    print(json.dumps(result, indent=2, ensure_ascii=False))
    verdict = ", ".join(f"{name} {'PASS' if ok else 'MISS'}" for name, ok in result["pass"].items())
    log(f"SUMMARY handler p95 {handler['p95']} ms vs bare p95 {bare_summary['p95']} ms (ratio {ratio:.2f}, "
        f"target ≤ {TARGETS['ratio_p95']}); {cold_summary}; import {import_ms} ms "
        f"(≤ {TARGETS['import_ms_lead_intake']}); form→email p95 {stack['latency']['p95']} ms "
        f"(≤ {TARGETS['form_to_email_p95_ms']}) :: {verdict}; run took {result['total_run_s']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
