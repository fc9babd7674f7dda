"""Emails sent to leads, by SES message id: how an SES event (open, click, bounce) finds its lead."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from crm.data.table import CrmItem


class SentEmailItem(CrmItem, discriminator="SentEmail"):
    lead_id = UnicodeAttribute()
    template = UnicodeAttribute()
    subject = UnicodeAttribute()
    sent_at = UnicodeAttribute()
    step = NumberAttribute(null=True)
    opened_at = UnicodeAttribute(null=True)
    clicks = NumberAttribute(default=0)

    @classmethod
    def key(cls, message_id: str) -> tuple[str, str]:
        return f"SES#{message_id}", "MESSAGE"

    @classmethod
    def build(cls, message_id: str, lead_id: str, template: str, subject: str, sent_at: str,
              step: int | None) -> SentEmailItem:
        return cls(*cls.key(message_id), lead_id=lead_id, template=template, subject=subject, sent_at=sent_at,
                   step=step)


def get_sent_email(message_id: str) -> SentEmailItem | None:
    try:
        return SentEmailItem.get(*SentEmailItem.key(message_id))
    except SentEmailItem.DoesNotExist:
        return None
