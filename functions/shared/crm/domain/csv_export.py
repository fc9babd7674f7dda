"""A list as a CSV file that Excel and LibreOffice open safely (D3): UTF-8 with a BOM, one header row.

A cell that starts with = + - @ (or a tab or carriage return) is a formula to a spreadsheet, and data typed into a
web form by anyone could run there ("CSV injection"); such cells get a leading apostrophe, which spreadsheets
show as text and do not evaluate.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> str:
    """The cell's text, made inert if a spreadsheet would read it as a formula; None is an empty cell."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """The header row `columns`, then each row's values in that order (missing ones empty), CRLF line ends."""
    return BOM + _lines([columns]) + csv_rows(columns, rows)


def csv_rows(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """Just the rows' lines, for a file written a part at a time (the first part starts with csv_text's header)."""
    return _lines([neutralise(row.get(column)) for column in columns] for row in rows)


def _lines(cells: Iterable[Sequence[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(cells)
    return out.getvalue()


def export_filename(kind: str, day: date) -> str:
    """e.g. leads-2030-01-31.csv: dated, so exports taken on different days do not overwrite each other."""
    return f"{kind}-{day.isoformat()}.csv"


def attachment_disposition(filename: str) -> str:
    return f'attachment; filename="{filename}"'
