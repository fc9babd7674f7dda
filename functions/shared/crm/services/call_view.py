"""Calls on the timelines (T1): a "call" event names its call; the pages show the call as it stands now (answered,
ended, how long, who took it, whether a recording can be played), read with one BatchGet for a page of events."""

from __future__ import annotations

from crm.data.calls import CallItem, get_calls


def with_calls(events: list[dict]) -> list[dict]:
    """The events, each "call" event's data with a `call` dict of its call's details (a call not found: none)."""
    call_ids = [str(event["data"]["call_id"]) for event in events
                if event.get("type") == "call" and (event.get("data") or {}).get("call_id")]
    if not call_ids:
        return events
    from crm.data.people import user_names

    calls = get_calls(call_ids)
    names = user_names(call.rep_id for call in calls.values() if call.rep_id)
    for event in events:
        call = calls.get(str((event.get("data") or {}).get("call_id"))) if event.get("type") == "call" else None
        if call is not None:
            # the number as the event has it: erasing a lead (L9) scrubs its events, not the call it names
            event["data"] = {**event["data"], "call": call_details(call, names) | {
                "customer": event["data"].get("customer")}}
    return events


def call_details(call: CallItem, names: dict[str, str]) -> dict:
    """What a timeline shows of a call; times in UTC (the page shows them in the viewer's time zone)."""
    return {"status": call.status, "direction": call.direction, "customer": call.customer,
            "ringing_at": call.ringing_at, "answered_at": call.answered_at, "ended_at": call.ended_at,
            "duration_seconds": None if call.duration_seconds is None else int(call.duration_seconds),
            "rep_id": call.rep_id, "rep_name": names.get(call.rep_id) if call.rep_id else None,
            "has_recording": call.recording_status == "stored" and bool(call.recording_key)}
