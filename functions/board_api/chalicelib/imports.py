"""CSV import of leads and contacts: upload, column mapping with a preview, chunked import, per-row report."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.routing import Routes, query

if TYPE_CHECKING:
    from crm.data.people import UserItem

routes = Routes(__name__)


@routes("/api/imports", "POST", status=201, body="crm.models.imports:ImportUpload")
def upload_import(viewer: UserItem, upload: Any) -> dict[str, Any]:
    """Uploads a CSV file's text: answers its columns, a suggested mapping, the first rows and the CRM's fields."""
    from crm.clock import utcnow
    from crm.services import csv_import

    return csv_import.start_import(upload, viewer, utcnow())


@routes("/api/imports/{import_id}/mapping", "PUT", body="crm.models.imports:ImportMapping", conflict="Conflict")
def map_import(viewer: UserItem, change: Any, import_id: str) -> dict[str, Any]:
    """Sets which field each column fills and who gets the rows; answers the first rows as they would be stored."""
    from crm.services import csv_import

    return csv_import.set_mapping(import_id, change, viewer)


@routes("/api/imports/{import_id}/next", "POST", conflict="Conflict")
def import_next_chunk(viewer: UserItem, import_id: str) -> dict[str, Any]:
    """Imports the next chunk of rows (duplicates become touches); safe to retry, never imports a row twice."""
    from crm.clock import utcnow
    from crm.services import csv_import

    return csv_import.import_next(import_id, viewer, utcnow())


@routes("/api/imports/{import_id}")
def get_import(viewer: UserItem, import_id: str) -> dict[str, Any]:
    """An import's status and counts."""
    from crm.services import csv_import

    return csv_import.import_status(import_id, viewer)


@routes("/api/imports/{import_id}/report", query=("format",), produces=("application/json", "text/csv"))
def get_import_report(viewer: UserItem, import_id: str) -> dict[str, Any] | Response:
    """Every row's result (created, merged as a touch, invalid with reasons); ?format=csv downloads it."""
    from crm.services import csv_import

    report_format = query("format")
    if report_format not in (None, "json", "csv"):
        from crm.errors import InvalidError
        from crm.reasons import Reason

        raise InvalidError("format", Reason("one_of", choices="json, csv"))
    report = csv_import.import_report(import_id, viewer)
    if report_format != "csv":
        return report
    name = report["file_name"].rsplit(".", 1)[0] or "import"
    return Response(body=csv_import.report_csv(report), status_code=200, headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{_ascii(name)}-report.csv"'})


def _ascii(name: str) -> str:
    """A file name safe inside a header's quotes."""
    return "".join(char if char.isascii() and (char.isalnum() or char in "-_ ") else "_" for char in name)[:100]
