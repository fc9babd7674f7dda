"""The open and click events SES would publish for an email, delivered as SNS would deliver them to Lambda.

On AWS a recipient opening an email or clicking one of its links makes SES publish an event record
(https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html) to the SNS topic of
the configuration set's event destination, and SNS invokes the functions subscribed to that topic. Locally
nobody opens anything, so the outbox's buttons ask for the event, and the template says where it goes.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import formataddr, getaddresses, parseaddr
from http import HTTPStatus
from typing import Any

from local.outbox import SendRequest, SentEmail, find_email, send_request
from local.template import (
    ACCOUNT_ID,
    FUNCTION_TYPE,
    PARTITION,
    REGION,
    FunctionSpec,
    Resolver,
    UnresolvableError,
)

EVENT_TYPES = {"open": "Open", "click": "Click"}
SNS_TOPIC_TYPE = "AWS::SNS::Topic"
EVENT_DESTINATION_TYPE = "AWS::SES::ConfigurationSetEventDestination"
LOCAL_IP_ADDRESS = "127.0.0.1"
LOCAL_USER_AGENT = "crm-local-outbox"

Invoker = Callable[[FunctionSpec, Any], Any]


class EmailEventError(Exception):
    """A request for an email event that cannot be met; `status` is the HTTP answer."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class EmailEventTarget:
    """A function SNS invokes with the events SES publishes for a configuration set."""

    function: FunctionSpec
    topic_arn: str
    configuration_set: str | None
    event_types: frozenset[str]


