"""A lead's Step Functions executions and what each did, read from moto through boto3: the workflow made visible.

A lead's executions are its lifecycle (named "lead-<id>") and any other run of the template's state machines
whose input carries its lead_id (status messages). Each comes with its steps: the states it entered and
left, what their tasks returned or raised, and until when its waits wait.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import boto3

from local.template import REGION, Resolver, load_template, state_machine_specs

_ENTERED = re.compile(r"^(?P<type>\w+)StateEntered$")
_EXITED = re.compile(r"^\w+StateExited$")
_RESULTS = frozenset({"LambdaFunctionSucceeded", "TaskSucceeded", "ActivitySucceeded"})


class ExecutionsUnavailable(RuntimeError):
    """moto is not running (yet): there is nothing to read, and AWS itself must never be asked."""


def stepfunctions_client() -> Any:
    """A client of the runner's moto (AWS_ENDPOINT_URL); refuses rather than fall back to AWS."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        raise ExecutionsUnavailable("AWS_ENDPOINT_URL is not set: the local stack has not started moto yet")
    return boto3.client("stepfunctions", endpoint_url=endpoint, region_name=REGION)


def template_state_machine_arns(template: dict[str, Any] | None = None) -> list[str]:
    template = template if template is not None else load_template()
    return [spec.arn for spec in state_machine_specs(template, Resolver(template))]


