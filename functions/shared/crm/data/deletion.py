"""Leads flagged "please delete" (L9), waiting for an admin's decision."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from crm.data.table import CrmItem


class DeletionRequestItem(CrmItem, discriminator="DeletionRequest"):
    """The review queue: one item per pending request, sorted by when it was made; the lead holds the details."""

    lead_id = UnicodeAttribute()

    PARTITION = "DELETION_REQUESTS"

    @classmethod
    def build(cls, lead_id: str, requested_at: str) -> DeletionRequestItem:
        return cls(cls.PARTITION, f"{requested_at}#{lead_id}", lead_id=lead_id)
