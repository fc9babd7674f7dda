"""The settings page (D3, D5, D6) in a real headless Chromium against the running stack: an admin edits the
pipeline, the team and the email templates; a rep sees the page read-only and no Settings in the navigation.

Screenshots go to test-artifacts/settings/ (tests/e2e/browser.py), one per test.
"""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from tests.e2e.browser import call_api, log_in, unique
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def open_settings(page, stack: RunningStack, user_id: str, section: str = "pipeline") -> None:
    log_in(page, stack, user_id, then=f"settings.html#{section}")
    page.locator("body[data-ready=true]").wait_for()


def pipeline(stack: RunningStack, pipeline_id: str = "sales") -> dict:
    response = call_api(stack, "admin-ada", "GET", f"/api/pipelines/{pipeline_id}")
    assert response.status_code == 200, response.text
    return response.json()


def stage(found: dict, stage_id: str) -> dict:
    return next(item for item in found["stages"] if item["id"] == stage_id)


def test_an_admin_renames_a_stage_sets_its_limit_and_the_board_shows_the_new_name(stack, page):
    open_settings(page, stack, "admin-ada")
    assert page.get_by_test_id("nav-settings").is_visible()
    name = unique("Qualified")
    page.get_by_test_id("stage-name-identified").fill(name)
    page.get_by_test_id("stage-max-days-identified").fill("9")
    page.get_by_test_id("pipeline-save").click()
    page.get_by_test_id("message").filter(has_text="saved").wait_for()

    saved = stage(pipeline(stack), "identified")
    assert (saved["name"], saved["max_days_in_stage"]) == (name, 9)
    page.goto(f"{stack.url}/board.html")
    page.get_by_test_id("column-identified").get_by_role("heading", name=name).wait_for()


def test_an_admin_sets_and_clears_stage_probabilities_and_an_impossible_one_is_refused(stack, page):
    before = pipeline(stack)
    try:
        # Given the default pipeline's probabilities in the editor
        open_settings(page, stack, "admin-ada")
        assert page.get_by_test_id("stage-probability-proposal").input_value() == "60"
        assert page.get_by_test_id("stage-probability-unsorted").input_value() == ""
        # When the admin sets Proposal's to 65 and clears Procurement's
        page.get_by_test_id("stage-probability-proposal").fill("65")
        page.get_by_test_id("stage-probability-procurement").fill("")
        page.get_by_test_id("pipeline-save").click()
        page.get_by_test_id("message").filter(has_text="saved").wait_for()
        # Then the pipeline keeps both
        saved = pipeline(stack)
        assert (stage(saved, "proposal")["probability"], stage(saved, "procurement")["probability"]) == (65, None)
        # When a probability over 100 is saved
        field = page.get_by_test_id("stage-probability-proposal")
        field.fill("150")
        page.get_by_test_id("pipeline-save").click()
        # Then it is refused next to the field, and nothing changes
        page.locator("[data-testid=stage-probability-proposal][aria-invalid=true]").wait_for()
        assert pipeline(stack) == saved
    finally:
        call_api(stack, "admin-ada", "PUT", "/api/pipelines/sales", json=before)


def test_an_admin_reorders_a_stage_with_the_keyboard_and_adds_a_lost_reason(stack, page):
    open_settings(page, stack, "admin-ada")
    page.get_by_test_id("stage-down-identified").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.dataset.testid") == "stage-down-identified"  # focus kept
    reason = unique("Went silent")
    page.get_by_test_id("lost-reason-new").fill(reason)
    page.get_by_test_id("lost-reason-add").click()
    page.get_by_test_id("pipeline-save").click()
    page.get_by_test_id("message").filter(has_text="saved").wait_for()

    saved = pipeline(stack)
    assert reason in saved["lost_reasons"]
    assert [item["id"] for item in saved["stages"]][1:3] == ["in-discussion", "identified"]