def _iso_ms(moment: datetime) -> str:
    """SES's and SNS's timestamps: UTC ISO 8601 with milliseconds and a Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _topic_key(topic: Any, resolver: Resolver) -> str:
    """A topic's logical id when it is a Ref to the template's topic, else its ARN as written."""
    if isinstance(topic, dict) and set(topic) == {"Ref"}:
        return str(topic["Ref"])
    return str(resolver.resolve(topic))


def _topic_arn(key: str, resolver: Resolver) -> str:
    resource = resolver.resources.get(key)
    if resource is None or resource.get("Type") != SNS_TOPIC_TYPE:
        return key
    name = resource.get("Properties", {}).get("TopicName", key)
    return f"arn:{PARTITION}:sns:{REGION}:{ACCOUNT_ID}:{resolver.resolve(name)}"


def email_event_targets(template: dict[str, Any], functions: list[FunctionSpec]) -> list[EmailEventTarget]:
    """Functions with an SNS event on a topic that an SES event destination of the template publishes to."""
    resolver = Resolver(template)
    destinations: dict[str, list[tuple[str | None, frozenset[str]]]] = {}
    for resource in resolver.resources.values():
        if resource.get("Type") != EVENT_DESTINATION_TYPE:
            continue
        properties = resource.get("Properties", {})
        destination = properties.get("EventDestination", {})
        topic = destination.get("SnsDestination", {}).get("TopicARN")
        if topic is None or str(resolver.resolve(destination.get("Enabled", False))).lower() != "true":
            continue
        try:
            configuration_set: str | None = str(resolver.resolve(properties.get("ConfigurationSetName")))
        except UnresolvableError:
            configuration_set = None
        types = frozenset(str(kind).lower() for kind in destination.get("MatchingEventTypes", []))
        destinations.setdefault(_topic_key(topic, resolver), []).append((configuration_set, types))
    specs = {spec.logical_id: spec for spec in functions}
    targets = []
    for logical_id, resource in resolver.resources.items():
        if resource.get("Type") != FUNCTION_TYPE or logical_id not in specs:
            continue
        for event in resource.get("Properties", {}).get("Events", {}).values():
            if event.get("Type") != "SNS":
                continue
            key = _topic_key(event.get("Properties", {}).get("Topic"), resolver)
            targets.extend(EmailEventTarget(specs[logical_id], _topic_arn(key, resolver), configuration_set, types)
                           for configuration_set, types in destinations.get(key, []))
    return targets


def _addresses(value: str | None) -> list[str]:
    return [formataddr(pair) for pair in getaddresses([value]) if pair[1]] if value else []


def _mail_object(sent: SentEmail, configuration_set: str | None, tags: dict[str, str]) -> dict[str, Any]:
    """The `mail` object of every SES event: the email as it was sent, with SES's tags and the sender's."""
    sender = parseaddr(sent.source)[1]
    common = {"from": _addresses(sent.header("From")) or [sent.source], "to": _addresses(sent.header("To"))}
    if sent.header("Date"):
        common["date"] = sent.header("Date")
    common |= {"messageId": sent.header("Message-ID") or sent.message_id, "subject": sent.subject}
    all_tags = {"ses:operation": ["SendEmail"], "ses:source-ip": [LOCAL_IP_ADDRESS],
                "ses:from-domain": [sender.rpartition("@")[2]], "ses:caller-identity": ["crm-local"]}
    if configuration_set:
        all_tags["ses:configuration-set"] = [configuration_set]
    all_tags |= {name: [value] for name, value in tags.items()}
    return {
        "timestamp": _iso_ms(sent.sent_at),
        "source": sent.source,
        "sourceArn": f"arn:{PARTITION}:ses:{REGION}:{ACCOUNT_ID}:identity/{sender}",
        "sendingAccountId": ACCOUNT_ID,
        "messageId": sent.message_id,
        "destination": list(dict.fromkeys(parseaddr(address)[1] for address in sent.destinations)),
        "headersTruncated": False,
        "headers": [{"name": name, "value": value} for name, value in sent.headers],
        "commonHeaders": common,
        "tags": all_tags,
    }


def ses_event(sent: SentEmail, kind: str, at: datetime, *, link: str | None = None,
              configuration_set: str | None = None, tags: dict[str, str] | None = None,
              ip_address: str = LOCAL_IP_ADDRESS, user_agent: str = LOCAL_USER_AGENT) -> dict[str, Any]:
    """The event record SES publishes when the email is opened (`kind` "open") or a link clicked ("click")."""
    detail: dict[str, Any] = {"ipAddress": ip_address, "timestamp": _iso_ms(at), "userAgent": user_agent}
    if kind == "click":
        detail |= {"link": link, "linkTags": {}}
    return {"eventType": EVENT_TYPES[kind], "mail": _mail_object(sent, configuration_set, tags or {}), kind: detail}


def sns_lambda_event(message: dict[str, Any], topic_arn: str, at: datetime) -> dict[str, Any]:
    """The Lambda event SNS sends a subscribed function: one record, the message as a JSON string."""
    subscription_arn = f"{topic_arn}:{uuid.uuid4()}"
    return {"Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription_arn,
        "Sns": {
            "Type": "Notification",
            "MessageId": str(uuid.uuid4()),
            "TopicArn": topic_arn,
            "Subject": None,
            "Message": json.dumps(message),
            "Timestamp": _iso_ms(at),
            "SignatureVersion": "1",
            "Signature": base64.b64encode(b"not signed: the local stack").decode("ascii"),
            "SigningCertUrl": f"https://sns.{REGION}.amazonaws.com/SimpleNotificationService-local.pem",
            "UnsubscribeUrl": f"https://sns.{REGION}.amazonaws.com/?Action=Unsubscribe"
                              f"&SubscriptionArn={subscription_arn}",
            "MessageAttributes": {},
        },
    }]}


def _clicked_link(sent: SentEmail, link: Any) -> str:
    if not sent.links:
        raise EmailEventError(HTTPStatus.BAD_REQUEST, "the email has no http(s) link to click")
    if link in (None, ""):
        return sent.links[0]
    if link not in sent.links:
        raise EmailEventError(HTTPStatus.BAD_REQUEST, f"link must be one of the email's links: {list(sent.links)}")
    return str(link)


def _receivers(kind: str, request: SendRequest | None, targets: list[EmailEventTarget]) -> list[EmailEventTarget]:
    """The targets SES would publish the event to: those of the email's configuration set (when the send
    request was recorded) whose destination matches the event type."""
    if request is not None and request.configuration_set is None:
        raise EmailEventError(HTTPStatus.CONFLICT, "the email was sent without a configuration set: "
                                                   "SES publishes no events for it")
    receivers = [target for target in targets if kind in target.event_types
                 and (request is None or target.configuration_set == request.configuration_set)]
    if not receivers:
        raise EmailEventError(HTTPStatus.CONFLICT, f"no function of template.yaml is subscribed to a topic that "
                                                   f"receives the SES {kind} events of this email")
    return receivers


def post_email_event(message_id: str, kind: Any, link: Any, targets: list[EmailEventTarget], invoke: Invoker, *,
                     ip_address: str = LOCAL_IP_ADDRESS, user_agent: str = LOCAL_USER_AGENT) -> dict[str, Any]:
    """Invokes every function the email's `kind` event reaches, as SNS would; returns the event and the results."""
    sent = find_email(message_id)
    if sent is None:
        raise EmailEventError(HTTPStatus.NOT_FOUND, f"no email with message id {message_id!r} in the outbox")
    if kind not in EVENT_TYPES:
        raise EmailEventError(HTTPStatus.BAD_REQUEST, f"type must be one of {sorted(EVENT_TYPES)}")
    clicked = _clicked_link(sent, link) if kind == "click" else None
    request = send_request(message_id)
    now = datetime.now(UTC)
    posted: dict[str, Any] = {"event": None, "deliveries": []}
    for target in _receivers(kind, request, targets):
        event = ses_event(sent, kind, now, link=clicked, configuration_set=target.configuration_set,
                          tags=request.tags if request else None, ip_address=ip_address, user_agent=user_agent)
        try:
            result = invoke(target.function, sns_lambda_event(event, target.topic_arn, now))
        except Exception as error:
            raise EmailEventError(HTTPStatus.BAD_GATEWAY,
                                  f"{target.function.logical_id} failed: {type(error).__name__}: {error}") from error
        posted["event"] = posted["event"] or event
        posted["deliveries"].append({"function": target.function.logical_id, "topic_arn": target.topic_arn,
                                     "result": result})
    return posted
