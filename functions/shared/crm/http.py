"""API Gateway proxy requests and responses, shared by the public ingress handlers."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"


class BadRequestError(ValueError):
    """A request the ingress cannot read at all (the body is not JSON, or of a type it does not take): a
    protocol-level refusal, with its HTTP status, raised only by this adapter. What the CRM itself refuses is a
    crm.errors refusal, with no status."""

    def __init__(self, status: int, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.status, self.field, self.message = status, field, message

    @property
    def answer(self) -> dict[str, Any]:
        """The body every API answers it with: the field errors' shape."""
        from crm.reasons import field_error, field_error_body

        return field_error_body([field_error(self.field, self.message)])


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    path_parameters: dict[str, str]
    source_ip: str | None
    public_path: str

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> Request:
        raw = event.get("body") or ""
        body = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode("utf-8")
        headers = {name.lower(): value for name, value in (event.get("headers") or {}).items() if value is not None}
        request_context = event.get("requestContext") or {}
        path = event.get("path", "/")
        return cls(method=event.get("httpMethod", "GET").upper(), path=path, headers=headers, body=body,
                   path_parameters=event.get("pathParameters") or {},
                   source_ip=(request_context.get("identity") or {}).get("sourceIp"),
                   public_path=request_context.get("path") or path)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def wants_html(self) -> bool:
        return self.content_type == FORM_TYPE

    def json(self) -> dict[str, Any]:
        """The body's JSON object, all of it text: a JSON escape may encode half a UTF-16 pair (\\ud800), which no
        store or mail can take, so a field holding one is refused here, by its path, rather than failing later."""
        try:
            data = json.loads(self.body or b"null")
        except RecursionError as error:  # the parser recurses per level: thousands of [[[[ exhaust the stack
            raise BadRequestError(400, "body", "nests arrays or objects too deeply") from error
        except (ValueError, UnicodeDecodeError) as error:
            raise BadRequestError(400, "body", f"is not valid JSON ({error})") from error
        if not isinstance(data, dict):
            raise BadRequestError(400, "body", "must be a JSON object")
        _refuse_lone_surrogates(data)
        return data

    def form(self) -> dict[str, str]:
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadRequestError(400, "body", "is not UTF-8 text") from error
        return {key: values[0] for key, values in parse_qs(text, keep_blank_values=True).items()}

    def fields(self) -> dict[str, Any]:
        """The posted fields, from JSON or from an HTML form."""
        if self.content_type == JSON_TYPE:
            return self.json()
        if self.content_type == FORM_TYPE:
            return self.form()
        raise BadRequestError(415, "content-type", f"must be {JSON_TYPE} or {FORM_TYPE}")


def _refuse_lone_surrogates(data: dict[str, Any]) -> None:
    """422 naming the first field (by its path, e.g. `stages.2.name`) whose text or key holds a lone surrogate, and
    where in it (the line, for a file's text such as an import's CSV)."""
    pending: list[tuple[str, Any]] = [("", data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, dict):
            pending.extend((f"{path}.{key}" if path else str(key), item) for key, item in value.items())
            pending.extend((path or "body", key) for key in value)
        elif isinstance(value, list):
            pending.extend((f"{path}.{index}", item) for index, item in enumerate(value))
        elif isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as error:
                where = f"line {value.count(chr(10), 0, error.start) + 1} " if "\n" in value else ""
                raise BadRequestError(422, path, f"{where}holds {value[error.start]!a}, half of a UTF-16 pair, "
                                                 "which is not text: save it as UTF-8") from error


def respond(status: int, body: str = "", content_type: str = JSON_TYPE,
            headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": f"{content_type}; charset=utf-8", **(headers or {})},
            "body": body, "isBase64Encoded": False}


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return respond(status, json.dumps(payload, ensure_ascii=False), JSON_TYPE, headers)


def html_response(status: int, html: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return respond(status, html, "text/html", headers)


def redirect(location: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {"statusCode": 303, "headers": {"Location": location, **(headers or {})}, "body": "",
            "isBase64Encoded": False}


def bad_request(error: BadRequestError, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The 4xx a BadRequestError names, in the same body shape as field errors."""
    return json_response(error.status, error.answer, headers)


def service_unavailable(headers: dict[str, str] | None = None) -> dict[str, Any]:
    return json_response(503, {"message": "The CRM could not store this right now; nothing was saved. "
                                          "Retry with the same Idempotency-Key."},
                         {"Retry-After": "5", **(headers or {})})
