"""Links in notifications open the record they are about: every URL an email or SMS carries names a page that
exists in static_site/ with the parameters that page reads (a page that cannot read them shows the landing page)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from crm.links import record_url, site_url
from crm.notifications.render import SMS_TEMPLATES, STAFF_EMAIL_TEMPLATES, SUPPORTED_LANGUAGES, render_email, render_sms
from crm.services.notify import lead_url
from tests.unit.test_notifications_render import FULL

SITE = Path(__file__).resolve().parents[2] / "static_site"
BOARD = "https://crm.example.com"
URL = re.compile(r"https?://[^\s\"'<>]+")


def configure_board(monkeypatch: pytest.MonkeyPatch, board_url: str) -> None:
    monkeypatch.setattr("crm.links.get_settings", lambda: SimpleNamespace(board_url=board_url))


@pytest.fixture
def board(monkeypatch: pytest.MonkeyPatch) -> str:
    configure_board(monkeypatch, f"{BOARD}/")
    return BOARD


def page_parameters(page: str) -> set[str]:
    """The query parameters a page's script reads (`params.get("...")` in js/<page>.js)."""
    script = (SITE / "js" / f"{Path(page).stem}.js").read_text()
    return set(re.findall(r"params\.get\(\"(\w+)\"\)", script))


def resolve(url: str) -> tuple[str, dict[str, str]]:
    """The site page a board link opens and its parameters; fails when the page does not exist."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == BOARD and not parts.fragment, url
    page = parts.path.lstrip("/")
    assert (SITE / page).is_file(), f"{url} opens {page!r}, which static_site/ does not have"
    return page, {name: values[0] for name, values in parse_qs(parts.query, strict_parsing=bool(parts.query)).items()}


def test_a_record_link_opens_the_record_page_with_what_it_reads(board):
    # Given a board URL, When a lead's link is built, Then record.html opens it with kind and id
    page, query = resolve(lead_url("01HXLEAD"))
    assert page == "record.html" and query == {"kind": "lead", "id": "01HXLEAD"}
    assert page_parameters(page) == set(query)
    assert resolve(record_url("deal", "D 1&2")) == ("record.html", {"kind": "deal", "id": "D 1&2"})
    assert resolve(site_url("stalled.html")) == ("stalled.html", {})


def test_without_a_board_the_lead_is_named_by_its_id(monkeypatch: pytest.MonkeyPatch):
    configure_board(monkeypatch, "")
    assert lead_url("01HXLEAD") == "lead 01HXLEAD" and record_url("deal", "D1") is None


def rendered_links(template: str, language: str, context: dict) -> list[str]:
    texts = []
    if template in STAFF_EMAIL_TEMPLATES:
        email = render_email(template, language, context)
        texts += [unescape(email.html), email.text]  # &amp; in an href is a plain & to the mail reader
    if template in SMS_TEMPLATES:
        texts.append(render_sms(template, language, context))
    return [url for text in texts for url in URL.findall(text) if url.startswith(BOARD)]


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("template", sorted(FULL))
def test_every_notification_about_a_lead_links_to_its_record_page(board, template, language):
    # Given the context the services build, with the lead's link from crm.links
    context = {**FULL[template], "lead_url": lead_url("01HXLEAD")}
    # When the email (and SMS) is rendered, Then every board link in it opens that lead's record page
    links = rendered_links(template, language, context)
    assert links, f"{template} ({language}) carries no link to the lead"
    for link in links:
        assert resolve(link) == ("record.html", {"kind": "lead", "id": "01HXLEAD"}), link


def test_the_stalled_deals_email_links_each_deal_and_the_stalled_page(board):
    # Given a rep's stalled deal with the links crm.links builds
    deals = [{"deal_id": "D1", "title": "Fleet renewal", "account_name": "Acme", "stage_name": "Proposal",
              "days_in_stage": 12, "max_days_in_stage": 10, "url": record_url("deal", "D1")}]
    context = {"rep": {"name": "Anna"}, "deals": deals, "count": 1, "stalled_url": site_url("stalled.html")}
    # When the email is rendered, Then its links open the deal's record page and the stalled page
    email = render_email("stalled_deals_for_rep", "en", context)
    links = [resolve(url) for url in URL.findall(unescape(email.html) + email.text) if url.startswith(BOARD)]
    assert ("record.html", {"kind": "deal", "id": "D1"}) in links and ("stalled.html", {}) in links
    assert all(link in (("record.html", {"kind": "deal", "id": "D1"}), ("stalled.html", {})) for link in links)
