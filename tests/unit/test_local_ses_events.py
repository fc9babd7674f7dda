"""The SES open/click events the local outbox makes, in the shape SES publishes them and SNS delivers them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from moto.ses.models import RawMessage

from crm.integrations.email import build_message
from local.outbox import SentEmail, parse_raw_email
from local.ses_events import email_event_targets, ses_event, sns_lambda_event
from local.template import Resolver, function_specs, load_template

SES_MESSAGE_ID = "0100018f-aaaa-bbbb-cccc-000000000001-000000"
OPENED_AT = datetime(2026, 3, 2, 12, 0, 30, 123000, tzinfo=UTC)
TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:EmailEventsTopic"
HTML = ('<p>Hi Ada, <a href="https://www.example.com/pricing">see our prices</a>, '
        '<a href="mailto:rep@example.com">write to me</a>, <a href="https://www.example.com/pricing">again</a> or '
        '<a href="http://127.0.0.1:8000/unsubscribe?lead=L1&amp;token=t">unsubscribe</a>.</p>')


@dataclass
class Content:
    subject: str = "Your question about pricing"
    html: str = HTML
    text: str = "Hi Ada, see https://www.example.com/pricing"


def sent_email() -> SentEmail:
    mime = build_message("crm@example.com", "ada@example.com", Content(), to_name="Ada Lovelace",
                         headers={"X-Crm-Lead-Id": "L1"})
    return parse_raw_email(RawMessage(SES_MESSAGE_ID, "crm@example.com", ["ada@example.com"], mime.as_string()))


def assert_iso_utc(text: str) -> datetime:
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_the_outbox_reads_the_lead_and_the_clickable_links_from_the_mime_message() -> None:
    sent = sent_email()

    assert sent.lead_id == "L1"
    assert sent.links == ("https://www.example.com/pricing", "http://127.0.0.1:8000/unsubscribe?lead=L1&token=t")
    assert sent.entry()["links"] == list(sent.links)


def test_an_open_event_has_the_shape_ses_publishes() -> None:
    sent = sent_email()

    event = ses_event(sent, "open", OPENED_AT, configuration_set="crm-local-crm",
                      tags={"lead_id": "L1", "template": "nurture_1"}, ip_address="192.0.2.1",
                      user_agent="Mozilla/5.0")

    assert event["eventType"] == "Open"
    assert "click" not in event
    assert event["open"] == {"ipAddress": "192.0.2.1", "timestamp": "2026-03-02T12:00:30.123Z",
                             "userAgent": "Mozilla/5.0"}
    mail = event["mail"]
    assert mail["messageId"] == SES_MESSAGE_ID
    assert assert_iso_utc(mail["timestamp"]) == sent.sent_at
    assert mail["source"] == "crm@example.com"
    assert mail["sourceArn"] == "arn:aws:ses:us-east-1:123456789012:identity/crm@example.com"
    assert mail["sendingAccountId"] == "123456789012"
    assert mail["destination"] == ["ada@example.com"]
    assert mail["headersTruncated"] is False
    assert {"name": "X-Crm-Lead-Id", "value": "L1"} in mail["headers"]
    assert mail["commonHeaders"]["from"] == ["crm@example.com"]
    assert mail["commonHeaders"]["to"] == ["Ada Lovelace <ada@example.com>"]
    assert mail["commonHeaders"]["subject"] == "Your question about pricing"
    assert mail["commonHeaders"]["messageId"] == sent.header("Message-ID")
    assert mail["tags"]["ses:configuration-set"] == ["crm-local-crm"]
    assert mail["tags"]["lead_id"] == ["L1"]
    assert mail["tags"]["template"] == ["nurture_1"]


def test_a_click_event_names_the_link() -> None:
    event = ses_event(sent_email(), "click", OPENED_AT, link="https://www.example.com/pricing")

    assert event["eventType"] == "Click"
    assert "open" not in event
    click = event["click"]
    assert click["link"] == "https://www.example.com/pricing"
    assert click["linkTags"] == {}
    assert assert_iso_utc(click["timestamp"]) == OPENED_AT
    assert {"ipAddress", "userAgent"} <= set(click)
    assert event["mail"]["messageId"] == SES_MESSAGE_ID


def test_the_sns_envelope_carries_the_ses_event_as_a_json_string() -> None:
    event = ses_event(sent_email(), "open", OPENED_AT)

    lambda_event = sns_lambda_event(event, TOPIC_ARN, OPENED_AT)

    (record,) = lambda_event["Records"]
    assert record["EventSource"] == "aws:sns"
    assert record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"].startswith(f"{TOPIC_ARN}:")
    sns = record["Sns"]
    assert sns["Type"] == "Notification"
    assert sns["TopicArn"] == TOPIC_ARN
    assert sns["Subject"] is None
    assert sns["SignatureVersion"] == "1"
    assert sns["MessageId"]
    assert assert_iso_utc(sns["Timestamp"]) == OPENED_AT
    assert isinstance(sns["Message"], str)
    assert json.loads(sns["Message"]) == event


def test_the_template_sends_open_and_click_events_to_the_function_on_the_ses_event_topic() -> None:
    template = load_template()
    functions = function_specs(template, Resolver(template, {"SenderAddress": "crm@example.com"}))

    (target,) = email_event_targets(template, functions)

    assert target.function.logical_id == "EmailEventsFunction"
    assert target.topic_arn == TOPIC_ARN
    assert target.configuration_set == "crm-local-crm"
    assert {"open", "click"} <= target.event_types


def test_a_function_on_a_topic_ses_does_not_publish_to_gets_no_email_events() -> None:
    function = {"Type": "AWS::Serverless::Function",
                "Properties": {"CodeUri": "x/", "Handler": "a.b",
                               "Events": {"Alarm": {"Type": "SNS", "Properties": {"Topic": {"Ref": "Alarms"}}}}}}
    template = {"Resources": {"Alarms": {"Type": "AWS::SNS::Topic"}, "OnAlarm": function}}

    assert email_event_targets(template, function_specs(template, Resolver(template))) == []
