import base64

import pytest

from crm.cors import cors_headers, origin_allowed
from crm.http import BadRequestError, Request

SITES = ("https://www.example.com",)


def event(body, content_type, encoded=False, headers=None):
    raw = base64.b64encode(body.encode()).decode() if encoded else body
    return {"httpMethod": "POST", "path": "/leads", "body": raw, "isBase64Encoded": encoded,
            "headers": {"Content-Type": content_type, **(headers or {})},
            "requestContext": {"identity": {"sourceIp": "203.0.113.9"}, "path": "/v1/leads"}}


def test_urlencoded_form_fields_keep_blanks_and_first_values():
    request = Request.from_event(event("name=Ann+Lee&email=&tag=a&tag=b", "application/x-www-form-urlencoded"))
    assert request.fields() == {"name": "Ann Lee", "email": "", "tag": "a"}
    assert request.wants_html and request.source_ip == "203.0.113.9"
    assert (request.path, request.public_path) == ("/leads", "/v1/leads")


def test_base64_json_body_is_decoded():
    request = Request.from_event(event('{"name": "Ann"}', "application/json; charset=utf-8", encoded=True))
    assert request.fields() == {"name": "Ann"}


@pytest.mark.parametrize(("body", "content_type", "status", "field"), [
    ("{not json", "application/json", 400, "body"),
    ("[1, 2]", "application/json", 400, "body"),
    ("name=Ann", "text/plain", 415, "content-type"),
    ('{"name": ' + "[" * 7000 + "]" * 7000 + "}", "application/json", 400, "body"),  # the parser's recursion
])
def test_unreadable_bodies_are_clear_client_errors(body, content_type, status, field):
    with pytest.raises(BadRequestError) as error:
        Request.from_event(event(body, content_type)).fields()
    assert (error.value.status, error.value.field) == (status, field)


@pytest.mark.parametrize(("body", "field", "where"), [
    ('{"name": "Ann \\ud800"}', "name", ""),
    ('{"stages": [{"name": "a"}, {"name": "b"}, {"name": "\\udc80"}]}', "stages.2.name", ""),
    ('{"kind": "leads", "csv": "name\\nAnn\\nB\\udc80"}', "csv", "line 3 "),
    ('{"\\ud83d": 1}', "body", ""),
])
def test_half_a_utf16_pair_is_a_422_naming_its_field_and_line(body, field, where):
    """JSON may escape a lone surrogate, which no store or mail takes: refused where it is, not failing later."""
    with pytest.raises(BadRequestError) as error:
        Request.from_event(event(body, "application/json")).fields()
    assert (error.value.status, error.value.field) == (422, field)
    assert error.value.message.startswith(f"{where}holds ")


def test_a_whole_utf16_pair_is_text():
    assert Request.from_event(event('{"name": "Ann \\ud83d\\ude00"}', "application/json")).fields() == {
        "name": "Ann \U0001f600"}


def test_only_configured_origins_may_post_from_a_browser():
    assert origin_allowed(None, SITES)
    assert origin_allowed("https://www.example.com/", SITES)
    assert not origin_allowed("https://evil.example", SITES)
    assert cors_headers("https://www.example.com", SITES)["Access-Control-Allow-Origin"] == "https://www.example.com"
    assert cors_headers("https://evil.example", SITES) == {}
