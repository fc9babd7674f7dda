"""Pytest plugin: records every handler's AWS calls for the whole session (this process and the local stacks the
e2e tests start, through CRM_AWS_CALL_LOG), runs the permission check last, and sums it up in the terminal."""

from __future__ import annotations

import os
import shutil

import pytest

from local.call_recorder import CALL_LOG_ENV, record_to
from local.template import REPO_ROOT

ARTIFACTS = REPO_ROOT / "test-artifacts" / "permissions"
CALLS = ARTIFACTS / "calls" / str(os.getpid())  # this session's: sessions may run side by side
UNUSED_GRANTS = ARTIFACTS / "unused-grants.json"
CHECK_MODULE = "test_permissions.py"
SUMMARY_KEY = pytest.StashKey[list[str]]()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pytest_configure(config: pytest.Config) -> None:
    for earlier in CALLS.parent.glob("*"):  # the calls of sessions that have ended
        if not (earlier.name.isdigit() and _running(int(earlier.name))):
            shutil.rmtree(earlier, ignore_errors=True)
    CALLS.mkdir(parents=True, exist_ok=True)
    os.environ[CALL_LOG_ENV] = str(CALLS)
    record_to(CALLS)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The check reads what every other test recorded: it runs after them."""
    items.sort(key=lambda item: item.path.name == CHECK_MODULE and item.path.parent.name == "permissions")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(SUMMARY_KEY, None)
    if lines:
        terminalreporter.section("permissions")
        for line in [*lines, f"unused grants: {UNUSED_GRANTS.relative_to(REPO_ROOT)}"]:
            terminalreporter.write_line(line)
