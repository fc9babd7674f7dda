"""The board API's OpenAPI 3.1 document, made from the Chalice routes so it cannot drift from them.

Paths and methods come from the app's route table, path parameters from the route paths, summaries from the
views' docstrings, query parameters and request bodies (the pydantic models' JSON schemas) from each route's
RouteDoc, and each route's security from its OAuth scopes (any one will do: one security requirement each).
`python functions/board_api/openapi.py` rewrites docs/openapi.json; a test checks it is current.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DOCUMENT_PATH = HERE.parent.parent / "docs" / "openapi.json"
SCHEMA_REF = "#/components/schemas/{model}"

QUERY_PARAMETERS: dict[str, dict[str, Any]] = {
    "owner": {"description": "Only this user's deals (managers and admins).", "schema": {"type": "string"}},
    "q": {"description": "Text to find. Lists and search: records with a name (a deal's title), company, email or "
                         "phone (any format) beginning with it, two characters at least; the board: deals with it "
                         "in their title or account name.",
          "schema": {"type": "string", "maxLength": 100}},  # crm.domain.search.MAX_QUERY
    "cursor": {"description": "The next_cursor of the previous page.", "schema": {"type": "string"}},
    "pipeline": {"description": "The pipeline (default: sales).", "schema": {"type": "string", "default": "sales"}},
    "due": {"description": "Which open tasks: due today (in the viewer's time zone), overdue, or upcoming.",
            "schema": {"type": "string", "enum": ["today", "overdue", "upcoming"], "default": "today"}},
    "format": {"description": "csv: the answer as a CSV file to download.",
               "schema": {"type": "string", "enum": ["json", "csv"]}},
    "type": {"description": "Only deals of this type.",
             "schema": {"type": "string", "enum": ["new_business", "upsell", "renewal"]}},
    "stalled": {"description": "true: only deals in their stage longer than its max_days_in_stage.",
                "schema": {"type": "boolean"}},
    "overdue": {"description": "true: only deals whose next task was due in the past.", "schema": {"type": "boolean"}},
    "closing": {"description": "Only deals expected to close: before today (overdue), this month, next month, this "
                               "quarter, or with no date (none).",
                "schema": {"type": "string", "enum": ["overdue", "this_month", "next_month", "this_quarter", "none"]}},
    "phone": {"description": "A phone number in any format; a national one is read in the deployment's region.",
              "schema": {"type": "string", "maxLength": 64}},
    "limit": {"description": "Rows per page (when absent, the route's own: 25 most often).",
              "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
}
REASON_PROPERTIES: dict[str, Any] = {
    "message": {"type": "string", "description": "Why, in English."},
    "code": {"type": "string", "description": "A stable code for why (crm/reasons.py, or pydantic's error type), "
                                              "for clients that word it in the user's language."},
    "params": {"type": "object", "description": "The values the message names, by placeholder."},
}
ERROR_SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {"type": "object", "required": ["message"], "properties": REASON_PROPERTIES},
    "FieldErrors": {
        "type": "object", "required": ["message", "errors"],
        "properties": {
            "message": {"type": "string"},
            "errors": {"type": "array", "items": {
                "type": "object", "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, **REASON_PROPERTIES}}},
        },
    },
    "Conflict": {
        "type": "object", "required": ["message"],
        "properties": REASON_PROPERTIES, "additionalProperties": True,
        "description": "The record already went further; what the caller should see instead (e.g. an import's "
                       "status) comes beside the reason.",
    },
    "StaleDeal": {
        "type": "object", "required": ["message", "deal"],
        "properties": {**REASON_PROPERTIES,
                       "deal": {"type": "object", "description": "The deal's card as it is now."}},
    },
}
# query parameters naming a record: unknown (or, to a rep, another rep's) is a 404 like a path's
RECORD_QUERY = frozenset({"owner", "pipeline"})
CONFLICTS = {"Conflict": "The record already went further (e.g. an import started), or this was done already.",
             "StaleDeal": "The deal changed meanwhile: its fresh card."}
STATUS_TEXT = {200: "OK", 201: "Created", 202: "Accepted: a job was started (GET /api/jobs/{job_id} follows it)"}
ANY_TEXT: dict[str, Any] = {"description": "A filter: only records with this value.", "schema": {"type": "string"}}
BEARER = {"bearerAuth": {
    "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
    "description": "A Cognito access token of the CRM's user pool holding one of the route's scopes: a person's from "
                   "the site's sign-in (scope openid; locally POST /local/token), an integration's from the OAuth "
                   "client credentials grant at the user pool domain's /oauth2/token (crm/* scopes; locally POST "
                   "/local/oauth2/token)."}}


def _reply(description: str, schema: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": SCHEMA_REF.format(model=schema)}}}}


def _responses(entry: Any, doc: Any) -> dict[str, Any]:
    content = {media: {"schema": {} if media == "application/json" else {"type": "string"}} for media in doc.produces}
    responses: dict[str, Any] = {str(status): {"description": STATUS_TEXT[status], "content": content}
                                 for status in sorted((doc.status, *doc.also))}
    if doc.body:
        responses["400"] = _reply("The body is not a JSON object.", "FieldErrors")
    if entry.authorizer is not None:
        responses["401"] = _reply("No valid access token.", "Error")
        responses["403"] = _reply("Not an active user, a role that may not do this, or a token without the route's "
                                  "scope.", "Error")
    if entry.view_args or RECORD_QUERY.intersection(doc.query):
        responses["404"] = _reply("Unknown, or another rep's record (in the path, or the query's "
                                  f"{' or '.join(sorted(RECORD_QUERY))}).", "Error")
    if doc.conflict:
        responses["409"] = _reply(CONFLICTS[doc.conflict], doc.conflict)
    if doc.body:
        responses["413"] = _reply("Too large: a body over API Gateway's 10 MB, or a file over the import's limits "
                                  "(its field named).", "Error")
    if doc.body or doc.query:
        responses["422"] = _reply("Invalid fields or query parameters, each named.", "FieldErrors")
    responses["503"] = _reply("Storage unavailable; nothing changed.", "Error")
    return responses


def _body_schema(model_path: str, schemas: dict[str, Any]) -> dict[str, Any]:
    """A $ref to the model's schema, which goes into `schemas` with the models it nests."""
    module_name, _, model_name = model_path.partition(":")
    schema = getattr(importlib.import_module(module_name), model_name).model_json_schema(ref_template=SCHEMA_REF)
    schemas.update(schema.pop("$defs", {}))
    schemas[model_name] = schema
    return {"$ref": SCHEMA_REF.format(model=model_name)}


