"""API Gateway proxy requests and responses, shared by the public ingress handlers."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from pydantic import ValidationError

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"


class BadRequestError(ValueError):
    """A 4xx the caller can fix: status, the field and the reason."""

    def __init__(self, status: int, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.status, self.field, self.message = status, field, message

    @property
    def answer(self) -> dict[str, Any]:
        """The body every API answers it with: the field errors' shape, the reason's code when it has one."""
        from crm.reasons import field_error

        return field_error_body([field_error(self.field, self.message)])


class NotFoundError(LookupError):
    """404: no such record, or one the caller may not know exists (another rep's)."""


class ConflictError(Exception):
    """409: the record changed or already went further; `body` is what the caller should see (e.g. the fresh card)."""

    def __init__(self, message: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message, self.body = message, body or {}

    @property
    def answer(self) -> dict[str, Any]:
        """The 409's body: why (with the reason's code when it has one) and what the caller should see."""
        from crm.reasons import explained

        return {**explained(self.message), **self.body}


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
        try:
            data = json.loads(self.body or b"null")
        except (ValueError, UnicodeDecodeError) as error:
            raise BadRequestError(400, "body", f"is not valid JSON ({error})") from error
        if not isinstance(data, dict):
            raise BadRequestError(400, "body", "must be a JSON object")
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


def field_error_body(errors: list[dict[str, str]]) -> dict[str, Any]:
    return {"message": "The request has invalid fields.", "errors": errors}


def bad_request(error: BadRequestError, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The 4xx a BadRequestError names, in the same body shape as field errors."""
    return json_response(error.status, error.answer, headers)


def invalid_fields(error: ValidationError) -> dict[str, Any]:
    """422 with every field pydantic refused and the reason."""
    from crm.models.leads import field_errors

    return json_response(422, field_error_body([item.answer() for item in field_errors(error)]))


def service_unavailable(headers: dict[str, str] | None = None) -> dict[str, Any]:
    return json_response(503, {"message": "The CRM could not store this right now; nothing was saved. "
                                          "Retry with the same Idempotency-Key."},
                         {"Retry-After": "5", **(headers or {})})


def still_in_progress() -> dict[str, Any]:
    """The same Idempotency-Key is being handled by another request right now: retry to get its answer."""
    return json_response(409, {"message": "A request with this Idempotency-Key is still in progress; retry shortly "
                                          "to get its result."}, {"Retry-After": "1"})