def _iso_ms(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _json(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _path(data: Any, path: str | None) -> Any:
    """A reference path such as $.sla.wake_at (dotted fields only), or None when it does not resolve."""
    if not path or not path.startswith("$"):
        return None
    for field in filter(None, path[1:].split(".")):
        if not isinstance(data, dict) or field not in data:
            return None
        data = data[field]
    return data


def flat_states(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every state of an ASL definition by name, including those inside Parallel branches and Map processors."""
    states: dict[str, dict[str, Any]] = {}
    machines = [definition]
    while machines:
        for name, state in machines.pop().get("States", {}).items():
            states[name] = state
            machines.extend(state.get("Branches", []))
            machines.extend(state[key] for key in ("Iterator", "ItemProcessor") if key in state)
    return states


def wait_until(state: dict[str, Any] | None, state_input: Any, entered: datetime) -> str | None:
    """When a Wait state entered at `entered` with `state_input` wakes up, as its definition says."""
    if not state:
        return None
    if "Timestamp" in state:
        return str(state["Timestamp"])
    if "TimestampPath" in state:
        moment = _path(state_input, state["TimestampPath"])
        return None if moment is None else str(moment)
    seconds = state["Seconds"] if "Seconds" in state else _path(state_input, state.get("SecondsPath"))
    if isinstance(seconds, int | float) and not isinstance(seconds, bool):
        return _iso_ms(entered + timedelta(seconds=seconds))
    return None


def history_steps(events: Iterable[dict[str, Any]], states: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The states an execution entered, in order, from its history events (as GetExecutionHistory returns them)."""
    steps: list[dict[str, Any]] = []
    for event in events:
        kind = event["type"]
        details = next((value for key, value in event.items() if key.endswith("EventDetails")), {})
        at = _iso_ms(event["timestamp"])
        current = next((step for step in reversed(steps) if "exited_at" not in step), None)
        if entered := _ENTERED.match(kind):
            step = {"name": details.get("name"), "type": entered["type"], "entered_at": at}
            if entered["type"] == "Wait":
                step["wait_until"] = wait_until(states.get(str(details.get("name"))), _json(details.get("input")),
                                                event["timestamp"])
            steps.append(step)
        elif _EXITED.match(kind):
            exited = next((step for step in reversed(steps)
                           if step["name"] == details.get("name") and "exited_at" not in step), None)
            if exited is not None:
                exited["exited_at"] = at
        elif current is None or kind.startswith("Execution"):
            continue
        elif kind in _RESULTS:
            current["result"] = _json(details.get("output"))
        elif "error" in details or "cause" in details:
            current.setdefault("errors", []).append(
                {"at": at, "event": kind, "error": details.get("error"), "cause": details.get("cause")})
    return steps


def _belongs_to(lead_id: str, name: str, execution_input: Any) -> bool:
    return name.startswith(f"lead-{lead_id}") or (
        isinstance(execution_input, dict) and execution_input.get("lead_id") == lead_id)


def _history(stepfunctions: Any, execution_arn: str) -> list[dict[str, Any]]:
    pages = stepfunctions.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
    return [event for page in pages for event in page["events"]]


def _execution(stepfunctions: Any, described: dict[str, Any], states: dict[str, dict[str, Any]]) -> dict[str, Any]:
    steps = history_steps(_history(stepfunctions, described["executionArn"]), states)
    execution = {
        "state_machine": described["stateMachineArn"].rpartition(":")[2],
        "name": described["name"],
        "arn": described["executionArn"],
        "status": described["status"],
        "started_at": _iso_ms(described["startDate"]),
        "stopped_at": _iso_ms(described["stopDate"]) if described.get("stopDate") else None,
        "input": _json(described.get("input")),
        "transitions": len(steps),
        "steps": steps,
    }
    execution.update({key: described[key] for key in ("error", "cause") if described.get(key)})
    if "output" in described:
        execution["output"] = _json(described["output"])
    return execution


def lead_executions(lead_id: str, state_machine_arns: Iterable[str], stepfunctions: Any) -> list[dict[str, Any]]:
    """The lead's executions on the given state machines, oldest first; machines moto does not know are skipped."""
    found = []
    for machine_arn in state_machine_arns:
        try:
            definition = json.loads(stepfunctions.describe_state_machine(stateMachineArn=machine_arn)["definition"])
        except stepfunctions.exceptions.StateMachineDoesNotExist:
            continue
        states = flat_states(definition)
        pages = stepfunctions.get_paginator("list_executions").paginate(stateMachineArn=machine_arn)
        for summary in (summary for page in pages for summary in page["executions"]):
            described = stepfunctions.describe_execution(executionArn=summary["executionArn"])
            if _belongs_to(lead_id, described["name"], _json(described.get("input"))):
                found.append(_execution(stepfunctions, described, states))
    return sorted(found, key=lambda execution: execution["started_at"])


def _step_details(step: dict[str, Any]) -> str:
    parts = []
    if "wait_until" in step:
        parts.append(f"waits until <time>{html.escape(str(step['wait_until']))}</time>")
    if "result" in step:
        parts.append(f"<details><summary>result</summary><pre>{html.escape(json.dumps(step['result'], indent=2))}"
                     "</pre></details>")
    parts.extend(f"<details class=error><summary>{html.escape(str(error['event']))}: "
                 f"{html.escape(str(error['error']))}</summary><pre>{html.escape(str(error['cause'] or ''))}</pre>"
                 "</details>" for error in step.get("errors", []))
    return "".join(parts)


def _render_execution(execution: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{number}</td><td>{html.escape(str(step['name']))}</td><td>{html.escape(step['type'])}</td>"
        f"<td>{html.escape(step['entered_at'])}</td><td>{html.escape(step.get('exited_at') or '')}</td>"
        f"<td>{_step_details(step)}</td></tr>"
        for number, step in enumerate(execution["steps"], start=1))
    failure = "".join(f"<p class=error>{key}: {html.escape(str(execution[key]))}</p>"
                      for key in ("error", "cause") if key in execution)
    return (
        f"<section><h2>{html.escape(execution['state_machine'])} · {html.escape(execution['name'])} "
        f"<span class=\"status {html.escape(execution['status'])}\">{html.escape(execution['status'])}</span></h2>"
        f"<p class=meta>started {html.escape(execution['started_at'])} · stopped "
        f"{html.escape(execution['stopped_at'] or '(running)')} · {execution['transitions']} state transitions</p>"
        f"{failure}<table><thead><tr><th>#</th><th>State</th><th>Type</th><th>Entered</th><th>Exited</th>"
        f"<th>Details</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def render_executions_page(lead_id: str, executions: list[dict[str, Any]]) -> str:
    """The lead's executions; refreshes every 5 s while one is still running."""
    running = any(execution["status"] == "RUNNING" for execution in executions)
    body = "".join(_render_execution(execution) for execution in executions) or \
        "<p>No workflow executions for this lead.</p>"
    query = html.escape(quote(lead_id, safe=""))
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"{'<meta http-equiv=refresh content=5>' if running else ''}"
        f"<title>Workflow runs of lead {html.escape(lead_id)}</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}"
        "section{border:1px solid #ccc;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}"
        "h2{font-size:1.1rem;margin:.3rem 0}.meta{color:#666;margin:0 0 .5rem}table{border-collapse:collapse;"
        "width:100%}th,td{text-align:left;vertical-align:top;border-top:1px solid #eee;padding:.25rem .5rem}"
        "td:nth-child(4),td:nth-child(5){white-space:nowrap}"
        "pre{white-space:pre-wrap;background:#fafafa;padding:.5rem;max-height:20rem;overflow:auto;margin:.2rem 0}"
        ".status{font-size:.8rem;padding:.1rem .4rem;border-radius:4px;background:#eee}.SUCCEEDED{background:#dfd}"
        ".RUNNING{background:#def}.FAILED,.TIMED_OUT{background:#fdd}.ABORTED{background:#fec}.error{color:#a00}"
        "</style></head><body>"
        f"<h1>Workflow runs of lead {html.escape(lead_id)}</h1>"
        f"<p><a href=/outbox>Outbox</a> · <a href=\"/executions.json?lead={query}\">JSON</a> · "
        f"{len(executions)} executions, oldest first{'; refreshing every 5 s while one runs' if running else ''}.</p>"
        f"{body}</body></html>"
    )
