"""Email templates kept as config items (SK `EMAIL_TEMPLATE#<id>`, falling back to the built-in defaults), and
the claims that let a mass email send a template to a record once per batch."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from crm.data.config import CONFIG_PK, ConfigItem
from crm.data.table import CrmItem
from crm.domain.email_templates import DEFAULT_TEMPLATES, EmailTemplate

_PREFIX = "EMAIL_TEMPLATE#"


def email_templates() -> dict[str, EmailTemplate]:
    """Every template by id: the defaults, replaced by what admins saved; one query."""
    stored = {item.SK.removeprefix(_PREFIX): EmailTemplate.model_validate(item.document)
              for item in ConfigItem.query(CONFIG_PK, ConfigItem.SK.startswith(_PREFIX))}
    return {**DEFAULT_TEMPLATES, **stored}


def email_template(template_id: str) -> EmailTemplate | None:
    try:
        return EmailTemplate.model_validate(ConfigItem.get(CONFIG_PK, f"{_PREFIX}{template_id}").document)
    except ConfigItem.DoesNotExist:
        return DEFAULT_TEMPLATES.get(template_id)


def save_email_template(template_id: str, template: EmailTemplate, by: str, at: str) -> None:
    ConfigItem.build(f"{_PREFIX}{template_id}", template.model_dump(mode="json"), at, by).save()


class TemplateSendItem(CrmItem, discriminator="TemplateSend"):
    """One per (batch, record): put only if absent before sending, then it keeps what was sent."""

    claimed_at = UnicodeAttribute()
    message_id = UnicodeAttribute(null=True)
    to = UnicodeAttribute(null=True)
    subject = UnicodeAttribute(null=True)

    @classmethod
    def key(cls, batch_id: str, kind: str, record_id: str) -> tuple[str, str]:
        return f"BATCH#{batch_id}", f"SEND#{kind}#{record_id}"


def claim_send(batch_id: str, kind: str, record_id: str, at: str) -> TemplateSendItem | None:
    """The new claim, or None when this batch already sent (or is sending) to the record."""
    from pynamodb.exceptions import PutError

    claim = TemplateSendItem(*TemplateSendItem.key(batch_id, kind, record_id), claimed_at=at)
    try:
        claim.save(condition=TemplateSendItem.PK.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return None
        raise
    return claim


def release_send(claim: TemplateSendItem) -> None:
    """Gives a claim back when its email surely did not go out (SES refused it), so a retry may send it."""
    claim.delete(condition=TemplateSendItem.message_id.does_not_exist())


def sent_by_batch(batch_id: str, kind: str, record_id: str) -> TemplateSendItem:
    return TemplateSendItem.get(*TemplateSendItem.key(batch_id, kind, record_id), consistent_read=True)
