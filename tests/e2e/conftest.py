"""Starts the real local stack (`python -m local`) in a subprocess and talks to it over HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from local.dynamodb_local import free_port
from local.template import REPO_ROOT
from tests.e2e.browser import browser, page  # noqa: F401 - the browser tests' fixtures

CLOCK_SPEEDUP = 10
SLA_SECONDS_LOCAL = 60 // CLOCK_SPEEDUP  # one SLA minute: long enough for a cold first call on a busy CI machine


@dataclass
class RunningStack:
    url: str
    process: subprocess.Popen
    log_path: Path

    def outbox(self) -> list[dict]:
        response = requests.get(f"{self.url}/outbox.json", timeout=10)
        response.raise_for_status()
        return response.json()

    def wait_for(self, predicate: Callable[[dict], bool], timeout: float = 20.0) -> dict:
        """The newest outbox message matching `predicate`, waiting for it to be sent."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.outbox():
                if predicate(message):
                    return message
            time.sleep(0.1)
        raise AssertionError(f"no matching message within {timeout}s; outbox: {self.outbox()}\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def start_stack(tmp_path: Path, data_dir: Path | None = None, extra_env: dict[str, str] | None = None) -> RunningStack:
    port = free_port()
    log_path = tmp_path / f"stack-{port}.log"
    env = {**os.environ, "PORT": str(port), "CLOCK_SPEEDUP": str(CLOCK_SPEEDUP), "CRM_PARAM_SlaMinutes": "1",
           "CRM_PARAM_MaxEscalations": "1", "PYTHONUNBUFFERED": "1", **(extra_env or {})}
    args = [sys.executable, "-m", "local"]
    if data_dir is None:
        args.append("--in-memory")
    else:
        env["CRM_DATA_DIR"] = str(data_dir)
    with log_path.open("wb") as log:
        process = subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    stack = RunningStack(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the local stack exited with {process.returncode}:\n{stack.log()}")
        try:
            if requests.get(f"{stack.url}/healthz", timeout=1).status_code == 200:
                return stack
        except requests.RequestException:
            pass
        time.sleep(0.2)
    stop_stack(stack)
    raise RuntimeError(f"the local stack did not come up:\n{stack.log()}")


def stop_stack(stack: RunningStack) -> None:
    """Ctrl-C, as a person would; the runner must stop everything it started."""
    if stack.process.poll() is None:
        stack.process.send_signal(signal.SIGINT)
        try:
            stack.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            stack.process.send_signal(signal.SIGUSR1)  # the runner prints every thread's stack to its log
            time.sleep(1)
            os.killpg(stack.process.pid, signal.SIGKILL)
            raise RuntimeError("the local stack did not stop in 20 s after Ctrl-C; its threads:\n"
                               + stack.log_path.read_text(errors="replace")[-12000:]) from None


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = start_stack(tmp_path_factory.mktemp("stack"))
    yield running
    stop_stack(running)
