"""`python -m local`: the whole CRM on 127.0.0.1 (DynamoDB Local, moto, our handlers, one HTTP port)."""

from __future__ import annotations

import argparse
import faulthandler
import logging
import os
import signal
import threading
import time
from collections.abc import Mapping, MutableMapping
from contextlib import ExitStack
from pathlib import Path
from types import FrameType

import boto3

from local.auth import machine_clients
from local.call_recorder import CALL_LOG_ENV, record_to
from local.demo_data import DEMO_USERS, seed_demo_data, seed_demo_deals, seed_demo_leads
from local.dynamodb_local import DynamoDBLocal
from local.http_server import start_http_server
from local.lambda_dispatch import add_shared_code_to_path, invoke_function, load_handler
from local.moto_stack import MotoStack
from local.provision import create_buckets, create_queues, create_secrets, create_tables
from local.queues import QueuePoller
from local.scheduler import Scheduler
from local.telephony import set_up_telephony
from local.template import (
    REGION,
    REPO_ROOT,
    FunctionSpec,
    Resolver,
    bucket_names,
    function_specs,
    load_template,
    queue_specs,
    ses_configuration_set_names,
    state_machine_specs,
)
from local.websocket import CALLBACK_URL_ENV

DEFAULT_DATA_DIR = REPO_ROOT / ".local" / "data" / "dynamodb"
PARAMETER_ENV_PREFIX = "CRM_PARAM_"
DEFAULT_CLOCK_SPEEDUP = "60"

_log = logging.getLogger("local")


def _read_secrets_once(secret_ids: list[str]) -> None:
    """The functions read a secret once per process (crm.integrations.secrets), and locally they all share this one:
    it reads them now, while moto is idle, rather than in the first requests, behind the demo workflows that keep
    moto busy right after the start (a webhook's first read then took 7 to 19 s and answered 503)."""
    from crm.integrations.secrets import secret_string

    for secret_id in secret_ids:
        secret_string(secret_id)


def local_parameters(port: int, environ: Mapping[str, str]) -> dict[str, str]:
    """Values for the template's parameters: local defaults, then CRM_PARAM_<Name> from the environment."""
    base_url = f"http://127.0.0.1:{port}"
    parameters = {
        "SenderAddress": "crm@example.com",
        "BoardUrl": base_url,
        "AllowedOrigins": f"{base_url},http://localhost:{port}",
        "PublicLinksUrl": base_url,
        "TelephonyPublicUrl": base_url,  # providers (the local simulator) call the webhooks on this port
        "SenderPostalAddress": "Demo CRM Ltd, 1 Example Street, 10115 Berlin, Germany",
    }
    parameters.update({key.removeprefix(PARAMETER_ENV_PREFIX): value for key, value in environ.items()
                       if key.startswith(PARAMETER_ENV_PREFIX)})
    return parameters


SHORTEST_WINS = frozenset({"FUNCTION_TIMEOUT_SECONDS"})
"""Per-function limits the one process keeps at their strictest: every handler's AWS calls then give up in time."""