def test_an_admin_starts_a_new_pipeline_from_the_default_and_adds_a_stage_to_it(stack, page):
    open_settings(page, stack, "admin-ada")
    pipeline_id = f"renewals-{uuid.uuid4().hex[:6]}"
    page.get_by_test_id("pipeline-new").click()
    page.get_by_test_id("pipeline-id").fill(pipeline_id)
    page.get_by_test_id("pipeline-name").fill("Renewals")
    page.get_by_test_id("stage-new-name").fill("Contract review")
    page.get_by_test_id("stage-new-name").press("Enter")
    page.get_by_test_id("stage-max-days-contract-review").fill("")  # empty: no limit
    page.get_by_test_id("pipeline-save").click()
    page.get_by_test_id("message").filter(has_text="saved").wait_for()

    saved = pipeline(stack, pipeline_id)
    assert saved["name"] == "Renewals"
    assert [item["id"] for item in saved["stages"]][-3:] == ["contract-review", "closed-won", "closed-lost"]
    assert stage(saved, "contract-review")["max_days_in_stage"] is None
    assert stage(saved, "unsorted")["kind"] == "unsorted"
    assert page.get_by_test_id("pipeline-select").input_value() == pipeline_id


def test_a_refused_field_is_shown_next_to_it_and_nothing_is_saved(stack, page):
    before = pipeline(stack)
    open_settings(page, stack, "admin-ada")
    title = page.get_by_test_id("action-title-proposal-0")
    title.fill("")
    page.get_by_test_id("pipeline-save").click()

    error_id = title.get_attribute("aria-describedby").split()[-1]
    page.locator(f"#{error_id}").wait_for()
    assert title.get_attribute("aria-invalid") == "true"
    assert page.locator(f"#{error_id}").inner_text().strip()
    summary = page.get_by_test_id("pipeline-form-error").inner_text().strip()
    assert summary == "Nothing was saved. Check the fields marked below."
    assert pipeline(stack) == before


def test_an_admin_adds_a_rep_who_is_then_offered_on_the_sign_in_page(stack, page):
    open_settings(page, stack, "admin-ada", "team")
    user_id = f"rep-{uuid.uuid4().hex[:6]}"
    page.get_by_test_id("team-add").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_test_id("user-id").fill(user_id)
    dialog.get_by_test_id("user-name").fill("Dora Newhire")
    dialog.get_by_test_id("user-email").fill(f"{user_id}@example.com")
    dialog.get_by_test_id("user-role").select_option("rep")
    dialog.get_by_test_id("user-language").select_option("hu")
    dialog.get_by_test_id("user-timezone").fill("Europe/Budapest")
    dialog.get_by_test_id("user-save").click()
    page.get_by_test_id(f"team-row-{user_id}").wait_for()
    assert not dialog.is_visible()

    offered = requests.get(f"{stack.url}/local/users", timeout=10).json()
    assert user_id in str(offered)
    page.goto(f"{stack.url}/login.html")
    page.get_by_test_id(f"login-{user_id}").wait_for()


def test_the_team_form_shows_field_errors_and_refuses_to_lose_the_last_admin(stack, page):
    open_settings(page, stack, "admin-ada", "team")
    page.get_by_test_id("team-add").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_test_id("user-id").fill(f"rep-{uuid.uuid4().hex[:6]}")
    dialog.get_by_test_id("user-name").fill("No Mail")
    dialog.get_by_test_id("user-email").fill("not an email")
    dialog.get_by_test_id("user-save").click()
    page.locator("#user-email-error:not([hidden])").wait_for()
    assert dialog.get_by_test_id("user-email").get_attribute("aria-invalid") == "true"
    dialog.get_by_role("button", name="Cancel").click()

    page.get_by_test_id("team-edit-admin-ada").click()
    dialog.get_by_test_id("user-role").select_option("rep")
    dialog.get_by_test_id("user-save").click()
    page.get_by_test_id("user-form-error").filter(has_text="admin").wait_for()
    users = call_api(stack, "admin-ada", "GET", "/api/users").json()
    assert next(user for user in users if user["user_id"] == "admin-ada")["role"] == "admin"


