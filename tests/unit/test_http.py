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
])
def test_unreadable_bodies_are_clear_client_errors(body, content_type, status, field):
    with pytest.raises(BadRequestError) as error:
        Request.from_event(event(body, content_type)).fields()
    assert (error.value.status, error.value.field) == (status, field)


def test_only_configured_origins_may_post_from_a_browser():
    assert origin_allowed(None, SITES)
    assert origin_allowed("https://www.example.com/", SITES)
    assert not origin_allowed("https://evil.example", SITES)
    assert cors_headers("https://www.example.com", SITES)["Access-Control-Allow-Origin"] == "https://www.example.com"
    assert cors_headers("https://evil.example", SITES) == {}
