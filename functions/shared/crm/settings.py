"""Settings come from environment variables that template.yaml sets; validated once per process."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, field_validator


class Settings(BaseModel):
    table_name: str = Field(alias="TABLE_NAME")
    idempotency_table_name: str = Field(alias="IDEMPOTENCY_TABLE_NAME")
    idempotency_window_seconds: int = Field(600, alias="IDEMPOTENCY_WINDOW_SECONDS", gt=0)
    lead_lifecycle_arn: str = Field("", alias="LEAD_LIFECYCLE_ARN")
    sender_address: str = Field(alias="SENDER_ADDRESS")
    ses_configuration_set: str = Field("", alias="SES_CONFIGURATION_SET")
    suppression_key_secret: str = Field("", alias="SUPPRESSION_KEY_SECRET")  # the suppression list's HMAC key
    default_phone_region: str = Field("US", alias="DEFAULT_PHONE_REGION", min_length=2, max_length=2)
    sla_minutes: int = Field(20, alias="SLA_MINUTES", gt=0)
    sla_business_hours: str = Field("", alias="SLA_BUSINESS_HOURS")
    sla_timezone: str = Field("UTC", alias="SLA_TIMEZONE")
    max_escalations: int = Field(2, alias="MAX_ESCALATIONS", ge=0)
    allowed_origins: tuple[str, ...] = Field((), alias="ALLOWED_ORIGINS")
    thank_you_url: str = Field("", alias="THANK_YOU_URL")
    board_url: str = Field("", alias="BOARD_URL")
    max_body_bytes: int = Field(16_384, alias="MAX_BODY_BYTES", gt=0)
    clock_speedup: float = Field(1.0, alias="CLOCK_SPEEDUP", ge=1.0)
    max_contact_attempts: int = Field(5, alias="MAX_CONTACT_ATTEMPTS", ge=1)
    score_warm: int = Field(40, alias="SCORE_WARM", ge=0, le=100)
    score_hot: int = Field(70, alias="SCORE_HOT", ge=0, le=100)
    status_message_arn: str = Field("", alias="STATUS_MESSAGE_ARN")
    nurture_silence_limit: int = Field(11, alias="NURTURE_SILENCE_LIMIT", ge=1)
    engagement_threshold: int = Field(6, alias="ENGAGEMENT_THRESHOLD", ge=1)
    marketing_legal_basis: Literal["consent", "legitimate_interest"] = Field("consent",
                                                                             alias="MARKETING_LEGAL_BASIS")
    sender_postal_address: str = Field("", alias="SENDER_POSTAL_ADDRESS")
    public_links_url: str = Field("", alias="PUBLIC_LINKS_URL")
    send_window: str = Field("Mon-Fri 09:00-17:00", alias="SEND_WINDOW")
    user_pool_id: str = Field("", alias="USER_POOL_ID")  # empty locally: the runner plays the user pool
    company_website: str = Field("https://www.example.com", alias="COMPANY_WEBSITE")
    # jobs (crm/services/jobs.py): the queue and the results bucket, and how fast mass email may send
    jobs_queue_url: str = Field("", alias="JOBS_QUEUE_URL")
    job_results_bucket: str = Field("", alias="JOB_RESULTS_BUCKET")
    mass_email_rate: float = Field(1.0, alias="MASS_EMAIL_RATE", gt=0)  # emails per second, all workers together
    job_concurrency: int = Field(2, alias="JOB_CONCURRENCY", ge=1)  # workers at once (the event source's maximum)
    # telephony (T1-T5): an unknown caller becomes a lead and an Unsorted deal unless this is off
    calls_create_leads: bool = Field(True, alias="CALLS_CREATE_LEADS")
    telephony_secret: str = Field("", alias="TELEPHONY_SECRET")
    telephony_public_url: str = Field("", alias="TELEPHONY_PUBLIC_URL")  # the webhooks' base, as providers call it
    recordings_queue_url: str = Field("", alias="RECORDINGS_QUEUE_URL")
    recordings_bucket: str = Field("", alias="RECORDINGS_BUCKET")
    job_max_receives: int = Field(3, alias="JOB_MAX_RECEIVES", ge=1)  # the queue's redrive maxReceiveCount

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(origin.strip().rstrip("/") for origin in value.split(",") if origin.strip())
        return value

    @field_validator("default_phone_region")
    @classmethod
    def _upper_region(cls, value: str) -> str:
        return value.upper()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.model_validate(dict(os.environ))
