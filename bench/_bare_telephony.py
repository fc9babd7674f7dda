"""A PBX status event (ringing, answered, ended) as the bare low-level boto3 calls it must make: the baseline
bench/telephony.py measures the webhook handler against.

The same items the handler writes (the call, its receipt, the lead's timeline events and follow-up update), the same
message pushed to the rep's open page, with each item read once:
- every event: BatchGetItem of the call and the event's receipt (consistent: idempotency and the call's state);
- ringing (a new call): BatchGetItem of the number's contact-point and contact-key items, GetItem of the matched
  lead (consistent: a converted lead's contact, and the popup's record), the active team's three GSI2 Queries
  (ROLE#rep/manager/admin: the PBX names the rep by extension, which has no index) at most every 30 s, as the
  handler keeps it, TransactWriteItems [call, receipt];
- answered, ended: GetItem of the call's rep (the extension checked against the user the call already has; the team
  is read only if it names someone else);
- answered (the call's outcome, first known): GetItem of the lead (consistent), TransactWriteItems [call, receipt,
  the lead's call, status and score events, the lead's conditional update], GetItem of the status rules (the lead's
  status changed); the ideal customer profile as often as the handler reads it;
- ended: TransactWriteItems [call, receipt];
- the push: a GSI1 Query of the rep's connections, then one PostToConnection per connection (API Gateway's
  management API); when it rings, the message names the lead with its last three timeline events (a Query); later
  events only update that popup.
Scoring and the follow-up rules are pure Python: their results (the same for every bench lead) are written as is.
"""

from __future__ import annotations

import json
import time
from typing import Any

PROFILE_SECONDS = 60  # crm.services.qualification re-reads the ideal customer profile at most once a minute
TEAM_SECONDS = 30  # crm.data.people.calling_team: the team the reps are matched in, re-read at most this often
ROLES = ("rep", "manager", "admin")
# What the handler's follow-up rules and scoring write for the bench's leads (new, then answered once)
STATUS_CHANGE = {"from": "new", "to": "contacted", "attempts_without_response": 0}
SCORED = {"score": 6, "temperature": "cold", "cycle": "nurturable", "parts": [
    {"signal": "answered_calls", "points": 6, "reason": "answered 1 calls", "code": "answered_calls",
     "params": {"count": 1}}]}


def _s(value: str) -> dict:
    return {"S": value}


def _plain(item: dict) -> dict[str, Any]:
    """DynamoDB JSON of strings and numbers -> plain values (what the bare code reads of an item)."""
    return {name: value.get("S", value.get("N")) for name, value in item.items() if "S" in value or "N" in value}