def test_an_admin_edits_a_templates_german_subject_with_a_live_preview(stack, page):
    open_settings(page, stack, "admin-ada", "templates")
    page.get_by_test_id("template-select").select_option("checking_in")
    page.get_by_test_id("template-language").select_option("de")
    subject = unique("Kurze Frage, {{ first_name }}")
    page.get_by_test_id("template-subject").fill(subject)
    preview = page.get_by_test_id("template-preview-subject")
    assert preview.inner_text() == subject.replace("{{ first_name }}", "Maria")  # the sample first name
    page.get_by_test_id("template-save").click()
    page.get_by_test_id("message").filter(has_text="saved").wait_for()

    templates = call_api(stack, "admin-ada", "GET", "/api/email-templates").json()
    saved = next(template for template in templates if template["id"] == "checking_in")
    assert saved["translations"]["de"]["subject"] == subject


def test_an_unknown_placeholder_is_refused_next_to_the_text(stack, page):
    open_settings(page, stack, "admin-ada", "templates")
    page.get_by_test_id("template-language").select_option("el")
    page.get_by_test_id("template-body").fill("Γεια σας {{ nickname }}")
    page.get_by_test_id("template-save").click()
    page.locator("#template-body-error:not([hidden])").filter(has_text="nickname").wait_for()
    assert page.get_by_test_id("template-body").get_attribute("aria-invalid") == "true"


def test_the_apis_refusals_are_shown_in_the_users_language(stack, page):
    # Given an admin working in German
    open_settings(page, stack, "admin-ada", "templates")
    page.get_by_test_id("language").select_option("de")
    page.wait_for_function("document.documentElement.lang === 'de'")
    # When the API refuses a template with an unknown placeholder, and a change that would leave no admin
    page.get_by_test_id("template-body").fill("Hallo {{ nickname }}")
    page.get_by_test_id("template-save").click()
    # Then each reason is in German, with the API's details filled in
    page.locator("#template-body-error:not([hidden])").filter(
        has_text="unbekannter Platzhalter {{ nickname }}").wait_for()
    page.get_by_test_id("team-edit-admin-ada").click()
    page.locator("dialog[open]").get_by_test_id("user-role").select_option("rep")
    page.locator("dialog[open]").get_by_test_id("user-save").click()
    page.get_by_test_id("user-form-error").filter(has_text="mindestens eine aktive Administration").wait_for()


def test_a_reason_shows_its_moments_in_local_time_and_an_unknown_code_keeps_the_apis_words(stack, page):
    open_settings(page, stack, "manager-maria")
    said = page.evaluate("""async () => {
      const {reasonText, setLanguage} = await import("/js/i18n.js");
      setLanguage("de");
      const converted = {message: "lead L1 was already converted", code: "lead_converted",
                         params: {lead_id: "L1", at: "2026-03-04T15:06:00+00:00", contact_id: "C1"}};
      return [reasonText(converted), reasonText({message: "as the API says", code: "not_in_the_catalogue"})];
    }""")
    assert "L1" in said[0] and "C1" in said[0] and "2026-03-04T" not in said[0] and "2026" in said[0]
    assert said[1] == "as the API says"


def test_a_rep_sees_the_settings_read_only_and_no_settings_in_the_navigation(stack, page):
    open_settings(page, stack, "rep-anna")
    assert page.get_by_test_id("nav-board").is_visible()
    assert page.get_by_test_id("nav-settings").count() == 0
    assert page.get_by_test_id("settings-read-only").is_visible()
    assert page.get_by_test_id("stage-name-identified").is_disabled()
    assert page.get_by_test_id("template-subject").is_disabled()
    for control in ("pipeline-save", "pipeline-new", "team-add", "template-save"):
        assert page.get_by_test_id(control).is_hidden()
    assert page.get_by_test_id("team-edit-rep-anna").count() == 0


def test_a_manager_finds_settings_in_the_navigation(stack, page):
    log_in(page, stack, "manager-maria", then="home.html")
    page.get_by_test_id("nav-settings").click()
    page.locator("body[data-ready=true]").wait_for()
    assert page.get_by_test_id("settings-read-only").is_visible()


def test_a_manager_reads_no_null_or_object_text_on_the_settings_page(stack, page):
    # Given Maria, a manager, who sees the settings read-only
    open_settings(page, stack, "manager-maria")
    page.get_by_test_id("lost-reason-0").wait_for()
    # Then no empty value leaks into the page as words
    text = page.locator("main").inner_text()
    assert not re.search(r"\bnull\b|\bundefined\b|\[object ", text), text
