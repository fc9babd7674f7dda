"""Every page on a phone (390x844), in each language (Persian right to left), as a manager sees it on the running
stack with demo data: no page is wider than the screen, and the header (navigation and topbar) takes at most a
quarter of the screen, its links folded behind a menu button that opens with the keyboard, lists the pages (the
current one marked) with the language and sign-out, and closes with Escape."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.browser import call_api, log_in
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e

MANAGER = "manager-maria"
PHONE = {"width": 390, "height": 844}
HEADER_SHARE = 0.25
LANGUAGES = ("en", "fa")
ALL_LANGUAGES = ("en", "de", "hu", "el", "fa")  # longer words than English's must fit too


def addresses(stack: RunningStack, language: str) -> dict[str, str]:
    """Each page by name, with its address: the signed-in pages (a lead's record from the demo data), then the two
    without the site's header (the public form has a page per language)."""
    lead = call_api(stack, MANAGER, "GET", "/api/lists/leads", params={"limit": "1"}).json()["items"][0]["id"]
    return {"home": "home.html", "board": "board.html", "leads": "lists.html?kind=leads",
            "contacts": "lists.html?kind=contacts", "accounts": "lists.html?kind=accounts",
            "deals": "lists.html?kind=deals", "record": f"record.html?kind=lead&id={lead}", "tasks": "tasks.html",
            "stalled": "stalled.html", "import": "import.html", "settings": "settings.html", "review": "review.html",
            "login": "login.html", "form": "form.html" if language == "en" else f"form.{language}.html"}


@pytest.fixture
def phone(browser, request: pytest.FixtureRequest) -> Iterator:
    """A phone-sized page in the language the test is parametrized with, failing the test on a JavaScript error."""
    context = browser.new_context(viewport=PHONE)
    context.add_init_script(f"localStorage.setItem('crm.language', '{request.node.callspec.params['language']}')")
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def measure(page) -> dict[str, float]:
    return page.evaluate("""() => ({
      width: document.documentElement.scrollWidth, screen: document.documentElement.clientWidth,
      header: document.querySelector('.topbar')?.getBoundingClientRect().bottom ?? 0})""")


@pytest.mark.parametrize("language", ALL_LANGUAGES)
def test_no_page_is_wider_than_a_phone_and_the_header_takes_a_quarter_at_most(stack, phone, language):
    # Given the manager signed in on a phone
    pages = addresses(stack, language)
    log_in(phone, stack, MANAGER, then="home.html")
    too_wide, too_tall = {}, {}
    for name, address in pages.items():
        # When each page has loaded (its first paint), and once it has its data
        phone.goto(f"{stack.url}/{address}")
        first = measure(phone)
        phone.wait_for_load_state("networkidle")
        assert phone.evaluate("document.documentElement.lang") == language, name
        sizes = measure(phone)
        # Then nothing scrolls sideways, and the header leaves three quarters of the screen to the page
        if sizes["width"] > sizes["screen"]:
            too_wide[name] = sizes["width"]
        if max(first["header"], sizes["header"]) > PHONE["height"] * HEADER_SHARE:
            too_tall[name] = max(first["header"], sizes["header"])
    assert not too_wide, f"pages wider than {PHONE['width']} px: {too_wide}"
    assert not too_tall, f"headers over a quarter of {PHONE['height']} px: {too_tall}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_menu_opens_from_the_keyboard_lists_the_pages_and_closes_with_escape(stack, phone, language):
    # Given the manager on the deals list on a phone: the links wait behind the menu button, which names the page
    log_in(phone, stack, MANAGER, then="lists.html?kind=deals")
    toggle = phone.get_by_test_id("nav-toggle")
    phone.get_by_test_id("notices-button").wait_for()  # mounted once the API said who she is
    assert phone.get_by_test_id("nav-deals").is_hidden() and phone.locator("#sign-out").is_hidden()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.get_attribute("aria-controls") == "nav-menu"
    deals = phone.get_by_test_id("nav-deals").text_content()
    assert deals in toggle.inner_text()
    # When she reaches the button with the keyboard and presses Enter
    toggle.focus()
    phone.keyboard.press("Enter")
    # Then the menu lists every page, the current one marked, with the language picker and sign-out
    assert toggle.get_attribute("aria-expanded") == "true"
    menu = phone.get_by_test_id("nav-menu")
    links = menu.get_by_role("link")
    assert links.count() == 11  # nine pages, and the deletion review and settings of a manager
    assert all(links.nth(index).is_visible() for index in range(links.count()))
    assert menu.locator("[aria-current=page]").text_content() == deals
    assert menu.get_by_test_id("language").is_visible() and menu.locator("#sign-out").is_visible()
    assert measure(phone)["width"] <= PHONE["width"]
    # When she presses Escape
    phone.keyboard.press("Escape")
    # Then the menu closes and the focus is back on its button
    assert toggle.get_attribute("aria-expanded") == "false"
    assert phone.get_by_test_id("nav-deals").is_hidden()
    assert phone.evaluate("document.activeElement.dataset.testid") == "nav-toggle"
    # And a click on a link in the reopened menu goes to its page
    toggle.click()
    menu.get_by_test_id("nav-tasks").click()
    phone.wait_for_url("**/tasks.html")


def test_on_a_wide_screen_the_links_and_controls_stand_in_the_header_without_a_menu(stack, page):
    # Given the manager on the home page at 1440x900
    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, stack, MANAGER, then="home.html")
    page.get_by_test_id("notices-button").wait_for()
    # Then every link and the language, who is signed in and sign-out show in the header, with no menu button
    assert page.get_by_test_id("nav-toggle").is_hidden()
    assert page.get_by_test_id("nav-home").is_visible() and page.get_by_test_id("nav-settings").is_visible()
    for control in ("#language", "#who", "#sign-out", "[data-testid=notices-button]"):
        assert page.locator(f".topbar {control}").is_visible(), control
    # When the window narrows to a phone's width, they fold into the menu; widened again, they are back
    page.set_viewport_size(PHONE)
    page.locator("#nav-menu #sign-out").wait_for(state="attached")
    assert page.get_by_test_id("nav-toggle").is_visible() and page.locator(".topbar #sign-out").count() == 0
    page.set_viewport_size({"width": 1440, "height": 900})
    page.locator(".topbar #sign-out").wait_for()
    assert page.get_by_test_id("nav-toggle").is_hidden() and page.locator(".topbar #language").is_visible()
