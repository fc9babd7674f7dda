"""The CSV import page in a real headless Chromium against the running stack: upload a file, check the suggested
mapping and its preview, import it under the progress bar, and read the per-row report with the merged duplicate."""

from __future__ import annotations

import csv
import io

import pytest
import requests

from tests.e2e.browser import call_api, log_in, posted_lead_id, unique
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def known_lead(stack: RunningStack, name: str) -> tuple[str, str]:
    """A lead from Germany, so the routing rules give it to rep Anna: (id, email)."""
    email = f"{name.lower()}@example.de"
    response = requests.post(f"{stack.url}/leads", json={"name": name, "email": email, "country": "DE"}, timeout=10)
    assert response.status_code == 201, response.text
    return posted_lead_id(stack, email), email


def test_upload_map_import_and_read_the_report_with_the_merged_duplicate(stack, page):
    # Given rep Anna's lead, and a file of 30 new people (two chunks), that lead again and a row with no address
    lead_id, email = known_lead(stack, unique("Known").replace(" ", ""))
    tag = unique("p").replace(" ", "").lower()
    people = [f"Person {n};{tag}.{n}@example.com;Firma {n}" for n in range(30)]
    text = "\ufeffName;E-Mail;Firma\n" + "\n".join([*people, f"Known Again;{email.upper()};", "Nobody;;Ghost Ltd"])
    # When she opens the import page and uploads it as leads
    log_in(page, stack, "rep-anna", then="import.html")
    page.get_by_test_id("language").select_option("en")  # Anna's own language is German
    page.set_input_files("#import-file", files=[{"name": "fair.csv", "mimeType": "text/csv",
                                                 "buffer": text.encode("utf-8")}])
    page.get_by_test_id("import-upload").click()
    # Then every column has its field chosen, and the preview shows the first rows as they will be stored
    page.get_by_test_id("import-preview-row").first.wait_for()
    assert [page.get_by_test_id(f"import-map-{n}").input_value() for n in range(3)] == ["name", "email", "company"]
    assert page.get_by_test_id("import-preview-row").count() == 5
    assert f"{tag}.0@example.com" in page.get_by_test_id("import-preview").inner_text()
    # When she starts the import
    page.get_by_test_id("import-start").click()
    # Then the bar reaches the end, the status says so, and the report lists every row
    page.get_by_test_id("import-report-row").nth(31).wait_for()
    progress = page.get_by_test_id("import-progress")
    assert progress.evaluate("bar => [bar.value, bar.max]") == [32, 32]
    assert page.get_by_test_id("import-progress-text").inner_text() == "32 of 32 rows"
    rows = page.get_by_test_id("import-report-row")
    assert rows.nth(0).get_by_test_id("import-report-outcome").inner_text() == "Created"
    merged = rows.nth(30)
    assert merged.get_by_test_id("import-report-outcome").inner_text() == "Merged as a touch"
    assert merged.get_by_role("link").get_attribute("href") == f"record.html?kind=lead&id={lead_id}"
    assert "give an email address or a phone number" in rows.nth(31).inner_text()
    assert page.get_by_test_id("import-report-summary").inner_text() == (
        "30 created, 1 merged as a touch, 1 invalid, 0 skipped.")
    # And the known lead got a touch instead of a twin
    lead = call_api(stack, "rep-anna", "GET", f"/api/records/lead/{lead_id}")
    assert lead.json()["fields"]["touch_count"] == 2
    # When she downloads the report
    with page.expect_download() as download:
        page.get_by_test_id("import-download").click()
    report = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    # Then it has one line per row of the file
    assert download.value.suggested_filename == "fair-report.csv"
    assert [line[1] for line in report[1:]] == ["created"] * 30 + ["merged", "invalid"]
    # And in Persian the page turns right-to-left with the report in its words
    page.get_by_test_id("language").select_option("fa")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert merged.get_by_test_id("import-report-outcome").inner_text() == "به‌عنوان تماس ادغام شد"


def test_a_file_without_a_name_column_cannot_be_imported_until_one_is_chosen(stack, page):
    # Given a file whose name column has a header the CRM does not know
    tag = unique("x").replace(" ", "").lower()
    text = f"Who,Mail\nAda,{tag}@example.com\n"
    log_in(page, stack, "rep-bela", then="import.html")
    page.set_input_files("#import-file", files=[{"name": "odd.csv", "mimeType": "text/csv",
                                                 "buffer": text.encode("utf-8")}])
    page.get_by_test_id("import-upload").click()
    # Then the page says a name is missing, in Béla's Hungarian, and the import cannot start
    errors = page.get_by_test_id("import-mapping-errors")
    errors.wait_for()
    assert "feleltessen meg egy oszlopot ennek: name / first_name / last_name" in errors.inner_text()
    assert page.get_by_test_id("import-start").is_disabled()
    # When she maps the column to the name by keyboard-operable select
    page.get_by_test_id("import-map-0").select_option("name")
    # Then the preview shows the row and the import can start
    page.get_by_test_id("import-preview-row").first.wait_for()
    assert errors.is_hidden()
    assert page.get_by_test_id("import-start").is_enabled()


