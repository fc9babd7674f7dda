"""The local runner under a small team's burst, and what it exposes to the network.

DynamoDB Local (no authentication) listens on 127.0.0.1 only. The HTTP server queues a burst of connections in its
listen backlog instead of resetting them, serves them with a bounded number of worker threads, and closes idle
keep-alive connections so they do not hold a worker. moto's Step Functions interpreter does once what it did for
every execution. The real stack under 8 clients is measured by bench/lead_intake.py's load mode.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

from local import http_server
from local.__main__ import local_parameters
from local.dynamodb_local import free_port
from local.http_server import WORKER_THREAD_PREFIX, LocalStackServer
from local.moto_stack import cache_interpreter_work
from local.template import FunctionSpec, Resolver, function_specs, load_template, state_machine_specs

CLIENTS = 20
WORKERS = 4
HANDLER_SECONDS = 0.2


def non_loopback_addresses() -> list[str]:
    """This machine's addresses another host could reach (what `hostname -I` lists), link-local ones left out."""
    found: set[str] = set()
    for family, somewhere in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        # a UDP "connection" sends nothing: it only picks the address a packet to `somewhere` would leave from
        with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((somewhere, 9))
            found.add(probe.getsockname()[0])
    with contextlib.suppress(OSError):
        found.update(str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None))
    addresses = [ipaddress.ip_address(address.split("%")[0]) for address in found]
    return sorted(str(address) for address in addresses
                  if not (address.is_loopback or address.is_link_local or address.is_unspecified))


def connects(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.settimeout(2)
        return probe.connect_ex((host, port)) == 0


def test_dynamodb_local_answers_on_loopback_and_nowhere_else(dynamodb_local):
    # Given DynamoDB Local started as `make run` starts it
    port = urlsplit(dynamodb_local).port
    others = non_loopback_addresses()
    if not others:
        pytest.skip("this machine has no non-loopback address to try")
    # Then it accepts connections on 127.0.0.1
    assert connects("127.0.0.1", port)
    # And none on the machine's other addresses, where anyone on the network could reach its unauthenticated API
    assert [address for address in others if connects(address, port)] == []


@dataclass
class SlowHandlers:
    """Stands in for the handlers: each call takes HANDLER_SECONDS; counts how many run at once."""

    running: int = 0
    most: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, spec: FunctionSpec, event: Any) -> Any:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        time.sleep(HANDLER_SECONDS)
        with self.lock:
            self.running -= 1
        return {"statusCode": 201, "headers": {"Content-Type": "application/json"}, "body": '{"ok": true}'}


@dataclass
class Runner:
    server: LocalStackServer
    handlers: SlowHandlers

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def serve(self) -> None:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def make_runner(monkeypatch) -> Iterator[Callable[[int], Runner]]:
    """A runner whose pool has `workers` threads, stopped after the test."""
    template = load_template()
    functions = function_specs(template, Resolver(template, local_parameters(8000, {})))
    servers: list[LocalStackServer] = []

    def make(workers: int) -> Runner:
        monkeypatch.setattr(http_server, "CONNECTION_WORKERS", workers)
        handlers, ready = SlowHandlers(), threading.Event()
        ready.set()
        servers.append(LocalStackServer(free_port(), functions, handlers, ready))
        return Runner(servers[-1], handlers)

    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


def post_lead(port: int, index: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/leads", body=f'{{"name": "Burst {index}", "email": "b{index}@example.com"}}',
                           headers={"Content-Type": "application/json"})
        return connection.getresponse().status
    finally:
        connection.close()


def worker_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate() if thread.name.startswith(WORKER_THREAD_PREFIX)]


def test_twenty_parallel_clients_all_get_an_answer_from_a_bounded_pool(make_runner):
    # Given the runner serving, with a pool of WORKERS threads and handlers that take a while
    runner = make_runner(WORKERS)
    runner.serve()
    # When 20 clients post at the same moment, each on a connection of its own
    start = threading.Barrier(CLIENTS)

    def client(index: int) -> int:
        start.wait()
        return post_lead(runner.port, index)

    with ThreadPoolExecutor(CLIENTS) as clients:
        statuses = list(clients.map(client, range(CLIENTS)))
    # Then every one of them got its answer (no connection reset, no refusal)
    assert statuses == [201] * CLIENTS
    # And no more than WORKERS threads served them, however many came at once
    assert len(runner.server.workers.threads) == WORKERS
    assert runner.handlers.most <= WORKERS
    assert len(worker_threads()) <= WORKERS


def test_a_burst_arriving_while_the_server_is_busy_waits_in_the_backlog(make_runner):
    # Given a server that is not accepting yet (as when its accept loop is starved by busy handlers)
    runner = make_runner(WORKERS)
    # When 20 clients connect: each must be queued by the kernel (a backlog of 5 dropped or reset the rest)
    sockets = []
    try:
        for _ in range(CLIENTS):
            client = socket.create_connection(("127.0.0.1", runner.port), timeout=2)
            client.sendall(b"GET /healthz HTTP/1.1\r\nHost: local\r\nConnection: close\r\n\r\n")
            sockets.append(client)
        # Then, once the server gets to them, every one is answered
        runner.serve()
        for client in sockets:
            client.settimeout(30)
            assert client.recv(64).startswith(b"HTTP/1.1 200")
    finally:
        for client in sockets:
            client.close()


def test_an_idle_keep_alive_connection_does_not_hold_a_worker(make_runner, monkeypatch):
    # Given a pool of one worker and a client that keeps its connection open after its request
    monkeypatch.setattr(http_server._RequestHandler, "timeout", 0.5)
    runner = make_runner(1)
    runner.serve()
    idle = http.client.HTTPConnection("127.0.0.1", runner.port, timeout=10)
    idle.request("GET", "/healthz")
    assert idle.getresponse().read()
    # When another client posts while that connection sits idle
    began = time.monotonic()
    status = post_lead(runner.port, 0)
    # Then it is served once the idle connection times out, not when the idle client decides to leave
    assert status == 201
    assert time.monotonic() - began < 5
    idle.close()


def test_the_workflow_interpreter_does_once_what_it_did_for_every_execution(monkeypatch):
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.utils import json_path

    # Given the interpreter as the local stack sets it up, and the lifecycle's definition
    cache_interpreter_work()
    template = load_template()
    lifecycle = next(spec for spec in state_machine_specs(template, Resolver(template, local_parameters(8000, {})))
                     if "Lifecycle" in spec.logical_id)
    definition = lifecycle.definition()
    # When two executions start, read a path and call a Lambda task
    # Then they share the parsed program, the JSONPath expression and the Lambda client
    assert AmazonStateLanguageParser.parse(definition)[0] is AmazonStateLanguageParser.parse(definition)[0]
    assert json_path.parse("$.lead.id") is json_path.parse("$.lead.id")
    monkeypatch.setenv("MOTO_PORT", "5001")
    first = lambda_eval_utils.boto_client_for(region="us-east-1", service="lambda", state_credentials=None)
    assert lambda_eval_utils.boto_client_for(region="us-east-1", service="lambda", state_credentials=None) is first
    assert first.meta.endpoint_url.endswith(":5001")
    # And a moto server on another port gets a client of its own
    monkeypatch.setenv("MOTO_PORT", "5002")
    assert lambda_eval_utils.boto_client_for(region="us-east-1", service="lambda").meta.endpoint_url.endswith(":5002")