def merged_environment(functions: list[FunctionSpec]) -> dict[str, str]:
    """One process runs every handler, so one environment must satisfy them all; conflicts are fatal, except for
    SHORTEST_WINS."""
    merged: dict[str, str] = {}
    owners: dict[str, str] = {}
    for function in functions:
        for key, value in function.environment.items():
            if key in SHORTEST_WINS and key in merged:
                value = min(merged[key], value, key=float)
            elif key in merged and merged[key] != value:
                raise SystemExit(f"{function.logical_id} sets {key}={value!r} but {owners[key]} sets "
                                 f"{merged[key]!r}: the local stack runs all handlers in one process")
            merged[key], owners[key] = value, function.logical_id
    return merged


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__)
    parser.add_argument("--in-memory", action="store_true",
                        help="keep DynamoDB data in memory (lost on exit) instead of the data folder")
    return parser.parse_args(argv)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM and SIGINT unwind like Ctrl-C, so every process started so far is stopped."""
    raise KeyboardInterrupt


def _print_banner(base_url: str, data: str, seeded: bool) -> None:
    print(f"\nCRM running at {base_url}\n  sign in: {base_url}/login.html (pick a demo user)\n"
          f"  outbox:  {base_url}/outbox\n  telephony: {base_url}/local/telephony\n  data:    {data}", flush=True)
    print(f"  demo users ({'created now' if seeded else 'from earlier runs'}):")
    for user in DEMO_USERS:
        print(f"    {user.role:<8} {user.name:<15} {user.email:<22} {user.phone}  {user.language}")
    for client in machine_clients().values():
        print(f"  integration client (secret new each run): {client.client_id} / {client.secret}\n"
              f"    scopes: {' '.join(client.scopes)}; a token: curl -u '{client.client_id}:{client.secret}' "
              f"-d grant_type=client_credentials {base_url}/local/oauth2/token")
    print("Ctrl-C stops everything.", flush=True)


def _index_kept_records() -> None:
    """Search items for records kept in the data folder from before search existed (once per index version)."""
    from crm.services.search_rebuild import rebuild_once

    rebuilt = rebuild_once()
    if rebuilt:
        _log.info("search items written for the records kept from earlier runs: %s", rebuilt)


def run(args: argparse.Namespace, environ: MutableMapping[str, str]) -> None:
    if environ.get(CALL_LOG_ENV):  # the test suite's permission check reads what our handlers call
        record_to(Path(environ[CALL_LOG_ENV]))
    port = int(environ.get("PORT", "8000"))
    template = load_template()
    resolver = Resolver(template, local_parameters(port, environ))
    functions = function_specs(template, resolver)
    state_machines = state_machine_specs(template, resolver)
    function_environment = merged_environment(functions)
    data_dir = None if args.in_memory else Path(environ.get("CRM_DATA_DIR") or DEFAULT_DATA_DIR).resolve()

    environ.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                    "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION})
    environ.pop("AWS_SESSION_TOKEN", None)
    environ.pop("AWS_PROFILE", None)

    with ExitStack() as running:
        ready = threading.Event()
        server = start_http_server(port, functions, invoke_function, ready, state_machines=state_machines)
        running.callback(server.server_close)
        running.callback(server.shutdown)

        database = DynamoDBLocal(data_dir=data_dir)
        running.callback(database.stop)
        database.start()
        environ["AWS_ENDPOINT_URL_DYNAMODB"] = database.endpoint
        created = create_tables(template, resolver, boto3.client("dynamodb", endpoint_url=database.endpoint))
        _log.info("DynamoDB Local on %s; tables created: %s", database.endpoint, created or "none (kept)")

        moto = MotoStack()
        running.callback(moto.stop)
        moto.start()
        environ["AWS_ENDPOINT_URL"] = moto.endpoint
        environ.update(function_environment)
        # pushes reach the WebSocket API's management API, served apart from the HTTP server's workers (websocket.py)
        environ[CALLBACK_URL_ENV] = server.websockets.serve_management()
        environ["CLOCK_SPEEDUP"] = environ.get("CLOCK_SPEEDUP") or DEFAULT_CLOCK_SPEEDUP
        moto.create_functions(functions)
        moto.create_state_machines(state_machines)
        moto.set_up_email(resolver.parameters["SenderAddress"], ses_configuration_set_names(template, resolver))
        create_queues(queue_specs(template, resolver), moto.client("sqs"))
        create_buckets(bucket_names(template, resolver), moto.client("s3"))
        secret_names = create_secrets(template, resolver, moto.client("secretsmanager"), data_dir)
        set_up_telephony(template, resolver, moto.client("secretsmanager"), data_dir, f"http://127.0.0.1:{port}",
                         environ)  # local/telephony.py: local provider keys, the simulator's API URLs

        add_shared_code_to_path()
        _read_secrets_once([resolver.ref(logical_id) for logical_id in secret_names])
        for function in functions:  # a handler that cannot load stops the start, instead of failing its requests
            load_handler(function.code_dir, function.handler)
        seeded = seed_demo_data()
        if seeded:
            seed_demo_leads()
            seed_demo_deals()
        _index_kept_records()
        scheduler = Scheduler(functions, invoke_function).start()
        running.callback(scheduler.stop)
        queues = QueuePoller(functions, invoke_function, moto.client("sqs")).start()
        running.callback(queues.stop)

        ready.set()  # until now every request but /healthz, /config.json and the static site answers 503
        _print_banner(f"http://127.0.0.1:{port}", str(data_dir or "in memory"), bool(seeded))
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("Stopping the local stack...", flush=True)


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # also when started in the background, where SIGINT is ignored
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 <pid>` prints where every thread is
    try:
        run(_parse_args(argv), os.environ)
    except KeyboardInterrupt:
        print("Stopped during start-up.", flush=True)


if __name__ == "__main__":
    main()
