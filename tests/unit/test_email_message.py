import email
from email import policy
from types import SimpleNamespace

import boto3
import pytest
from botocore.stub import Stubber

from crm.integrations import email as crm_email
from crm.integrations.email import build_message

SUBJECT = "Új érdeklődő: Jonas Weber (Weber GmbH) – hívd 20 percen belül, és még egy hosszabb tárgy"


def parse(message):
    return email.message_from_bytes(message.as_bytes(), policy=policy.default)


def test_a_long_non_ascii_subject_reads_back_exactly():
    content = SimpleNamespace(subject=SUBJECT, html="<p>Szia</p>", text="Szia, Béla! Új érdeklődő")
    message = build_message("crm@example.com", "bela@example.com", content, to_name="Béla Kovács")
    assert message.as_bytes().isascii()
    parsed = email.message_from_string(message.as_bytes().decode("ascii"), policy=policy.default)
    assert str(parsed["Subject"]) == SUBJECT
    assert parsed.get_body(("html",)).get_content().strip() == "<p>Szia</p>"
    assert str(parsed["To"]) == "Béla Kovács <bela@example.com>"


def test_the_message_has_a_text_and_an_html_part_and_extra_headers():
    message = build_message("crm@example.com", "ann@example.com",
                            SimpleNamespace(subject="Hi", html="<p>Hello</p>", text="Hello"),
                            headers={"X-CRM-Lead": "01ABC"})
    parsed = parse(message)
    assert parsed.get_body(("plain",)).get_content().strip() == "Hello"
    assert parsed.get_body(("html",)).get_content().strip() == "<p>Hello</p>"
    assert parsed["X-CRM-Lead"] == "01ABC" and parsed["Date"] and parsed["Message-ID"].endswith("@example.com>")


# --- an email a send can never deliver -----------------------------------------------------------------------------

CONTENT = SimpleNamespace(subject="Hello", html="<p>Hello</p>", text="Hello")


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> None:
    configured = SimpleNamespace(sender_address="crm@example.com", ses_configuration_set="crm")
    monkeypatch.setattr(crm_email, "get_settings", lambda: configured)


@pytest.mark.usefixtures("settings")
def test_a_line_break_in_the_recipients_name_is_an_email_that_cannot_be_sent(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(crm_email, "client", lambda name: pytest.fail("nothing may reach SES"))
    with pytest.raises(crm_email.UnsendableEmailError, match="cannot be written"):
        crm_email.send_email("mallory@example.org", CONTENT, to_name="Mallory\r\nBcc: victim@evil.example")


@pytest.mark.usefixtures("settings")
@pytest.mark.parametrize(("code", "unsendable"), [
    ("MessageRejected", True), ("BadRequestException", True),
    ("TooManyRequestsException", False), ("SendingPausedException", False),
])
def test_ses_refusing_the_message_is_unsendable_and_a_busy_ses_is_not(monkeypatch: pytest.MonkeyPatch, code: str,
                                                                      unsendable: bool):
    ses = boto3.client("sesv2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    monkeypatch.setattr(crm_email, "client", lambda name: ses)
    with Stubber(ses) as stub:
        stub.add_client_error("send_email", service_error_code=code, service_message="no")
        with pytest.raises(Exception) as raised:
            crm_email.send_email("ann@example.org", CONTENT)
    assert isinstance(raised.value, crm_email.UnsendableEmailError) is unsendable
