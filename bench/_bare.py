"""The lead intake as the bare low-level boto3 calls it must make: the baseline the handler is measured against.

Kept apart from bench/lead_intake.py so that a cold child process loads only this, the standard library it needs
and boto3: the bare figure is what a minimal boto3 implementation would pay.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from datetime import timedelta


def _s(value: str) -> dict:
    return {"S": value}


def _event_item(pk: str, event_type: str, at: str, data: dict) -> dict:
    from ulid import ULID

    return {"PK": _s(pk), "SK": _s(f"EVENT#{ULID()}"), "kind": _s("TimelineEvent"), "event_type": _s(event_type),
            "at": _s(at), "data": _s(json.dumps(data))}


def _utm(sub: dict) -> dict:
    return {key: value for key, value in (sub.get("utm") or {}).items() if value is not None}


def _touch_data(sub: dict) -> dict:
    data = {"source": sub["source"], "form_id": sub.get("form_id"), "page_url": sub.get("page_url"),
            "referrer": sub.get("referrer"), "utm": _utm(sub) or None, "message": sub.get("message"),
            "email": sub.get("email"), "phone": sub.get("phone"), "name": sub["name"], "company": sub.get("company")}
    return {key: value for key, value in data.items() if value is not None}


_OPTIONAL = ("company", "role", "industry", "company_size", "country", "language", "timezone", "message",
             "best_time_to_contact", "referred_by", "recent_company_change")
_QUALIFICATION = ("budget", "authority", "need", "timing")
_COUNTERS = ("attempts_without_response", "answered_calls", "replies", "opens", "clicks")  # the entity's defaults
# What the handler's scoring adds to a new lead and its timeline; the scoring itself is pure Python, not a call.
_SCORED = {"score": 35, "temperature": "cold", "cycle": "nurturable", "parts": [
    {"signal": "need", "points": 10, "reason": "described a need"},
    {"signal": "company_size", "points": 15, "reason": "company size fits the ideal customer profile"},
    {"signal": "source", "points": 10, "reason": "came through the web form"}]}
PROFILE_SECONDS = 60  # the handler re-reads the ideal customer profile at most once a minute (crm.services)


def _route(country: str | None, company_size: str | None, rules: list[dict],
           active: list[str]) -> tuple[str, str] | None:
    """The first matching routing rule's first active rep, as crm.domain.assignment decides for the conditions the
    bench's rules use (countries, a minimum company size), written out: that module loads pydantic, bare code would
    not."""
    size = None
    if company_size:
        low = int(company_size.rstrip("+").split("-")[0])
        size = low + 1 if company_size.endswith("+") else low  # "1000+" starts at 1001
    for rule in sorted(rules, key=lambda item: (int(item["priority"]["N"]), item["rule_id"]["S"])):
        conditions = json.loads(rule["conditions"]["S"])
        if conditions.get("countries") and country not in conditions["countries"]:
            continue
        if "min_company_size" in conditions and (size is None or size < conditions["min_company_size"]):
            continue
        rep = next((rep for rep in json.loads(rule["rep_ids"]["S"]) if rep in active), None)
        if rep:
            return rep, f"rule:{rule['rule_id']['S']}"
    return None


class Bare:
    """The intake as the bare low-level boto3 calls, with the items the pynamodb entities write.

    A submission is the validated form as a dict (`prepare_bare`): validating it is the handler's work, not a call.
    """

    def __init__(self, table: str, idempotency_table: str, lifecycle_arn: str, sla_minutes: int) -> None:
        import boto3

        self.ddb = boto3.client("dynamodb")
        self.sfn = boto3.client("stepfunctions")
        self.table, self.idempotency_table = table, idempotency_table
        self.lifecycle_arn, self.sla = lifecycle_arn, timedelta(minutes=sla_minutes)
        self.function_name = "test-func._local_lambda_bench__app._idempotent_intake.<locals>.intake"
        self.profile_read_at: float | None = None
        self.suppression_key: bytes | None = None

    def submit(self, key: dict, sub: dict, country: str | None) -> tuple[str, bool]:
        from crm.clock import to_iso, utcnow

        idem_key = {"id": _s(f"{self.function_name}#{hashlib.md5(json.dumps(key).encode()).hexdigest()}")}
        now_ts = time.time()
        self.ddb.put_item(
            TableName=self.idempotency_table,
            Item={**idem_key, "expiration": {"N": str(int(now_ts) + 600)}, "status": _s("INPROGRESS"),
                  "in_progress_expiration": {"N": str(int(now_ts * 1000) + 10_000)}},
            ConditionExpression="attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND "
                                "attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)",
            ExpressionAttributeNames={"#id": "id", "#expiry": "expiration",
                                      "#in_progress_expiry": "in_progress_expiration", "#status": "status"},
            ExpressionAttributeValues={":now": {"N": str(int(now_ts))},
                                       ":now_in_millis": {"N": str(int(now_ts * 1000))},
                                       ":inprogress": _s("INPROGRESS")},
            ReturnValuesOnConditionCheckFailure="ALL_OLD")
        received = utcnow()
        keys = []
        if sub.get("email"):
            keys.append(f"EMAIL#{sub['email']}")
        if sub.get("phone"):
            keys.append(f"PHONE#{sub['phone']}")
        found = self.ddb.batch_get_item(RequestItems={self.table: {
            "Keys": [{"PK": _s(pk), "SK": _s("CONTACT_POINT")} for pk in keys], "ConsistentRead": True}})
        owners = {item["PK"]["S"]: item["lead_id"]["S"] for item in found["Responses"][self.table]}
        existing = (owners.get(f"EMAIL#{sub['email']}") if sub.get("email") else None) or \
                   (owners.get(f"PHONE#{sub['phone']}") if sub.get("phone") else None)
        if existing:
            self._touch(existing, sub, to_iso(received), set(owners))
            result = {"lead_id": existing, "returning": True}
        else:
            result = {"lead_id": self._create(sub, received, country), "returning": False}
        self.ddb.update_item(
            TableName=self.idempotency_table, Key=idem_key,
            UpdateExpression="SET #response_data = :response_data, #expiry = :expiry, #status = :status",
            ExpressionAttributeNames={"#expiry": "expiration", "#response_data": "data", "#status": "status"},
            ExpressionAttributeValues={":expiry": {"N": str(int(time.time()) + 600)},
                                       ":response_data": _s(json.dumps(result)), ":status": _s("COMPLETED")})
        return result["lead_id"], result["returning"]

    def _check_suppression_list(self, sub: dict) -> None:
        """Ticked consent for an address: whether the suppression list holds it (its key read once per process, as
        the handler's Secrets Manager read is), so consent for an address that said no waits for its confirmation."""
        if not (sub.get("marketing_consent") and sub.get("email")):
            return
        if self.suppression_key is None:
            import boto3

            secret = boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["SUPPRESSION_KEY_SECRET"])
            self.suppression_key = secret["SecretString"].encode()
        digest = hmac.new(self.suppression_key, sub["email"].strip().lower().encode(), hashlib.sha256).hexdigest()
        self.ddb.get_item(TableName=self.table, Key={"PK": _s(f"SUPPRESSED#{digest}"), "SK": _s("SUPPRESSED")})

    def _read_profile(self) -> None:
        """The ideal customer profile the scoring uses, read as often as the handler reads it."""
        if self.profile_read_at is None or time.monotonic() - self.profile_read_at > PROFILE_SECONDS:
            self.ddb.get_item(TableName=self.table, Key={"PK": _s("CONFIG"), "SK": _s("PROFILE")})
            self.profile_read_at = time.monotonic()

    def _assign(self, country: str | None, sub: dict) -> tuple[str, str]:
        reps = self.ddb.query(TableName=self.table, IndexName="GSI2",
                              KeyConditionExpression="#0 = :0 AND begins_with (#1, :1)",
                              ExpressionAttributeNames={"#0": "GSI2PK", "#1": "GSI2SK"},
                              ExpressionAttributeValues={":0": _s("ROLE#rep"), ":1": _s("A#")})["Items"]
        active = [item["user_id"]["S"] for item in reps]
        items = self.ddb.query(TableName=self.table, KeyConditionExpression="#0 = :0 AND begins_with (#1, :1)",
                               ExpressionAttributeNames={"#0": "PK", "#1": "SK"},
                               ExpressionAttributeValues={":0": _s("ROUTING"), ":1": _s("RULE#")})["Items"]
        by_rule = _route(country, sub.get("company_size"), items, active)
        if by_rule:
            return by_rule
        counter = self.ddb.update_item(TableName=self.table, Key={"PK": _s("COUNTER"), "SK": _s("ROUND_ROBIN")},
                                       UpdateExpression="ADD #0 :0", ExpressionAttributeNames={"#0": "value"},
                                       ExpressionAttributeValues={":0": {"N": "1"}}, ReturnValues="ALL_NEW")
        pool = sorted(active)
        return pool[(int(counter["Attributes"]["value"]["N"]) - 1) % len(pool)], "round_robin"

    def lead_item(self, sub: dict, lead_id: str, country: str | None, rep: str, reason: str, now: str, due: str,
                  task_id: str) -> dict:
        item = {"PK": _s(f"LEAD#{lead_id}"), "SK": _s("LEAD"), "kind": _s("Lead"),
                "GSI1PK": _s(f"OWNER#{rep}#LEADS"), "GSI1SK": _s(now), "GSI2PK": _s("LIFECYCLE#PENDING"),
                "GSI2SK": _s(now), "lead_id": _s(lead_id), "name": _s(sub["name"])}
        for field in ("email", "phone", *_OPTIONAL):
            value = country if field == "country" else sub.get(field)
            if value is not None:
                item[field] = {"BOOL": value} if isinstance(value, bool) else _s(value)
        answers = {name: sub[name] for name in _QUALIFICATION if sub.get(name)}
        if answers:
            item["qualification"] = _s(json.dumps(answers))
        first_touch = {"at": _s(now), "source": _s(sub["source"])}
        for field in ("form_id", "page_url", "referrer"):
            if sub.get(field) is not None:
                first_touch[field] = _s(sub[field])
        if _utm(sub):
            first_touch["utm"] = _s(json.dumps(_utm(sub)))
        item["first_touch"] = {"M": first_touch}
        item["touch_count"] = {"N": "1"}
        item["last_touch_at"] = _s(now)
        if sub.get("marketing_consent"):
            consent = {"given": {"BOOL": True}, "at": _s(now)}
            if sub.get("consent_text"):
                consent["wording"] = _s(sub["consent_text"])
            item["consent"] = {"M": consent}
        item.update({"status": _s("new"), "owner_id": _s(rep), "assignment_reason": _s(reason),
                     "created_at": _s(now), "first_contact_due_at": _s(due), "escalations": {"N": "0"},
                     "previous_owner_ids": _s("[]"), "call_task_id": _s(task_id), "version": {"N": "1"},
                     **{counter: {"N": "0"} for counter in _COUNTERS}, "sms_opt_out": {"BOOL": False},
                     "score": {"N": str(_SCORED["score"])}, "temperature": _s(_SCORED["temperature"]),
                     "cycle": _s(_SCORED["cycle"]), "score_parts": _s(json.dumps(_SCORED["parts"]))})
        return item

    def _create(self, sub: dict, received, country: str | None) -> str:
        from ulid import ULID

        from crm.clock import to_iso

        lead_id = str(ULID.from_datetime(received))
        now = to_iso(received)
        rep, reason = self._assign(country, sub)
        self._check_suppression_list(sub)
        due = to_iso(received + self.sla)
        task_id = str(ULID())
        self._read_profile()
        pk = f"LEAD#{lead_id}"
        new_version = {"ConditionExpression": "attribute_not_exists (#0)",
                       "ExpressionAttributeNames": {"#0": "version"}}
        unique = {"ConditionExpression": "attribute_not_exists (#0)", "ExpressionAttributeNames": {"#0": "PK"}}
        task = {"PK": _s(f"TASK#{task_id}"), "SK": _s("TASK"), "kind": _s("Task"), "GSI1PK": _s(f"OWNER#{rep}#TASKS"),
                "GSI1SK": _s(due), "task_id": _s(task_id), "title": _s("Call new lead"), "owner_id": _s(rep),
                "due_at": _s(due), "status": _s("open"), "related_type": _s("lead"), "related_id": _s(lead_id),
                "created_at": _s(now), "version": {"N": "1"}}
        points = [f"EMAIL#{sub['email']}"] if sub.get("email") else []
        if sub.get("phone"):
            points.append(f"PHONE#{sub['phone']}")
        puts = [{"TableName": self.table, "Item": self.lead_item(sub, lead_id, country, rep, reason, now, due, task_id),
                 **new_version},
                {"TableName": self.table, "Item": task, **new_version}]
        puts += [{"TableName": self.table, "Item": {"PK": _s(point), "SK": _s("CONTACT_POINT"),
                                                    "kind": _s("ContactPoint"), "lead_id": _s(lead_id)}, **unique}
                 for point in points]
        puts += [{"TableName": self.table, "Item": _event_item(pk, "touch", now, _touch_data(sub) | {"first": True})},
                 {"TableName": self.table, "Item": _event_item(pk, "scored", now, _SCORED)},
                 {"TableName": self.table,
                  "Item": _event_item(pk, "assigned", now, {"owner_id": rep, "reason": reason})},
                 {"TableName": self.table, "Item": _event_item(pk, "task_created", now, {
                     "task_id": task_id, "title": "Call new lead", "due_at": due, "owner_id": rep})}]
        self.ddb.transact_write_items(TransactItems=[{"Put": put} for put in puts])
        self.sfn.start_execution(stateMachineArn=self.lifecycle_arn, name=f"lead-{lead_id}",
                                 input=json.dumps({"lead_id": lead_id}))
        return lead_id

    def _touch(self, lead_id: str, sub: dict, now: str, claimed: set[str]) -> None:
        lead = self.ddb.get_item(TableName=self.table, Key={"PK": _s(f"LEAD#{lead_id}"), "SK": _s("LEAD")},
                                 ConsistentRead=True)["Item"]
        self._read_profile()
        self._check_suppression_list(sub)
        sets = ["#last = :now"]
        names = {"#count": "touch_count", "#last": "last_touch_at"}
        values: dict = {":one": {"N": "1"}, ":now": _s(now)}
        new_points = []
        for field, prefix in (("email", "EMAIL#"), ("phone", "PHONE#")):
            value = sub.get(field)
            if value and field not in lead and f"{prefix}{value}" not in claimed:
                sets.append(f"#{field} = :{field}")
                names[f"#{field}"], values[f":{field}"] = field, _s(value)
                new_points.append(f"{prefix}{value}")
        for field in _OPTIONAL:
            value = sub.get(field)
            if value and field not in lead:
                sets.append(f"#{field} = if_not_exists(#{field}, :{field})")
                names[f"#{field}"] = field
                values[f":{field}"] = {"BOOL": value} if isinstance(value, bool) else _s(value)
        names["#pk"] = "PK"
        touch = _event_item(f"LEAD#{lead_id}", "touch", now, _touch_data(sub))
        puts = [{"Put": {"TableName": self.table, "Item": touch}}]
        puts += [{"Put": {"TableName": self.table, "Item": {"PK": _s(point), "SK": _s("CONTACT_POINT"),
                                                            "kind": _s("ContactPoint"), "lead_id": _s(lead_id)},
                          "ConditionExpression": "attribute_not_exists (#0)", "ExpressionAttributeNames": {"#0": "PK"}}}
                 for point in new_points]
        update = {"Update": {"TableName": self.table, "Key": {"PK": _s(f"LEAD#{lead_id}"), "SK": _s("LEAD")},
                             "UpdateExpression": f"SET {', '.join(sets)} ADD #count :one",
                             "ConditionExpression": "attribute_exists (#pk)",
                             "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}}
        self.ddb.transact_write_items(TransactItems=[*puts, update])
