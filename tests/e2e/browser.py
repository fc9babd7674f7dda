"""Browser tests' shared pieces (conftest.py offers the fixtures): Debian's chromium driven by Playwright,
signing in, and API calls as a user.

Screenshots go to test-artifacts/<test module>/ (or $E2E_ARTIFACTS/<test module>/), one per test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningStack

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator:
    """A fresh browser context per test; fails the test on any JavaScript error, and keeps a screenshot."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    folder = ARTIFACTS / request.module.__name__.rpartition(".")[2].removeprefix("test_").removesuffix("_browser")
    folder.mkdir(parents=True, exist_ok=True)
    opened.screenshot(path=str(folder / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def token(stack: RunningStack, user_id: str) -> str:
    response = requests.post(f"{stack.url}/local/token", json={"user_id": user_id}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def call_api(stack: RunningStack, user_id: str, method: str, path: str, **kwargs: Any) -> requests.Response:
    """An API request as `user_id` (path starts with /api)."""
    headers = {"Authorization": f"Bearer {token(stack, user_id)}", **kwargs.pop("headers", {})}
    return requests.request(method, f"{stack.url}{path}", headers=headers, timeout=30, **kwargs)


def posted_lead_id(stack: RunningStack, email: str) -> str:
    """The id of the lead a public POST /leads made or touched for `email`: the form names no lead (it answers a known
    person as a new one), so a test finds it as a manager would, by searching the address."""
    found = call_api(stack, "manager-maria", "GET", "/api/search", params={"q": email})
    assert found.status_code == 200, found.text
    [lead_id] = [result["id"] for result in found.json()["results"]["lead"]]
    return lead_id


def log_in(page, stack: RunningStack, user_id: str, then: str = "board.html") -> None:
    """Signs in on the login page as `user_id`, which lands on the home page (L12), then opens `then`."""
    page.goto(f"{stack.url}/login.html")
    page.get_by_test_id(f"login-{user_id}").click()
    page.wait_for_url("**/home.html*")
    if then != "home.html":
        page.goto(f"{stack.url}/{then}")


def unique(title: str) -> str:
    return f"{title} {uuid.uuid4().hex[:6]}"
