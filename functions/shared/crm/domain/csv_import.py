"""CSV import rules, without storage: reading the file, suggesting a column mapping, checking it, validating rows.

A row becomes the same LeadSubmission a web form posts (source "import" unless a column gives one), so an imported
person is validated and normalized exactly like one who filled in the form: one name, an email or a phone, the same
email and phone keys.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from crm.errors import InvalidError, TooLargeError
from crm.models.lead_fields import fields_where
from crm.models.leads import FieldError, LeadSubmission, field_errors
from crm.reasons import Reason

# Limits checked while the file is read, before anything is stored: each refusal names its limit (413 or 422)
MAX_BYTES = 2_000_000  # the file's UTF-8 size: well inside API Gateway's 10 MB and Lambda's 6 MB payloads
MAX_ROWS = 5000
MAX_COLUMNS = 200  # the job item keeps the columns, the suggested mapping and the mapping (60,000 broke 400 KB)
MAX_HEADER_BYTES = 20_000  # the header row as stored: the job item stays far below DynamoDB's 400 KB
MAX_ROW_BYTES = 12_000  # a row as stored: a chunk of ROWS_PER_CHUNK (25) rows stays below 400 KB
DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Field:
    """A CRM field a column can fill; `alternatives`: a required field is satisfied by any of them instead."""

    name: str
    required: bool = False
    alternatives: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.name, "required": self.required, "alternatives": list(self.alternatives)}


# The submission's own rule: a name (or its parts), and an email or a phone.
_REQUIRED: dict[str, tuple[str, ...]] = {"name": ("first_name", "last_name"), "email": ("phone",),
                                         "phone": ("email",)}
_NAME_PARTS = (Field("first_name"), Field("last_name"))  # columns that make up the name, not fields of their own


def _lead_fields() -> tuple[Field, ...]:
    """The lead's importable fields (crm.models.lead_fields), the name's parts right after the name."""
    fields: list[Field] = []
    for declared in fields_where(importable=True):
        fields.append(Field(declared.name, declared.name in _REQUIRED, _REQUIRED.get(declared.name, ())))
        if declared.name == "name":
            fields += _NAME_PARTS
    return tuple(fields)


_CONTACT_FIELDS = ("name", "first_name", "last_name", "email", "phone", "company", "role", "language", "timezone")
FIELDS: dict[str, tuple[Field, ...]] = {"leads": _lead_fields()}
FIELDS["contacts"] = tuple(field for field in FIELDS["leads"] if field.name in _CONTACT_FIELDS)

# Header names people use, in the CRM's languages (en, de, hu, el, fa), compared after _header_key
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("name", "full name", "contact name", "contact", "person", "vollständiger name", "kontakt", "név",
             "teljes név", "ονοματεπώνυμο", "πλήρες όνομα", "نام کامل", "نام و نام خانوادگی"),
    "first_name": ("first name", "firstname", "given name", "forename", "vorname", "keresztnév", "utónév", "όνομα",
                   "نام"),
    "last_name": ("last name", "lastname", "surname", "family name", "nachname", "familienname", "vezetéknév",
                  "családnév", "επώνυμο", "نام خانوادگی"),
    "email": ("email", "e-mail", "email address", "e-mail address", "mail", "e-mail-adresse", "emailadresse",
              "e-mail cím", "email cím", "ηλεκτρονικό ταχυδρομείο", "διεύθυνση email", "ایمیل",
              "پست الکترونیکی", "آدرس ایمیل"),
    "phone": ("phone", "phone number", "telephone", "tel", "mobile", "mobile phone", "cell", "telefon",
              "telefonnummer", "handy", "mobil", "mobilnummer", "telefonszám", "mobilszám", "τηλέφωνο", "κινητό",
              "αριθμός τηλεφώνου", "تلفن", "شماره تلفن", "موبایل", "تلفن همراه", "شماره موبایل"),
    "company": ("company", "company name", "organization", "organisation", "account", "account name", "firma",
                "firmenname", "unternehmen", "cég", "cégnév", "vállalat", "εταιρεία", "επωνυμία", "شرکت",
                "نام شرکت", "سازمان"),
    "role": ("role", "title", "job title", "position", "job", "rolle", "funktion", "jobtitel", "beruf",
             "pozíció", "beosztás", "munkakör", "θέση", "ρόλος", "سمت", "عنوان شغلی", "نقش"),
    "language": ("language", "sprache", "nyelv", "γλώσσα", "زبان"),
    "timezone": ("timezone", "time zone", "zeitzone", "időzóna", "ζώνη ώρας", "منطقه زمانی"),
    "industry": ("industry", "sector", "branche", "iparág", "ágazat", "κλάδος", "صنعت"),
    "company_size": ("company size", "employees", "number of employees", "headcount", "size", "mitarbeiter",
                     "mitarbeiterzahl", "unternehmensgröße", "cégméret", "létszám", "μέγεθος εταιρείας",
                     "υπάλληλοι", "اندازه شرکت", "تعداد کارکنان"),
    "country": ("country", "land", "ország", "χώρα", "کشور"),
    "message": ("message", "notes", "note", "comment", "comments", "nachricht", "notiz", "bemerkung", "üzenet",
                "megjegyzés", "μήνυμα", "σημειώσεις", "σχόλια", "پیام", "یادداشت", "توضیحات"),
    "source": ("source", "lead source", "origin", "channel", "quelle", "herkunft", "lead-quelle", "kanal", "forrás",
               "csatorna", "πηγή", "κανάλι", "منبع", "کانال"),
    "referred_by": ("referred by", "referral", "referrer", "empfohlen von", "empfehlung", "ajánló",
                    "ajánlotta", "σύσταση", "συστήθηκε από", "معرف"),
}


def _header_key(header: str) -> str:
    """'E-Mail-Adresse ' and 'email address' alike: case-folded, accents dropped, only letters and digits kept."""
    decomposed = unicodedata.normalize("NFKD", header.casefold())
    return "".join(char for char in decomposed if char.isalnum() and not unicodedata.combining(char))


_FIELD_BY_HEADER = {_header_key(synonym): field for field, synonyms in _SYNONYMS.items() for synonym in synonyms}


@dataclass(frozen=True)
class ParsedCsv:
    """The header's columns (unique names) and the data rows as (spreadsheet row number, cells)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def parse_csv(text: str) -> ParsedCsv:
    """The table in a CSV file: comma, semicolon or tab separated, with or without a UTF-8 BOM, quoted newlines kept.

    Row numbers are the ones a spreadsheet shows (the header is row 1); blank rows are left out. Every limit is
    checked as the file is read, so a hostile file costs no more than reading it once.
    """
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise TooLargeError("csv", Reason("file_too_large", megabytes=MAX_BYTES // 1_000_000))
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InvalidError("csv", Reason("file_empty"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        columns = _columns(next(reader))
        rows = []
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise TooLargeError("csv", Reason("file_too_many_rows", rows=MAX_ROWS))
            padded = [cell.strip() for cell in cells[:len(columns)]] + [""] * (len(columns) - len(cells))
            if stored_bytes(padded) > MAX_ROW_BYTES:
                raise InvalidError("csv", Reason("row_too_long", row=number, size=MAX_ROW_BYTES))
            rows.append((number, tuple(padded)))
    except csv.Error as error:
        raise InvalidError("csv", Reason("file_unreadable", error=str(error))) from error
    if not rows:
        raise InvalidError("csv", Reason("file_no_rows"))
    return ParsedCsv(columns, tuple(rows))


def stored_bytes(value: object) -> int:
    """Its size as the import's items keep it (UTF-8 JSON, crm.data.imports), which DynamoDB counts to 400 KB."""
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


def _columns(header: list[str]) -> tuple[str, ...]:
    """The header's unique column names, once its size is known to fit the job."""
    if len(header) > MAX_COLUMNS:
        raise TooLargeError("csv", Reason("file_too_many_columns", columns=MAX_COLUMNS))
    if stored_bytes(header) > MAX_HEADER_BYTES:
        raise InvalidError("csv", Reason("header_too_long", size=MAX_HEADER_BYTES))
    return unique_columns(header)


def _delimiter(text: str) -> str:
    """The separator the header line uses most (outside quotes): spreadsheets write , or ; by locale, or tabs."""
    header = re.split(r"\r\n|\n|\r", text, maxsplit=1)[0]
    unquoted = re.sub(r'"[^"]*"', "", header)
    return max(DELIMITERS, key=unquoted.count)


def unique_columns(header: list[str]) -> tuple[str, ...]:
    """Column names the mapping can be keyed by: blanks get 'Column 3', repeats 'Email (2)'.

    Linear: names taken are a set, and each name's copy number only grows, so no number is tried twice (searching
    a list from copy 2 each time made 2,000 repeated names take 33 s).
    """
    columns: list[str] = []
    taken: set[str] = set()
    copies: dict[str, int] = {}  # name -> the last copy number tried for it
    for position, raw in enumerate(header, start=1):
        name = raw.strip() or f"Column {position}"
        candidate = name
        while candidate in taken:
            copies[name] = copies.get(name, 1) + 1
            candidate = f"{name} ({copies[name]})"
        taken.add(candidate)
        columns.append(candidate)
    return tuple(columns)


def suggest_mapping(columns: Iterable[str], kind: str) -> dict[str, str | None]:
    """Each column's likely CRM field by its header name; a field is suggested for its first column only."""
    known = {field.name for field in FIELDS[kind]}
    taken: set[str] = set()
    mapping: dict[str, str | None] = {}
    for column in columns:
        field = _FIELD_BY_HEADER.get(_header_key(column))
        if field in known and field not in taken:
            taken.add(field)
            mapping[column] = field
        else:
            mapping[column] = None
    return mapping


def mapping_errors(mapping: dict[str, str | None], columns: Iterable[str], kind: str) -> list[FieldError]:
    """What is wrong with a mapping: unknown columns or fields, a field filled twice, a required field missing."""
    fields = {field.name: field for field in FIELDS[kind]}
    known_columns = set(columns)
    errors = [FieldError.of(f"mapping.{column}", Reason("mapping_not_column"))
              for column in mapping if column not in known_columns]
    errors += [FieldError.of(f"mapping.{column}", Reason("mapping_not_field", field=field, kind=kind))
               for column, field in mapping.items() if field is not None and field not in fields]
    chosen: set[str] = set()
    for column, field in mapping.items():
        if field in fields and field in chosen:
            errors.append(FieldError.of(f"mapping.{column}", Reason("mapping_twice", field=field)))
        chosen.add(field or "")
    missing: dict[frozenset[str], Field] = {}  # email-or-phone is one rule, named after its first field
    for field in fields.values():
        if field.required and not {field.name, *field.alternatives} & chosen:
            missing.setdefault(frozenset((field.name, *field.alternatives)), field)
    for field in missing.values():
        errors.append(FieldError.of(field.name, Reason("mapping_missing",
                                                       fields=" / ".join((field.name, *field.alternatives)))))
    return errors


def row_values(mapping: dict[str, str | None], columns: tuple[str, ...], cells: tuple[str, ...]) -> dict[str, str]:
    """The row as CRM fields: blank cells left out, first and last name joined when no full name is given."""
    position = {column: index for index, column in enumerate(columns)}
    values = {field: cells[position[column]] for column, field in mapping.items()
              if field and column in position and cells[position[column]]}
    first, last = values.pop("first_name", ""), values.pop("last_name", "")
    if not values.get("name") and (first or last):
        values["name"] = f"{first} {last}".strip()
    return values


@dataclass(frozen=True)
class CheckedRow:
    """A row validated: the submission to store, or why not."""

    number: int
    values: dict[str, str]
    submission: LeadSubmission | None
    errors: tuple[FieldError, ...]


def check_row(number: int, values: dict[str, str], default_phone_region: str) -> CheckedRow:
    """Validates a row as the web form validates a lead (contacts keep to the same person fields); its source is the
    mapped column's label, else "import"."""
    try:
        submission = LeadSubmission.model_validate({"source": "import", **values},
                                                   context={"default_phone_region": default_phone_region})
    except ValidationError as error:
        return CheckedRow(number, values, None, tuple(field_errors(error)))
    return CheckedRow(number, values, submission, ())


def person_keys(person: LeadSubmission) -> frozenset[str]:
    """What makes two rows the same person, as the import merges them: the normalized email and phone."""
    return frozenset(key for key in (person.email and f"email:{person.email}", person.phone and f"phone:{person.phone}")
                     if key)
