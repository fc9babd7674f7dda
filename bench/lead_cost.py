"""What one nurtured lead costs on AWS: the default 12-email sequence run on the local stack, priced.

Run from the repo root: `.venv/bin/python bench/lead_cost.py` (or `make bench-cost`). It starts DynamoDB Local
(in memory) and moto in this process, provisions tables, functions and both state machines from template.yaml,
posts one nurturable lead with consent through the intake handler and lets the real lead lifecycle ASL run the
whole default sequence with time compressed (CLOCK_SPEEDUP), no opens, so it ends with the big bang email and
the demotion to no prospect. It counts:
- state transitions, from the executions' histories (every state entered is one billed transition);
- Lambda invocations and their wall time (billed as GB-seconds at the template's memory size);
- DynamoDB read and write units, by asking every call for ReturnConsumedCapacity=TOTAL;
- emails and SMS sent;
then prices them with the list prices below and prints one JSON object. Targets: at most 4 state transitions per
email step and at most $3 per 1,000 leads.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
for _path in (str(REPO_ROOT / "functions" / "shared"), str(REPO_ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from bench._capacity import CapacityMeter, log, metered_dynamodb  # noqa: E402

# AWS list prices, us-east-1, on-demand, as published in 2026 (USD)
PRICES = {
    "step_functions_per_transition": 0.025 / 1000,  # Standard workflows
    "lambda_per_request": 0.20 / 1_000_000,
    "lambda_per_gb_second_arm64": 0.0000133334,
    "dynamodb_per_write_unit": 0.625 / 1_000_000,  # on-demand write request unit
    "dynamodb_per_read_unit": 0.125 / 1_000_000,  # on-demand read request unit
    "ses_per_email": 0.10 / 1000,
    "sns_sms_per_message_us": 0.00645,  # transactional SMS to a US number; other countries differ
}
TARGETS = {"transitions_per_email_step": 4, "usd_per_1000_leads": 3.0}
SPEEDUP = os.environ.get("BENCH_CLOCK_SPEEDUP", "5000000")  # 254 days in about 5 s
PARAMETERS = {"SenderAddress": "crm@example.com", "BoardUrl": "http://127.0.0.1", "PublicLinksUrl": "http://127.0.0.1",
              "SenderPostalAddress": "Demo CRM Ltd, 1 Example Street, Berlin"}
LEAD = {"name": "Nora Nurture", "email": "nora@example.org", "country": "GB", "company": "Initech Ltd",
        "message": "Our spreadsheets no longer keep up with the leads", "marketing_consent": True,
        "consent_text": "Yes, send me news"}
def _histories(stepfunctions: Any, machine_arns: list[str]) -> list[dict[str, Any]]:
    runs = []
    for arn in machine_arns:
        for execution in stepfunctions.list_executions(stateMachineArn=arn)["executions"]:
            events = stepfunctions.get_paginator("get_execution_history").paginate(
                executionArn=execution["executionArn"]).build_full_result()["events"]
            entered = [event["stateEnteredEventDetails"]["name"] for event in events
                       if "stateEnteredEventDetails" in event]
            runs.append({"name": execution["name"], "status": execution["status"], "entered": entered})
    return runs


class Meter(CapacityMeter):
    """DynamoDB capacity units, plus the Lambda invocations and their wall time, while the lead runs."""

    def __init__(self) -> None:
        super().__init__()
        self.invocations: Counter[str] = Counter()
        self.lambda_seconds = 0.0


@contextmanager
def metered(meter: Meter) -> Iterator[None]:
    """DynamoDB calls report their capacity; every Lambda invocation inside moto is counted and timed."""
    from moto.awslambda.models import LambdaFunction

    original_invoke = LambdaFunction._invoke_lambda

    def invoke(self: LambdaFunction, event: Any = None) -> Any:
        started = time.perf_counter()
        try:
            return original_invoke(self, event)
        finally:
            if meter.recording:
                meter.invocations[self.function_name] += 1
                meter.lambda_seconds += time.perf_counter() - started

    LambdaFunction._invoke_lambda = invoke  # type: ignore[method-assign]
    try:
        with metered_dynamodb(meter):
            yield
    finally:
        LambdaFunction._invoke_lambda = original_invoke  # type: ignore[method-assign]


def run() -> dict[str, Any]:
    import boto3

    from local.dynamodb_local import DynamoDBLocal
    from local.lambda_dispatch import invoke_function
    from local.moto_stack import MotoStack
    from local.provision import create_secrets, create_tables
    from local.template import (
        Resolver,
        function_specs,
        load_template,
        ses_configuration_set_names,
        state_machine_specs,
    )

    os.environ.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
                       "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING"})
    template = load_template()
    resolver = Resolver(template, PARAMETERS)
    functions = function_specs(template, resolver)
    machines = state_machine_specs(template, resolver)
    meter = Meter()
    database = DynamoDBLocal(data_dir=None)
    database.start()
    moto = MotoStack().start()
    try:
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = database.endpoint
        create_tables(template, resolver, boto3.client("dynamodb", endpoint_url=database.endpoint))
        os.environ["AWS_ENDPOINT_URL"] = moto.endpoint
        for function in functions:
            os.environ.update(function.environment)
        os.environ["CLOCK_SPEEDUP"] = SPEEDUP
        moto.create_functions(functions)
        moto.create_state_machines(machines)
        moto.set_up_email(PARAMETERS["SenderAddress"], ses_configuration_set_names(template, resolver))
        create_secrets(template, resolver, moto.client("secretsmanager"))
        from local.demo_data import seed_demo_data

        seed_demo_data()
        intake = next(function for function in functions if function.handler == "app.handler"
                      and ("POST", "/leads") in {(route.method, route.path) for route in function.api_routes})
        event = {"httpMethod": "POST", "path": "/leads", "resource": "/leads", "body": json.dumps(LEAD),
                 "headers": {"Content-Type": "application/json"}, "isBase64Encoded": False,
                 "requestContext": {"requestId": "bench", "stage": "v1", "identity": {"sourceIp": "192.0.2.1"}}}
        with metered(meter):
            meter.recording = True
            started = time.perf_counter()
            response = invoke_function(intake, event)
            meter.invocations[intake.name] += 1
            meter.lambda_seconds += time.perf_counter() - started
            assert response["statusCode"] == 201, response
            from crm.data.leads import contact_point_owners, get_lead, lead_pk, timeline

            (lead_id,) = contact_point_owners(LEAD["email"], None).values()  # the public answer names no lead
            stepfunctions = moto.client("stepfunctions")
            arns = [machine.arn for machine in machines]
            deadline = time.monotonic() + 300
            while any(execution["status"] == "RUNNING" for arn in arns
                      for execution in stepfunctions.list_executions(stateMachineArn=arn)["executions"]):
                if time.monotonic() > deadline:
                    raise TimeoutError("the lead's workflows did not finish in 5 minutes")
                time.sleep(0.2)
            meter.recording = False
        elapsed = time.perf_counter() - started
        histories = _histories(stepfunctions, arns)
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends
        from moto.sns.models import sns_backends

        lead = get_lead(lead_id)
        nurture_emails = sum(event.event_type == "nurture_email_sent" for event in timeline(lead_pk(lead_id), 500))
        emails = ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages
        lead_emails = [message for message in emails if LEAD["email"] in message.destinations]
        sms = len(sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages)
    finally:
        moto.stop()
        database.stop()
    return _report(meter, histories, {"total": len(emails), "to_lead": len(lead_emails), "nurture": nurture_emails},
                   sms, lead, elapsed, functions)


def _report(meter: Meter, histories: list[dict[str, Any]], emails: dict[str, int], sms: int, lead: Any,
            elapsed: float, functions: list[Any]) -> dict[str, Any]:
    transitions = sum(len(run["entered"]) for run in histories)
    loop = sum(run["entered"].count(state) for run in histories
               for state in ("NurtureStep", "NurtureChoice", "WaitForNurtureStep"))
    nurture_steps = sum(run["entered"].count("NurtureStep") for run in histories)
    memory_gb = max(function.memory_size for function in functions) / 1024
    cost = {
        "step_functions": transitions * PRICES["step_functions_per_transition"],
        "lambda": sum(meter.invocations.values()) * PRICES["lambda_per_request"]
        + meter.lambda_seconds * memory_gb * PRICES["lambda_per_gb_second_arm64"],
        "dynamodb": meter.write_units * PRICES["dynamodb_per_write_unit"]
        + meter.read_units * PRICES["dynamodb_per_read_unit"],
        "ses": emails["total"] * PRICES["ses_per_email"],
    }
    per_lead = sum(cost.values())
    figures = {
        "lead": {"cycle": lead.cycle, "nurture_ended": lead.nurture.ended if lead.nurture else None,
                 "status": lead.status},
        "executions": [{"name": run["name"], "status": run["status"], "transitions": len(run["entered"])}
                       for run in histories],
        "state_transitions": transitions,
        "nurture_loop_transitions": loop,
        "nurture_steps": nurture_steps,
        "nurture_emails": emails["nurture"],
        "emails_to_lead": emails["to_lead"],  # nurture plus status-change messages (L11)
        "emails_total": emails["total"],  # plus the rep's new-lead email
        "sms": sms,
        "transitions_per_email_step": round(loop / max(emails["nurture"], 1), 2),
        "transitions_per_sequence_step": round(loop / max(nurture_steps, 1), 2),
        "lambda_invocations": dict(meter.invocations),
        "lambda_seconds_local": round(meter.lambda_seconds, 3),
        "dynamodb_calls": dict(meter.calls),
        "dynamodb_read_units": round(meter.read_units, 1),
        "dynamodb_write_units": round(meter.write_units, 1),
        "usd_per_lead_by_service": {name: round(value, 7) for name, value in cost.items()},
        "usd_per_1000_leads": round(per_lead * 1000, 3),
        "usd_per_1000_leads_rep_sms_extra": round(sms * PRICES["sns_sms_per_message_us"] * 1000, 3),
        "wall_seconds": round(elapsed, 1),
        "clock_speedup": float(SPEEDUP),
        "prices": PRICES,
        "targets": TARGETS,
    }
    figures["meets_targets"] = {
        "transitions_per_email_step": figures["transitions_per_email_step"] <= TARGETS["transitions_per_email_step"],
        "usd_per_1000_leads": figures["usd_per_1000_leads"] <= TARGETS["usd_per_1000_leads"],
    }
    return figures


def main() -> None:
    log(f"one nurtured lead through the default sequence, clock x{SPEEDUP}")
    with contextlib.redirect_stdout(sys.stderr):  # the handlers' logs and metrics: stdout is for the figures
        figures = run()
    print(json.dumps(figures, indent=2))
    log(f"{figures['nurture_emails']} nurture emails, {figures['state_transitions']} transitions "
        f"({figures['transitions_per_email_step']} per email step), ${figures['usd_per_1000_leads']} per 1,000 leads")


if __name__ == "__main__":
    main()
