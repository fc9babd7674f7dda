import email
from email import policy
from types import SimpleNamespace

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
