"""The suppression list's keys: a keyed hash of the address, no address."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from crm.data import suppression


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    configured = SimpleNamespace(suppression_key_secret="crm-suppression-key")
    monkeypatch.setattr(suppression, "get_settings", lambda: configured)
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