def _query_parameter(name: str) -> dict[str, Any]:
    """A blank value is read as no value (routing.query: an empty filter field sends name=), which the document says
    where a blank is not a value of the parameter's schema anyway (a choice, a number, a flag)."""
    described = QUERY_PARAMETERS.get(name, ANY_TEXT)
    schema = described["schema"]
    blank = {"allowEmptyValue": True} if "enum" in schema or schema["type"] != "string" else {}
    return {"name": name, "in": "query", "required": False, **blank, **described}


def _operation(entry: Any, schemas: dict[str, Any]) -> dict[str, Any]:
    view = entry.view_function
    doc = view.route_doc
    summary, _, description = (view.__doc__ or "").strip().partition("\n")
    operation: dict[str, Any] = {"operationId": entry.view_name, "summary": summary.strip()}
    if description.strip():
        operation["description"] = " ".join(description.split())
    parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in entry.view_args]
    parameters += [_query_parameter(name) for name in doc.query]
    if parameters:
        operation["parameters"] = parameters
    if doc.body:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": _body_schema(doc.body, schemas)}}}
    operation["responses"] = _responses(entry, doc)
    operation["security"] = [{"bearerAuth": [scope]} for scope in entry.authorizer.scopes] \
        if entry.authorizer is not None else []
    return operation


def document(app: Any) -> dict[str, Any]:
    """The OpenAPI document of a Chalice app whose routes were registered with app.route (RouteDoc on each view)."""
    schemas: dict[str, Any] = dict(ERROR_SCHEMAS)
    paths = {path: {method.lower(): _operation(entry, schemas) for method, entry in sorted(methods.items())}
             for path, methods in sorted(app.routes.items())}
    return {
        "openapi": "3.1.0",
        "info": {"title": "CRM board API", "version": "1",
                 "description": "The signed-in users' CRM: pipelines and the kanban board, records and their "
                                "timelines, tasks, lists, import and export, home. Every route needs a Cognito "
                                "access token with one of its scopes: people sign in on the site (openid, every "
                                "route; a rep sees only their own records), integrations use OAuth client "
                                "credentials (a crm/* scope, on the routes that name it)."},
        # relative to where this document is served ({base}/api/openapi.json): the stage URL, or the local runner
        "servers": [{"url": "..", "description": "The API this document is served by"}],
        "paths": paths,
        "components": {"schemas": dict(sorted(schemas.items())), "securitySchemes": BEARER},
    }


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Rewrites docs/openapi.json from the app in this folder."""
    sys.path[:0] = [str(HERE), str(HERE.parent / "shared")]
    from app import app

    DOCUMENT_PATH.parent.mkdir(exist_ok=True)
    DOCUMENT_PATH.write_text(render(document(app)), encoding="utf-8")
    print(f"wrote {DOCUMENT_PATH}")


if __name__ == "__main__":
    main()
