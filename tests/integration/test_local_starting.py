"""The local runner's HTTP server while the stack is still starting: requests that need tables, moto or handlers get
503 with Retry-After (never a handler call, a 502 or a traceback); the health check, the site's settings and its
static files are served; once ready, the same request reaches its handler."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from local.__main__ import local_parameters
from local.dynamodb_local import free_port
from local.http_server import LocalStackServer
from local.template import FunctionSpec, Resolver, function_specs, load_template

LEAD = {"name": "Early Bird", "email": "early@example.com"}


@dataclass
class Invocations:
    """Stands in for local.lambda_dispatch.invoke_function: a handler reached before the stack is up would fail."""

    calls: list[FunctionSpec] = field(default_factory=list)

    def __call__(self, spec: FunctionSpec, event: Any) -> Any:
        self.calls.append(spec)
        return {"statusCode": 201, "headers": {"Content-Type": "application/json"}, "body": '{"id": "L1"}'}


@dataclass
class Starting:
    url: str
    ready: threading.Event
    invocations: Invocations


@pytest.fixture
def starting() -> Iterator[Starting]:
    template = load_template()
    functions = function_specs(template, Resolver(template, local_parameters(8000, {})))
    invocations, ready = Invocations(), threading.Event()
    server = LocalStackServer(free_port(), functions, invocations, ready)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield Starting(f"http://127.0.0.1:{server.server_address[1]}", ready, invocations)
    finally:
        server.shutdown()
        server.server_close()


def test_a_lead_posted_while_starting_is_told_to_retry_and_reaches_no_handler(starting, caplog):
    caplog.set_level(logging.INFO)
    # Given a stack whose tables, moto and handlers are not ready yet
    # When a client posts a lead
    answer = requests.post(f"{starting.url}/leads", json=LEAD, timeout=10)
    # Then it is told to come back, with a short JSON message, and nothing failed
    assert answer.status_code == 503
    assert int(answer.headers["Retry-After"]) > 0
    assert answer.headers["Content-Type"] == "application/json"
    assert "starting" in answer.json()["message"]
    assert starting.invocations.calls == []
    assert not [record for record in caplog.records if record.exc_info or record.levelno >= logging.ERROR]


def test_a_browser_form_post_while_starting_gets_a_short_page(starting):
    answer = requests.post(f"{starting.url}/leads", data=LEAD, timeout=10,
                           headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert answer.headers["Content-Type"].startswith("text/html")
    assert "starting" in answer.text and "Traceback" not in answer.text


def test_the_runner_pages_and_api_wait_but_health_settings_and_site_are_served(starting):
    for method, path in (("GET", "/api/home"), ("GET", "/outbox.json"), ("GET", "/local/users"),
                         ("POST", "/local/token"), ("GET", "/executions.json?lead=L1")):
        answer = requests.request(method, f"{starting.url}{path}", timeout=10)
        assert (answer.status_code, "Retry-After" in answer.headers) == (503, True), path
    health = requests.get(f"{starting.url}/healthz", timeout=10)
    assert (health.status_code, health.json()["status"]) == (503, "starting")
    assert requests.get(f"{starting.url}/config.json", timeout=10).json()["apiBase"] == "/api"
    assert requests.get(f"{starting.url}/form.html", timeout=10).status_code == 200
    assert starting.invocations.calls == []


def test_once_ready_the_same_post_reaches_the_intake_handler(starting):
    starting.ready.set()
    assert requests.get(f"{starting.url}/healthz", timeout=10).json()["status"] == "ok"
    answer = requests.post(f"{starting.url}/leads", json=LEAD, timeout=10)
    assert answer.status_code == 201 and "Retry-After" not in answer.headers
    assert [spec.logical_id for spec in starting.invocations.calls] == ["LeadIntakeFunction"]
