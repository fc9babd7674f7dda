"""Email through SES v2 as raw MIME: a text and an HTML part, our own headers, the configuration set."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Protocol

from botocore.exceptions import ClientError

from crm.integrations.aws import client
from crm.settings import get_settings


class EmailContent(Protocol):
    subject: str
    html: str
    text: str


# SES's answers that refuse this one message or its recipient (an address it cannot send to): a retry would get the
# same answer. Throttling, a paused account or a missing configuration set are not the recipient's doing.
_REFUSALS = frozenset({"BadRequestException", "MessageRejected", "InvalidParameterValue"})


class UnsendableEmailError(ValueError):
    """This email cannot go to this recipient, now or on a retry: a header cannot be written (a line break in the
    name or the subject), or SES refused the message or the address. Nothing was sent."""


# Python's folding of long non-ASCII headers drops the space between encoded words ("GmbH) – x" reads
# "GmbH)– x"); RFC 5322 allows 998-character lines, so headers are kept on one line instead.
_POLICY = policy.default.clone(max_line_length=998)


def build_message(sender: str, to: str, content: EmailContent, *, to_name: str | None = None,
                  headers: dict[str, str] | None = None) -> EmailMessage:
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender
    message["To"] = formataddr((to_name, to)) if to_name else to
    message["Subject"] = content.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    for name, value in (headers or {}).items():
        message[name] = value
    # quoted-printable keeps every line 7-bit, whatever the language: safe through any relay or parser
    message.set_content(content.text, cte="quoted-printable")
    message.add_alternative(content.html, subtype="html", cte="quoted-printable")
    return message


def send_email(to: str, content: EmailContent, *, to_name: str | None = None,
               headers: dict[str, str] | None = None, tags: dict[str, str] | None = None) -> str:
    """Send one email; returns the SES message id. Tags come back on the email's SES events.

    UnsendableEmailError when this email can never go out as it is; other errors (throttling, outages) may pass.
    """
    settings = get_settings()
    try:  # the email package refuses CR and LF in a header value, which would start a header of its own
        raw = build_message(settings.sender_address, to, content, to_name=to_name, headers=headers).as_bytes()
    except ValueError as error:
        raise UnsendableEmailError(f"the message cannot be written: {error}") from error
    request: dict = {
        "FromEmailAddress": settings.sender_address,
        "Destination": {"ToAddresses": [to]},
        "Content": {"Raw": {"Data": raw}},
    }
    if settings.ses_configuration_set:
        request["ConfigurationSetName"] = settings.ses_configuration_set
    if tags:
        request["EmailTags"] = [{"Name": name, "Value": value} for name, value in tags.items()]
    try:
        return client("sesv2").send_email(**request)["MessageId"]
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in _REFUSALS:
            raise UnsendableEmailError(f"SES refused it: {code}") from error
        raise
