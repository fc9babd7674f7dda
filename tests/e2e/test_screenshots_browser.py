"""The screenshots a person looks at before a release: the board, a lead page and the home page, as a rep sees them at
1440x900 and at phone width (390x844), in English and in Persian (right to left).

They go to test-artifacts/screenshots/<page>-<language>-<width>.png. Each is taken only once the page shows what it
is for, and each asserts what a look at it would catch first: the page in the language asked for, no sideways
scrolling, no JavaScript error.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from tests.e2e.browser import ARTIFACTS, call_api, log_in, unique
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

REP = "rep-anna"
SIZES = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
LANGUAGES = {"en": "ltr", "fa": "rtl"}
OPEN_STAGES = ("unsorted", "identified", "in-discussion", "decision-makers-identified", "proposal", "negotiation",
               "procurement")
FOLDER = ARTIFACTS / "screenshots"


@pytest.fixture(scope="module")
def rep_lead(stack: RunningStack) -> dict:
    """A board worth looking at (ten deals in one column, some in each other open stage) and one of the rep's leads."""
    close = (date.today() + timedelta(days=20)).isoformat()
    for number in range(18):
        stage = "identified" if number < 10 else OPEN_STAGES[number % len(OPEN_STAGES)]
        response = call_api(stack, REP, "POST", "/api/deals", json={
            "title": unique(f"Screenshot deal {number + 1}"), "account_name": f"Account {number + 1} GmbH",
            "amount": f"{(number + 1) * 1150}.00", "currency": "EUR", "stage_id": stage,
            "expected_close_date": close})
        assert response.status_code == 201, response.text
    leads = call_api(stack, REP, "GET", "/api/lists/leads", params={"limit": "1"})
    assert leads.status_code == 200, leads.text
    return leads.json()["items"][0]


def pages(lead: dict) -> dict[str, tuple[str, str]]:
    """Each page by name: its address and what on it shows that it has loaded."""
    return {"board": ("board.html", "[data-testid=column-identified] .card"),
            "lead": (f"record.html?kind=lead&id={lead['id']}", "[data-testid=record-facts] dt"),
            "home": ("home.html", "[data-testid=home-cycles] li")}


@pytest.fixture(scope="module")
def contexts(browser, stack: RunningStack) -> Iterator[dict[tuple[str, str], object]]:
    """A signed-in page per language and size, with the language picked before the first page loads."""
    opened = {}
    for language in LANGUAGES:
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport)
            context.add_init_script(f"localStorage.setItem('crm.language', '{language}')")
            page = context.new_page()
            page.errors = []
            page.on("pageerror", lambda error, page=page: page.errors.append(str(error)))
            log_in(page, stack, REP, then="home.html")
            opened[(language, size)] = page
    yield opened
    for page in opened.values():
        page.context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", ["board", "lead", "home"])
def test_the_page_is_ready_for_its_screenshot(stack, contexts, rep_lead, name, language, size):
    page = contexts[(language, size)]
    address, ready = pages(rep_lead)[name]
    page.goto(f"{stack.url}/{address}")
    page.locator(ready).first.wait_for()
    page.wait_for_load_state("networkidle")
    FOLDER.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(FOLDER / f"{name}-{language}-{size}.png"))
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == (language, LANGUAGES[language])
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= viewport, f"{name} in {language} at {size} scrolls sideways: {width} px on {viewport}"
    assert not page.errors, page.errors
