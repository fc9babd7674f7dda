"""SMS through SNS direct publish (transactional: notifications to staff)."""

from __future__ import annotations

from crm.integrations.aws import client


def send_sms(phone_e164: str, text: str) -> str:
    response = client("sns").publish(
        PhoneNumber=phone_e164,
        Message=text,
        MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
    )
    return response["MessageId"]


def opted_out(phone_e164: str) -> bool:
    """Whether the number replied STOP to our SMS (SNS keeps the opt-out list per account)."""
    return bool(client("sns").check_if_phone_number_is_opted_out(phoneNumber=phone_e164)["isOptedOut"])
