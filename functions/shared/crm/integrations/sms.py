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