class BareCalls:
    """One event at a time: `take(event)` with the event as parsed (a dict: call_id (ours), provider_call_id,
    event, customer, line, extension, at, duration, now)."""

    def __init__(self, table: str, callback_url: str) -> None:
        import boto3

        self.ddb = boto3.client("dynamodb")
        self.api = boto3.client("apigatewaymanagementapi", endpoint_url=callback_url)
        self.table = table
        self.profile_read_at: float | None = None
        self.team_read_at: float | None = None
        self.team: dict[str, str] = {}

    def take(self, event: dict[str, Any]) -> int:
        """The event's calls; answers how many pages the popup reached."""
        pk = f"CALL#{event['call_id']}"
        receipt_sk = f"EVENT#{event['event']}"
        found = self.ddb.batch_get_item(RequestItems={self.table: {"Keys": [
            {"PK": _s(pk), "SK": _s("CALL")}, {"PK": _s(pk), "SK": _s(receipt_sk)}], "ConsistentRead": True}})
        items = {item["SK"]["S"]: item for item in found["Responses"][self.table]}
        if receipt_sk in items:
            return 0  # a delivery seen before
        receipt = {"PK": _s(pk), "SK": _s(receipt_sk), "kind": _s("CallReceipt"), "at": _s(event["now"])}
        new_receipt = {"TableName": self.table, "Item": receipt, "ConditionExpression": "attribute_not_exists (#0)",
                       "ExpressionAttributeNames": {"#0": "PK"}}
        if "CALL" not in items:
            lead, rep = self._ringing(event, pk, new_receipt)
        else:
            call = items["CALL"]
            rep = self._rep_again(call["rep_id"]["S"], event["extension"])
            lead_id = json.loads(call["matches"]["S"])[0]["id"]
            if event["event"] == "answered" and "counted" not in call:
                lead = self._answered(event, call, lead_id, new_receipt)
            else:
                self._progress(event, call, new_receipt)
                lead = {"lead_id": lead_id}
        return self._push(rep, event, lead)

    # --- the events ---------------------------------------------------------------------------------------------

    def _ringing(self, event: dict, pk: str, new_receipt: dict) -> tuple[dict, str]:
        phone = event["customer"]
        owners = self.ddb.batch_get_item(RequestItems={self.table: {"Keys": [
            {"PK": _s(f"PHONE#{phone}"), "SK": _s("CONTACT_POINT")},
            {"PK": _s(f"CONTACT_PHONE#{phone}"), "SK": _s("CONTACT_KEY")}]}})["Responses"][self.table]
        lead_id = next(item["lead_id"]["S"] for item in owners if item["SK"]["S"] == "CONTACT_POINT")
        lead = _plain(self.ddb.get_item(TableName=self.table, Key={"PK": _s(f"LEAD#{lead_id}"), "SK": _s("LEAD")},
                                        ConsistentRead=True)["Item"])
        rep = self._team_member(event["extension"])
        at = event["at"]
        call = {"PK": _s(pk), "SK": _s("CALL"), "kind": _s("Call"), "GSI1PK": _s(f"OWNER#{rep}#CALLS"),
                "GSI1SK": _s(at), "call_id": _s(event["call_id"]), "provider": _s("pbx"),
                "provider_call_id": _s(event["provider_call_id"]), "direction": _s("inbound"),
                "customer": _s(phone), "line": _s(event["line"]), "rep_id": _s(rep), "status": _s("ringing"),
                "started_at": _s(at), "ringing_at": _s(at),
                "matches": _s(json.dumps([{"kind": "lead", "id": lead_id}])), "revision": {"N": "1"}}
        self.ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": self.table, "Item": call, "ConditionExpression": "attribute_not_exists (#0)",
                     "ExpressionAttributeNames": {"#0": "PK"}}}, {"Put": new_receipt}])
        return lead, rep

    def _answered(self, event: dict, call: dict, lead_id: str, new_receipt: dict) -> dict:
        from ulid import ULID

        from crm.clock import from_iso

        lead_key = {"PK": _s(f"LEAD#{lead_id}"), "SK": _s("LEAD")}
        lead = _plain(self.ddb.get_item(TableName=self.table, Key=lead_key, ConsistentRead=True)["Item"])
        self._read_profile()
        at, revision = event["at"], int(call["revision"]["N"])
        call = {**call, "status": _s("answered"), "answered_at": _s(at), "counted": _s("answered"),
                "revision": {"N": str(revision + 1)}}
        data = {"call_id": event["call_id"], "direction": "inbound", "outcome": "answered",
                "by": call["rep_id"]["S"], "customer": event["customer"]}
        events = [{"PK": lead_key["PK"], "SK": _s(f"EVENT#{ULID()}"), "kind": _s("TimelineEvent"),
                   "event_type": _s(event_type), "at": _s(at), "data": _s(json.dumps(payload))}
                  for event_type, payload in (("call", data), ("status_changed", STATUS_CHANGE), ("scored", SCORED))]
        seconds = int((from_iso(at) - from_iso(lead["created_at"])).total_seconds())  # to the first contact
        names = {"#0": "status", "#1": "attempts_without_response", "#2": "answered_calls", "#3": "replies",
                 "#4": "first_contact_at", "#5": "score", "#6": "temperature", "#7": "cycle", "#8": "score_parts",
                 "#9": "seconds_to_first_contact", "#10": "version"}
        values = {":0": _s("new"), ":1": {"N": "0"}, ":2": {"N": "0"}, ":3": {"N": "0"}, ":4": _s("contacted"),
                  ":5": {"N": "0"}, ":6": {"N": "1"}, ":7": {"N": str(SCORED["score"])},
                  ":8": _s(SCORED["temperature"]), ":9": _s(SCORED["cycle"]), ":10": _s(json.dumps(SCORED["parts"])),
                  ":11": _s(at), ":12": {"N": str(seconds)}, ":13": {"N": "1"}}
        update = {"TableName": self.table, "Key": lead_key,
                  "ConditionExpression": "#0 = :0 AND (#1 = :1 OR attribute_not_exists (#1)) AND (#2 = :2 OR "
                                         "attribute_not_exists (#2)) AND (#3 = :3 OR attribute_not_exists (#3)) AND "
                                         "attribute_not_exists (#4)",
                  "UpdateExpression": "SET #0 = :4, #1 = :5, #2 = :6, #5 = :7, #6 = :8, #7 = :9, #8 = :10, "
                                      "#4 = :11, #9 = :12 ADD #10 :13",
                  "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}
        self.ddb.transact_write_items(TransactItems=[
            *({"Put": {"TableName": self.table, "Item": item}} for item in events),
            {"Put": {"TableName": self.table, "Item": call, "ConditionExpression": "#0 = :0",
                     "ExpressionAttributeNames": {"#0": "revision"},
                     "ExpressionAttributeValues": {":0": {"N": str(revision)}}}},
            {"Put": new_receipt}, {"Update": update}])
        self.ddb.get_item(TableName=self.table, Key={"PK": _s("CONFIG"), "SK": _s("STATUS_RULES")})
        return {**lead, "status": "contacted", "score": str(SCORED["score"]), "temperature": SCORED["temperature"]}

    def _progress(self, event: dict, call: dict, new_receipt: dict) -> None:
        revision = int(call["revision"]["N"])
        call = {**call, "status": _s("completed"), "ended_at": _s(event["at"]),
                "duration_seconds": {"N": str(event["duration"])}, "revision": {"N": str(revision + 1)}}
        self.ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": self.table, "Item": call, "ConditionExpression": "#0 = :0",
                     "ExpressionAttributeNames": {"#0": "revision"},
                     "ExpressionAttributeValues": {":0": {"N": str(revision)}}}},
            {"Put": new_receipt}])

    # --- who and where ------------------------------------------------------------------------------------------

    def _team_member(self, extension: str) -> str:
        if self.team_read_at is None or time.monotonic() - self.team_read_at > TEAM_SECONDS:
            self.team = self._active_team()
            self.team_read_at = time.monotonic()
        if extension in self.team:
            return self.team[extension]
        raise LookupError(f"no active user has the extension {extension}")

    def _active_team(self) -> dict[str, str]:
        team = {}
        for role in ROLES:
            for user in self.ddb.query(TableName=self.table, IndexName="GSI2",
                                       KeyConditionExpression="#0 = :0 AND begins_with (#1, :1)",
                                       ExpressionAttributeNames={"#0": "GSI2PK", "#1": "GSI2SK"},
                                       ExpressionAttributeValues={":0": _s(f"ROLE#{role}"), ":1": _s("A#")})["Items"]:
                if "extension" in user:
                    team[user["extension"]["S"]] = user["user_id"]["S"]
        return team

    def _rep_again(self, rep_id: str, extension: str) -> str:
        user = self.ddb.get_item(TableName=self.table, Key={"PK": _s(f"USER#{rep_id}"), "SK": _s("USER")})["Item"]
        if user.get("extension", {}).get("S") == extension and user.get("active", {}).get("BOOL", True):
            return rep_id
        return self._team_member(extension)

    def _read_profile(self) -> None:
        if self.profile_read_at is None or time.monotonic() - self.profile_read_at > PROFILE_SECONDS:
            self.ddb.get_item(TableName=self.table, Key={"PK": _s("CONFIG"), "SK": _s("PROFILE")})
            self.profile_read_at = time.monotonic()

    def _push(self, rep: str, event: dict, lead: dict) -> int:
        connections = self.ddb.query(
            TableName=self.table, IndexName="GSI1", KeyConditionExpression="#0 = :0",
            FilterExpression="#1 > :1", ExpressionAttributeNames={"#0": "GSI1PK", "#1": "expires_at"},
            ExpressionAttributeValues={":0": _s(f"OWNER#{rep}#WSCONN"), ":1": {"N": str(int(time.time()))}})["Items"]
        if not connections:
            return 0
        message = {"type": "call", "call_id": event["call_id"], "event": event["event"], "direction": "inbound",
                   "customer": event["customer"], "rep_id": rep, "at": event["at"]}
        if event["event"] == "ringing":
            message |= {"matches": [self._view(lead)], "save_as_lead": None}
        data = json.dumps(message, separators=(",", ":")).encode()
        for connection in connections:
            self.api.post_to_connection(ConnectionId=connection["connection_id"]["S"], Data=data)
        return len(connections)

    def _view(self, lead: dict) -> dict:
        lead_pk = f"LEAD#{lead['lead_id']}"
        last = self.ddb.query(TableName=self.table, KeyConditionExpression="#0 = :0 AND begins_with (#1, :1)",
                              ExpressionAttributeNames={"#0": "PK", "#1": "SK"},
                              ExpressionAttributeValues={":0": _s(lead_pk), ":1": _s("EVENT#")},
                              ScanIndexForward=False, Limit=3)["Items"]
        view = {"kind": "lead", "id": lead["lead_id"], "name": lead.get("name"), "owner_id": lead.get("owner_id"),
                "url": f"/record.html?kind=lead&id={lead['lead_id']}", "company": lead.get("company"),
                "status": lead.get("status"), "score": lead.get("score"), "temperature": lead.get("temperature"),
                "open_deals": [], "last_activities": [{"type": item["event_type"]["S"], "at": item["at"]["S"]}
                                                      for item in last]}
        return view