def test_the_preview_says_who_will_be_merged_email_or_phone_is_enough_and_the_source_is_mapped(stack, page):
    # Given rep Anna's known lead, and a file with it again and a new person, each with a source label
    lead_id, email = known_lead(stack, unique("Again").replace(" ", ""))
    fresh = f"{unique('fresh').replace(' ', '').lower()}@example.com"
    text = f"Name;E-Mail;Quelle\nKnown Again;{email};fair\nNew Person;{fresh};webinar\n"
    # When she uploads it as leads, in English
    log_in(page, stack, "rep-anna", then="import.html")
    page.get_by_test_id("language").select_option("en")
    page.set_input_files("#import-file", files=[{"name": "labels.csv", "mimeType": "text/csv",
                                                 "buffer": text.encode("utf-8")}])
    page.get_by_test_id("import-upload").click()
    page.get_by_test_id("import-preview-row").nth(1).wait_for()
    # Then the source column is mapped to the source, and email and phone each say the other will do instead
    assert page.get_by_test_id("import-map-2").input_value() == "source"
    options = page.get_by_test_id("import-map-1")
    assert options.locator("option[value=email]").inner_text() == "Email (required, or Phone)"
    assert options.locator("option[value=phone]").inner_text() == "Phone (required, or Email)"
    # And the known person shows as merged, the new one as ready, each with its source
    known, new = page.get_by_test_id("import-preview-row").all()
    assert known.get_attribute("data-outcome") == "merged"
    assert "Known person: will be merged as a touch" in known.inner_text() and "fair" in known.inner_text()
    assert new.get_attribute("data-outcome") == "created"
    assert "Ready" in new.inner_text() and "webinar" in new.inner_text()
    # And in German too
    page.get_by_test_id("language").select_option("de")
    assert "Bekannte Person: wird als Kontaktpunkt zusammengeführt" in known.inner_text()
    # When she imports it, the new lead keeps the label it came with
    page.get_by_test_id("import-start").click()
    page.get_by_test_id("import-report-row").nth(1).wait_for()
    new_id = page.get_by_test_id("import-report-row").nth(1).get_by_role("link").get_attribute("href").split("id=")[1]
    lead = call_api(stack, "rep-anna", "GET", f"/api/records/lead/{new_id}").json()
    assert lead["fields"]["first_touch"]["source"] == "webinar", lead["fields"]
    assert new_id != lead_id


def test_a_file_over_a_limit_is_refused_with_the_limit_in_the_readers_language(stack, page):
    uploads: list[str] = []
    page.on("request", lambda request: uploads.append(request.url) if request.url.endswith("/api/imports") else None)
    message = page.get_by_test_id("message")
    # Given rep Anna, whose language is German, and a file of 201 columns
    log_in(page, stack, "rep-anna", then="import.html")
    text = ",".join(f"Spalte {n}" for n in range(201)) + "\n" + ",".join(["x"] * 201) + "\n"
    page.set_input_files("#import-file", files=[{"name": "breit.csv", "mimeType": "text/csv",
                                                 "buffer": text.encode("utf-8")}])
    # When she uploads it, Then the API's refusal names the limit in German, and no mapping is offered
    page.get_by_test_id("import-upload").click()
    expected = "Die Datei kann nicht importiert werden: die Datei hat mehr als 200 Spalten; ist das eine CSV-Tabelle?"
    message.filter(has_text=expected).wait_for()
    assert page.locator("#import-mapping-panel").is_hidden() and len(uploads) == 1
    # When she switches to Greek and picks a file over 2 MB
    page.get_by_test_id("language").select_option("el")
    page.set_input_files("#import-file", files=[{"name": "big.csv", "mimeType": "text/csv",
                                                 "buffer": b"Name\n" + b"x" * 2_000_000}])
    page.get_by_test_id("import-upload").click()
    # Then the page refuses it in Greek without sending it
    message.filter(has_text="το αρχείο είναι μεγαλύτερο από 2 MB· χωρίστε το σε μέρη").wait_for()
    assert len(uploads) == 1
