"""What the import page sends: the file, then the column mapping and its options."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from crm.domain.csv_import import MAX_COLUMNS
from crm.reasons import invalid

ImportKind = Literal["leads", "contacts"]


class ImportUpload(BaseModel):
    """POST /api/imports: the file's text as the browser read it (its size is checked by the parser)."""

    model_config = ConfigDict(extra="forbid")

    kind: ImportKind
    file_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]
    csv: str


class ImportMapping(BaseModel):
    """PUT /api/imports/{id}/mapping: which CRM field each column fills (null: not imported), and who gets the rows.

    `owner_id` (managers and admins) gives every row to that user; `round_robin` (leads, managers and admins) assigns
    each new lead by the form's routing rules instead. `start_automation` (leads) starts each new lead's follow-up
    workflow (speed-to-lead SMS, nurture email): off by default, because a bought or old list should not get it.
    """

    model_config = ConfigDict(extra="forbid")

    mapping: Annotated[dict[str, Annotated[str, StringConstraints(max_length=64)] | None],
                       Field(max_length=MAX_COLUMNS)]  # a file has no more columns
    owner_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)] | None = None
    round_robin: bool = False
    start_automation: bool = False

    @model_validator(mode="after")
    def _one_way_to_assign(self) -> ImportMapping:
        if self.owner_id and self.round_robin:
            raise invalid("owner_or_round_robin", about="owner_id")
        return self

