"""The suppression list's keys (a keyed hash of the address, no address) and the email a send can never deliver."""

from __future__ import annotations

from types import SimpleNamespace

import boto3
import pytest
from botocore.stub import Stubber

from crm.data import suppression
from crm.integrations import email

CONTENT = SimpleNamespace(subject="Hello", html="<p>Hello</p>", text="Hello")


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    configured = SimpleNamespace(suppression_key_secret="crm-suppression-key", sender_address="crm@example.com",
                                 ses_configuration_set="crm")
    for module in (suppression, email):
        monkeypatch.setattr(module, "get_settings", lambda: configured)
    return configured


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The suppression key as Secrets Manager would give it, by secret id."""
    secrets = {"crm-suppression-key": "k" * 64}
    monkeypatch.setattr(suppression, "secret_string", lambda secret_id: secrets[secret_id])
    return secrets


def test_an_address_is_keyed_by_a_keyed_hash_of_it_in_any_case(key):
    # Given one address written three ways
    pk, _ = suppression.SuppressedAddressItem.key("nora@example.org")
    # Then each is the same item, and its key holds no part of the address
    assert suppression.SuppressedAddressItem.key(" Nora@Example.ORG ")[0] == pk
    assert "nora" not in pk and "example" not in pk and pk.startswith("SUPPRESSED#")
    # And with another key the same address is another item: without the key, guessed addresses cannot be tested
    key["crm-suppression-key"] = "another key"
    assert suppression.SuppressedAddressItem.key("nora@example.org")[0] != pk


def test_without_the_key_nothing_is_read_or_written(settings: SimpleNamespace):
    settings.suppression_key_secret = ""
    with pytest.raises(RuntimeError, match="SUPPRESSION_KEY_SECRET"):
        suppression.address_hash("nora@example.org")


def test_only_a_bounce_or_a_complaint_is_a_suppression(key):
    with pytest.raises(ValueError, match="not a suppression"):
        suppression.suppress("nora@example.org", "unsubscribe", "2030-01-01T00:00:00Z")


def test_a_line_break_in_the_recipients_name_is_an_email_that_cannot_be_sent(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(email, "client", lambda name: pytest.fail("nothing may reach SES"))
    with pytest.raises(email.UnsendableEmailError, match="cannot be written"):
        email.send_email("mallory@example.org", CONTENT, to_name="Mallory\r\nBcc: victim@evil.example")


@pytest.mark.parametrize(("code", "unsendable"), [
    ("MessageRejected", True), ("BadRequestException", True),
    ("TooManyRequestsException", False), ("SendingPausedException", False),
])
def test_ses_refusing_the_message_is_unsendable_and_a_busy_ses_is_not(monkeypatch: pytest.MonkeyPatch, code: str,
                                                                      unsendable: bool):
    ses = boto3.client("sesv2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    monkeypatch.setattr(email, "client", lambda name: ses)
    with Stubber(ses) as stub:
        stub.add_client_error("send_email", service_error_code=code, service_message="no")
        with pytest.raises(Exception) as raised:
            email.send_email("ann@example.org", CONTENT)
    assert isinstance(raised.value, email.UnsendableEmailError) is unsendable
