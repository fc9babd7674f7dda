"""Workflows on status change (L11): entering a status may send the lead an email and/or SMS, after a delay."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from crm.domain.follow_up import STATUSES
from crm.reasons import invalid

LEAD_STATUS_TEMPLATES = ("lead_status_attempting", "lead_status_contacted", "lead_status_not_interested")
LeadStatusTemplate = Literal[LEAD_STATUS_TEMPLATES]  # type: ignore[valid-type]


class StatusRule(BaseModel):
    """What entering `status` sends to the lead; the template names the email and, with `sms`, its SMS."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: Literal[STATUSES]  # type: ignore[valid-type]
    template: LeadStatusTemplate
    email: bool = True
    sms: bool = False
    delay_minutes: int = Field(0, ge=0, le=60 * 24 * 90)
    active: bool = True

    @model_validator(mode="after")
    def _some_channel(self) -> StatusRule:
        if not (self.email or self.sms):
            raise invalid("status_rule_channel")
        return self


# "we tried to reach you" two hours after a person's first unanswered attempt (skipped if the rep got through or
# the lead was promoted by then); a friendly goodbye a day after the lead is marked not interested. A status that
# automation set starts none: each of these tells the lead what a person did (crm.services.status_messages).
DEFAULT_STATUS_RULES = (
    StatusRule(status="attempting", template="lead_status_attempting", email=True, sms=True, delay_minutes=120),
    StatusRule(status="not_interested", template="lead_status_not_interested", email=True, delay_minutes=24 * 60),
)


def rules_for(status: str, rules: tuple[StatusRule, ...] | list[StatusRule]) -> list[StatusRule]:
    return [rule for rule in rules if rule.status == status and rule.active]
