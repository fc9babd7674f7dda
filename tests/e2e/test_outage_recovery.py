"""DynamoDB Local killed while leads are posted, then back on the same data and port: every lead the CRM answered
201 ends with a running or finished workflow whose rep was told (issue 13: 6, 13 and 10 leads of three 10-second
outages used to end with a FAILED workflow nothing restarted)."""

from __future__ import annotations

import os
import re
import signal
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from local.dynamodb_local import DynamoDBLocal
from tests.e2e.browser import call_api
from tests.e2e.conftest import RunningStack, start_stack, stop_stack

pytestmark = pytest.mark.e2e

POSTERS = 3
OUTAGE_SECONDS = 8
SETTLE_SECONDS = 300  # the steps' retries back off up to minutes; the reconciler is fired every few seconds
ENDED_UNFINISHED = {"FAILED", "TIMED_OUT", "ABORTED"}
LOOPBACK = "127.0.0.1"  # where the runner's DynamoDB Local listens


@dataclass
class Database:
    """The stack's DynamoDB Local: killed like a crash, started again by the test on the same folder and port."""

    data_dir: Path
    port: int
    pid: int
    restarted: DynamoDBLocal | None = None

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _listening(self.port):
            assert time.monotonic() < deadline, "DynamoDB Local still answers after SIGKILL"
            time.sleep(0.05)

    def restart(self) -> None:
        self.restarted = DynamoDBLocal(data_dir=self.data_dir, port=self.port).start()


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((LOOPBACK, port)) == 0


def _children(pid: int) -> list[int]:
    children = []
    for process in Path("/proc").iterdir():
        try:
            stat = (process / "stat").read_text()
        except OSError:  # not a process, or one that ended meanwhile
            continue
        if stat.rpartition(")")[2].split()[1] == str(pid):  # the fields after the command: state, then ppid
            children.append(int(process.name))
    return children


def stack_database(stack: RunningStack, data_dir: Path) -> Database:
    """The DynamoDB Local the runner started: its port from the runner's log, its process among the runner's."""
    found = re.search(r"DynamoDB Local on http://127\.0\.0\.1:(\d+)", stack.log_path.read_text(errors="replace"))
    assert found, stack.log()
    java = [child for child in _children(stack.process.pid)
            if b"DynamoDBLocal" in Path(f"/proc/{child}/cmdline").read_bytes()]
    assert len(java) == 1, java
    return Database(data_dir, int(found[1]), java[0])


@pytest.fixture(scope="module")
def outage_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningStack, Database]]:
    folder = tmp_path_factory.mktemp("outage")
    data_dir = folder / "dynamodb"
    stack = start_stack(folder, data_dir=data_dir)
    database = stack_database(stack, data_dir)
    try:
        yield stack, database
    finally:
        stop_stack(stack)
        if database.restarted is not None:
            database.restarted.stop()


@dataclass
class Posters:
    """Threads posting a new person each, as fast as the CRM answers, until stopped."""

    stack: RunningStack
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    created: dict[str, str] = field(default_factory=dict)  # name -> lead id (answered 201)
    answers: list[int] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _count: int = 0

    def _post(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                self._count += 1
                number = self._count
            name = f"Outage {self.tag} {number:04d}"
            try:
                response = requests.post(f"{self.stack.url}/leads", timeout=30, json={
                    "name": name, "email": f"outage-{self.tag}-{number}@example.org", "company": "Outage GmbH"})
            except requests.RequestException:
                continue
            with self._lock:
                self.answers.append(response.status_code)
                if response.status_code == 201:
                    self.created[name] = response.json().get("id", "")
            if response.status_code >= 500:
                time.sleep(0.2)

    def __enter__(self) -> Posters:
        self._threads = [threading.Thread(target=self._post, daemon=True) for _ in range(POSTERS)]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)


def lead_ids(stack: RunningStack, created: dict[str, str]) -> dict[str, str]:
    """Each created lead's id: from the answer, or (a public answer that names no lead) found by a manager."""
    ids = {}
    for name, lead_id in created.items():
        if not lead_id:
            found = call_api(stack, "manager-maria", "GET", "/api/search", params={"q": name}).json()
            lead_id = next(result["id"] for result in found["results"]["lead"] if result["label"] == name)
        ids[name] = lead_id
    return ids


def lifecycle_runs(stack: RunningStack, lead_id: str) -> list[dict]:
    """The lead's lifecycle executions (lead-<id>, its resumed lead-<id>-r<n>), oldest first."""
    response = requests.get(f"{stack.url}/executions.json", params={"lead": lead_id}, timeout=120)
    response.raise_for_status()
    return [execution for execution in response.json()["executions"] if execution["name"].startswith(f"lead-{lead_id}")
            and execution["state_machine"].endswith("lead-lifecycle")]


def reconcile(stack: RunningStack) -> None:
    """The scheduled reconciler, fired now (its 2-minute delay runs CLOCK_SPEEDUP times faster locally)."""
    requests.post(f"{stack.url}/local/schedules/LifecycleReconcilerFunction/run", json={}, timeout=120)


def test_every_lead_answered_201_during_a_dynamodb_outage_ends_with_a_running_or_finished_workflow(outage_stack):
    stack, database = outage_stack
    # Given leads posted by three clients at once, and DynamoDB Local killed in the middle of it, then back
    with Posters(stack) as posters:
        time.sleep(4)
        database.kill()
        time.sleep(OUTAGE_SECONDS)
        database.restart()
        time.sleep(4)
    assert posters.answers.count(201) >= 5, posters.answers
    names = lead_ids(stack, posters.created)

    # When the steps' retries and the reconciler have had their time
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        subjects = " ".join(message.get("subject") or "" for message in stack.outbox() if message["kind"] == "email")
        untold = [name for name in names if name not in subjects]
        if not untold or time.monotonic() > deadline:
            break
        reconcile(stack)
        time.sleep(5)

    # Then every lead's rep was told, and each lead's latest run is running or finished: none ended unfinished
    assert not untold, f"{len(untold)} of {len(names)} reps never told: {untold}\n{stack.log()}"
    runs = {name: lifecycle_runs(stack, lead_id) for name, lead_id in names.items()}
    assert all(runs.values()), [name for name, lead_runs in runs.items() if not lead_runs]
    latest = {name: lead_runs[-1]["status"] for name, lead_runs in runs.items()}
    assert not [name for name, status in latest.items() if status in ENDED_UNFINISHED], latest
    # and the outage did reach the workflows: some step raised TransientError and was retried
    errors = [error["error"] for lead_runs in runs.values() for run in lead_runs for step in run["steps"]
              for error in step.get("errors", [])]
    assert "TransientError" in errors, f"no workflow met the outage; answers {posters.answers}"
