"""A CSV import job, kept under one partition: the job, its file's rows in chunks, and one result per row.

`IMPORT#<id>`: `IMPORT` (the job: its mapping, cursor and counts), `CHUNK#00000`... (rows as parsed, each chunk
well under the 400 KB item limit) and `ROW#000002`... (what became of each row, keyed by its row number so a
retried chunk finds what was already done). A rep's imports are listed by GSI1 `OWNER#<user>#IMPORTS`.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute

from crm.data.table import CrmItem

ROWS_PER_CHUNK = 25  # one POST /next imports one chunk: about a second of intake writes


class FileJSONAttribute(JSONAttribute):
    """The file's text kept as UTF-8 JSON, not \\u escapes: a Greek or Persian cell counts its own bytes toward the
    400 KB item limit, not three times as many, as the import's limits measure it (csv_import.stored_bytes)."""

    def serialize(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)


def import_pk(import_id: str) -> str:
    return f"IMPORT#{import_id}"


class ImportJobItem(CrmItem, discriminator="ImportJob"):
    """Where an import stands; `next_chunk` only moves forward, by a conditional update."""

    import_id = UnicodeAttribute()
    importer_id = UnicodeAttribute()  # who uploaded the file: who may see the job
    import_kind = UnicodeAttribute()  # "leads" or "contacts" (`kind` is every item's entity name)
    file_name = UnicodeAttribute()
    columns = FileJSONAttribute()
    suggested_mapping = FileJSONAttribute()
    mapping = FileJSONAttribute(null=True)  # set (and changeable) until the first chunk is imported
    owner_id = UnicodeAttribute(null=True)  # who gets the rows; none with round-robin assignment
    round_robin = BooleanAttribute(default=False)
    start_automation = BooleanAttribute(default=False)
    total_rows = NumberAttribute()
    chunk_count = NumberAttribute()
    next_chunk = NumberAttribute(default=0)
    claimed_until = UnicodeAttribute(null=True)  # a chunk being imported: others wait until then
    counts = JSONAttribute(default=dict)  # outcome -> rows
    status = UnicodeAttribute()  # uploaded, mapped, importing, finished
    created_at = UnicodeAttribute()
    finished_at = UnicodeAttribute(null=True)

    @classmethod
    def key(cls, import_id: str) -> tuple[str, str]:
        return import_pk(import_id), "IMPORT"

    @staticmethod
    def importer_keys(importer_id: str, created_at: str) -> dict[str, str]:
        return {"GSI1PK": f"OWNER#{importer_id}#IMPORTS", "GSI1SK": created_at}


class ImportChunkItem(CrmItem, discriminator="ImportChunk"):
    """Up to ROWS_PER_CHUNK parsed rows: [[row number, [cells]], ...]."""

    rows = FileJSONAttribute()

    @classmethod
    def key(cls, import_id: str, chunk: int) -> tuple[str, str]:
        return import_pk(import_id), f"CHUNK#{chunk:05d}"


class ImportRowItem(CrmItem, discriminator="ImportRow"):
    """What became of one row; written once (`PK does not exist`), so a retry keeps the first result."""

    row = NumberAttribute()
    outcome = UnicodeAttribute()  # created, merged, invalid, skipped
    record_kind = UnicodeAttribute(null=True)  # lead or contact
    record_id = UnicodeAttribute(null=True)
    record_owner_id = UnicodeAttribute(null=True)
    account_id = UnicodeAttribute(null=True)
    errors = JSONAttribute(default=list)  # [{"field", "message"}]

    @staticmethod
    def sort_key(row: int) -> str:
        return f"ROW#{row:06d}"


class ContactKeyItem(CrmItem, discriminator="ContactKey"):
    """An imported contact's email or phone, unique like a lead's contact point, so a contact is imported once.

    Contacts made by converting a lead are found through the lead's own contact points instead.
    """

    contact_id = UnicodeAttribute()

    @staticmethod
    def email_pk(email: str) -> str:
        return f"CONTACT_EMAIL#{email}"

    @staticmethod
    def phone_pk(phone: str) -> str:
        return f"CONTACT_PHONE#{phone}"

    @classmethod
    def build(cls, pk: str, contact_id: str) -> ContactKeyItem:
        return cls(pk, "CONTACT_KEY", contact_id=contact_id)


def get_job(import_id: str) -> ImportJobItem | None:
    try:
        return ImportJobItem.get(*ImportJobItem.key(import_id), consistent_read=True)
    except ImportJobItem.DoesNotExist:
        return None


def get_chunk(import_id: str, chunk: int) -> list[tuple[int, list[str]]]:
    item = ImportChunkItem.get(*ImportChunkItem.key(import_id, chunk), consistent_read=True)
    return [(number, cells) for number, cells in item.rows]


def row_results(import_id: str, first_row: int = 0, last_row: int = 999_999) -> list[ImportRowItem]:
    """The rows' results in row order, between two row numbers (inclusive)."""
    condition = ImportRowItem.SK.between(ImportRowItem.sort_key(first_row), ImportRowItem.sort_key(last_row))
    return list(ImportRowItem.query(import_pk(import_id), condition, consistent_read=True))


def contact_key_owners(email: str | None, phone: str | None) -> dict[str, str]:
    """Which imported contact holds this email and this phone (key -> contact id): one BatchGet."""
    keys = [(pk, "CONTACT_KEY") for pk in (ContactKeyItem.email_pk(email) if email else None,
                                             ContactKeyItem.phone_pk(phone) if phone else None) if pk]
    return {item.PK: item.contact_id for item in ContactKeyItem.batch_get(keys, consistent_read=True)}
