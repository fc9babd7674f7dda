"""The home page in a real headless Chromium against the running stack (L12, R1): signing in lands on it, a rep
sees their own numbers and funnel, a manager everyone's or one rep's, and Persian reads right to left.

Screenshots go to test-artifacts/home/ (tests/e2e/browser.py), one per test, for a person to look at.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.e2e.browser import call_api, log_in, token, unique
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def create_deal(stack: RunningStack, user_id: str, **fields: str) -> dict:
    response = call_api(stack, user_id, "POST", "/api/deals", json={"title": unique("Home deal"), **fields})
    assert response.status_code == 201, response.text
    return response.json()


def api_home(stack: RunningStack, user_id: str, **query: str) -> dict:
    response = call_api(stack, user_id, "GET", "/api/home", params=query)
    assert response.status_code == 200, response.text
    return response.json()


def digits(text: str) -> str:
    """A formatted amount's digits, whatever the locale's separators."""
    return re.sub(r"\D", "", text)


def funnel_count(page, stage_id: str) -> str:
    return page.get_by_test_id(f"funnel-{stage_id}-count").inner_text()


def open_home(page, stack: RunningStack, user_id: str) -> None:
    """Signs in; the site lands on the home page by itself."""
    log_in(page, stack, user_id, then="home.html")
    page.get_by_test_id("funnel-proposal").wait_for()


def test_a_rep_lands_on_home_and_sees_their_own_numbers_and_funnel(stack, page):
    # Given a deal of Anna's in Proposal and one of Béla's in Negotiation
    create_deal(stack, "rep-anna", stage_id="proposal", amount="1500", currency="EUR")
    create_deal(stack, "rep-bela", stage_id="negotiation", amount="99", currency="USD")
    own = api_home(stack, "rep-anna")
    # When Anna signs in
    open_home(page, stack, "rep-anna")
    # Then she is on the home page, with her own leads per cycle, each a link to the list of those leads
    assert page.url.endswith("/home.html")
    for cycle, count in own["leads"]["by_cycle"].items():
        tile = page.get_by_test_id(f"home-cycle-{cycle}")
        assert tile.get_attribute("href") == f"lists.html?kind=leads&cycle={cycle}"
        assert page.get_by_test_id(f"home-cycle-{cycle}-count").inner_text() == str(count)
    # And her funnel shows her deal's stage with its amount, in board order, and none of Béla's deals
    proposal = next(stage for stage in own["funnel"]["stages"] if stage["stage_id"] == "proposal")
    assert proposal["count"] >= 1
    assert funnel_count(page, "proposal") == str(proposal["count"])
    assert Decimal(proposal["amounts"]["EUR"]) >= Decimal("1500")  # hers, with the demo data's deals of hers
    shown = page.get_by_test_id("funnel-proposal-amount").inner_text()
    assert "€" in shown and digits(shown) == digits(f"{Decimal(proposal['amounts']['EUR']):.2f}")
    assert funnel_count(page, "negotiation") == str(
        next(stage["count"] for stage in own["funnel"]["stages"] if stage["stage_id"] == "negotiation"))
    assert "$" not in page.get_by_test_id("home-funnel").inner_text()
    rows = page.get_by_test_id("home-funnel").locator("tbody tr")
    assert rows.first.get_attribute("data-testid") == "funnel-unsorted"
    # And the tasks due today and waiting hot leads are hers, each linked to its record
    assert page.get_by_test_id("home-tasks-count").get_attribute("href") == "tasks.html"
    for task in own["tasks_due_today"]:
        link = page.get_by_test_id(f"home-task-{task['task_id']}").get_by_role("link")
        assert link.get_attribute("href") == f"record.html?kind={task['related_type']}&id={task['related_id']}"
    for lead in own["hot_leads_waiting"]:
        link = page.get_by_test_id(f"home-hot-{lead['lead_id']}").get_by_role("link")
        assert link.get_attribute("href") == f"record.html?kind=lead&id={lead['lead_id']}"
    # And she has no one else to pick
    assert not page.get_by_test_id("home-owner").is_visible()


def test_a_manager_sees_everyones_funnel_and_can_pick_one_rep(stack, page):
    create_deal(stack, "rep-anna", stage_id="procurement", amount="10", currency="EUR")
    create_deal(stack, "rep-bela", stage_id="procurement", amount="20", currency="EUR")
    everyone = api_home(stack, "manager-maria")
    annas = api_home(stack, "manager-maria", owner="rep-anna")
    # When Maria signs in
    open_home(page, stack, "manager-maria")
    # Then she sees everyone's funnel
    picker = page.get_by_test_id("home-owner")
    assert picker.input_value() == ""
    procurement = {stage["stage_id"]: stage["count"] for stage in everyone["funnel"]["stages"]}["procurement"]
    assert procurement >= 2
    assert funnel_count(page, "procurement") == str(procurement)
    # When she picks Anna, then only Anna's deals are counted
    picker.select_option("rep-anna")
    annas_count = str({stage["stage_id"]: stage["count"] for stage in annas["funnel"]["stages"]}["procurement"])
    page.wait_for_function(
        "([id, text]) => document.querySelector(`[data-testid=\"funnel-${id}-count\"]`)?.textContent === text",
        arg=["procurement", annas_count])
    assert int(annas_count) < procurement


def test_persian_reads_right_to_left_on_a_phone(stack, page):
    # Given Chris on a phone-sized screen
    page.set_viewport_size({"width": 375, "height": 800})
    open_home(page, stack, "rep-chris")
    # When he picks Persian in the menu (on a phone the language stands there)
    page.get_by_test_id("nav-toggle").click()
    page.get_by_test_id("language").select_option("fa")
    # Then the page reads right to left, in Persian, stage names included
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["fa", "rtl"]
    assert page.get_by_role("heading", level=1).inner_text() == "خانه"
    assert page.get_by_test_id("funnel-proposal").locator("th").inner_text() not in ("", "Proposal")
    # And the funnel's bars grow from the right edge, and nothing is wider than the screen
    track = page.get_by_test_id("funnel-proposal").locator(".funnel-track").bounding_box()
    count = page.get_by_test_id("funnel-proposal-count").bounding_box()
    assert count["x"] < track["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


COGNITO = "https://crm-test.auth.eu-central-1.amazoncognito.com"


def play_cognito(page, stack: RunningStack, user_id: str) -> dict[str, list]:
    """The deployed site's config.json, and Cognito's managed login played by the browser: /oauth2/authorize signs
    `user_id` in at once and comes back with a code, /oauth2/token trades it for tokens (the access token is the
    runner's for `user_id`; the ID token is not one the API takes), /logout comes back."""
    login_url = f"{stack.url}/login.html"
    config = {"apiBase": "/api", "auth": "cognito", "region": "eu-central-1", "userPoolId": "eu-central-1_Pool",
              "userPoolClientId": "client-1", "cognitoDomain": COGNITO, "redirectUri": login_url}
    seen: dict[str, list] = {"authorize": [], "token": [], "logout": []}

    def authorize(route) -> None:
        query = dict(parse_qsl(urlsplit(route.request.url).query))
        seen["authorize"].append(query)
        route.fulfill(status=302, headers={"Location": f"{login_url}?code=the-code&state={query['state']}"})

    def exchange(route) -> None:
        seen["token"].append(dict(parse_qsl(route.request.post_data)))
        route.fulfill(json={"id_token": "an-id-token", "access_token": token(stack, user_id), "token_type": "Bearer",
                            "expires_in": 3600}, headers={"Access-Control-Allow-Origin": stack.url})

    def logout(route) -> None:
        seen["logout"].append(dict(parse_qsl(urlsplit(route.request.url).query)))
        route.fulfill(status=302, headers={"Location": login_url})

    page.route("**/config.json", lambda route: route.fulfill(json=config))
    page.route(f"{COGNITO}/oauth2/authorize*", authorize)
    page.route(f"{COGNITO}/oauth2/token", exchange)
    page.route(f"{COGNITO}/logout*", logout)
    return seen


def test_on_aws_the_site_signs_in_through_cognito_with_pkce_and_signs_out_there(stack, page):
    seen = play_cognito(page, stack, "rep-anna")
    # When Anna signs in on the deployed site
    page.goto(f"{stack.url}/login.html")
    page.get_by_test_id("cognito-sign-in").click()
    # Then she lands on her home, signed in with the access token Cognito gave for the code
    page.wait_for_url("**/home.html")
    page.get_by_test_id("funnel-proposal").wait_for()
    # And the sign-in was the authorization code flow with an S256 challenge of the verifier sent with the code
    [asked] = seen["authorize"]
    assert {key: asked[key] for key in ("response_type", "client_id", "redirect_uri", "scope",
                                        "code_challenge_method")} == {
        "response_type": "code", "client_id": "client-1", "redirect_uri": f"{stack.url}/login.html",
        "scope": "openid email profile", "code_challenge_method": "S256"}
    [traded] = seen["token"]
    assert (traded["grant_type"], traded["code"], traded["client_id"]) == ("authorization_code", "the-code", "client-1")
    digest = base64.urlsafe_b64encode(hashlib.sha256(traded["code_verifier"].encode()).digest()).rstrip(b"=")
    assert digest.decode() == asked["code_challenge"]
    assert len(asked["state"]) >= 16
    # When she signs out, then Cognito's session ends too, and she is back on the sign-in page
    page.locator("#sign-out").click()
    page.wait_for_url("**/login.html")
    assert seen["logout"] == [{"client_id": "client-1", "logout_uri": f"{stack.url}/login.html"}]
    assert page.evaluate("sessionStorage.getItem('crm.token')") is None


def test_a_code_that_this_page_did_not_ask_for_is_refused(stack, page):
    seen = play_cognito(page, stack, "rep-anna")
    page.goto(f"{stack.url}/login.html?code=stolen&state=forged")
    page.get_by_test_id("cognito-sign-in").wait_for()
    page.wait_for_function("document.getElementById('message').dataset.kind === 'error'")
    assert seen["token"] == []
    assert page.evaluate("sessionStorage.getItem('crm.token')") is None
    assert "code=" not in page.url


def test_each_task_due_today_names_the_lead_or_deal_it_is_for(stack, page):
    # Given Anna's deal with a task due in a few minutes, beside her leads' "Call new lead" tasks
    deal = create_deal(stack, "rep-anna")
    due = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    task = call_api(stack, "rep-anna", "POST", f"/api/records/deal/{deal['deal_id']}/tasks",
                    json={"title": "Send the contract", "due_at": due})
    assert task.status_code == 201, task.text
    own = api_home(stack, "rep-anna")
    # When she signs in
    open_home(page, stack, "rep-anna")
    # Then the deal's task names the deal, and every task the record it belongs to
    row = page.get_by_test_id(f"home-task-{task.json()['task_id']}")
    assert row.get_by_test_id("home-task-related").inner_text() == deal["title"]
    for each in own["tasks_due_today"]:
        assert each["related_name"], each
        related = page.get_by_test_id(f"home-task-{each['task_id']}").get_by_test_id("home-task-related")
        assert related.inner_text() == each["related_name"]
