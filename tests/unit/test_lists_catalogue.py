"""The lists page speaks every language the site does, jobs included (static_site/js/i18n/lists.js): each language
has every English message, with the same placeholders, and the words a job's progress needs."""

import pytest

from tests.site_catalogues import added_messages, placeholders

JOB_MESSAGES = ("listsJobQueued", "listsJobFailed", "listsExportRunning", "listsExportDone", "listsDownload",
                "listsExportProgress", "listsEmailSending", "listsEmailDone", "listsEmailProgress")


@pytest.fixture(scope="module")
def catalogue() -> dict:
    return added_messages("lists")


def test_a_jobs_progress_and_end_are_worded(catalogue):
    english = catalogue["en"]
    assert set(JOB_MESSAGES) <= set(english)
    assert placeholders(english["listsEmailDone"]) == {"sent", "skipped"}
    assert placeholders(english["listsEmailSending"]) == {"done", "total"}
    assert placeholders(english["listsExportDone"]) == {"count", "file"}


# Why a mass email leaves someone out: the consent rules (crm/domain/automation.py, crm/services/record_email.py) when
# it starts, and at their turn also an email that cannot be sent or a record gone or moved (crm/services/jobs_worker.py)
MASS_EMAIL_REASONS = ("no_consent", "unsubscribed", "address_suppressed", "no_email_address", "person_erased",
                      "email_unsendable", "record_gone", "not_yours")


def test_every_reason_a_mass_email_skips_someone_for_is_worded(catalogue):
    assert {f"listsBlocked_{reason}" for reason in MASS_EMAIL_REASONS} <= set(catalogue["en"])
