"""A list as CSV: Excel reads the accents (BOM), the columns keep their order, and no cell runs as a formula."""

import csv
import io
from datetime import date

import pytest

from crm.domain.csv_export import BOM, attachment_disposition, csv_text, export_filename, neutralise


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://evil\")", "+49 30 901820", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_evaluate_is_made_text(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize(("value", "text"), [("Béla Kovács", "Béla Kovács"), (None, ""), (42, "42"),
                                             ("a=b", "a=b"), ("", "")])
def test_ordinary_cells_are_kept_as_they_are(value, text):
    assert neutralise(value) == text


def test_the_file_starts_with_a_bom_then_the_header_and_one_line_per_row_in_column_order():
    # Given rows with accents, a comma, a quote, a newline, a missing value and a formula
    rows = [{"name": "Jonas Weber", "company": "Weber, \"GmbH\"", "email": "jonas@example.de"},
            {"name": "Zoë\nSmith", "email": "=cmd|' /C calc'!A0"}]
    # When they are written as CSV
    text = csv_text(["name", "company", "email"], rows)
    # Then Excel sees UTF-8 (BOM), and a CSV reader gets back exactly the cells, the formula made inert
    assert text.startswith(BOM) and text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text.removeprefix(BOM)))) == [
        ["name", "company", "email"],
        ["Jonas Weber", "Weber, \"GmbH\"", "jonas@example.de"],
        ["Zoë\nSmith", "", "'=cmd|' /C calc'!A0"],
    ]


def test_an_empty_list_is_just_the_header():
    assert csv_text(["id", "name"], []) == BOM + "id,name\r\n"


def test_the_file_is_an_attachment_named_for_the_list_and_the_day():
    name = export_filename("leads", date(2030, 1, 31))
    assert name == "leads-2030-01-31.csv"
    assert attachment_disposition(name) == 'attachment; filename="leads-2030-01-31.csv"'
