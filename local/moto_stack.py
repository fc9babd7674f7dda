"""moto in this process: Step Functions (with its ASL interpreter), Lambda, SES and SNS on loopback."""

from __future__ import annotations

import functools
import io
import json
import os
import zipfile
from typing import Any

import boto3
import requests
from moto.core.models import botocore_stubber
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for

from local.dynamodb_local import free_port
from local.lambda_dispatch import install_dispatcher, register_function
from local.outbox import record_email_send_requests, record_sms_send_times
from local.template import REGION, FunctionSpec, StateMachineSpec

LOCAL_ROLE_NAME = "crm-local"
LOCAL_ROLE_ARN = f"arn:aws:iam::123456789012:role/{LOCAL_ROLE_NAME}"
_ASSUME_ROLE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]}}]})
_PLACEHOLDER_CODE = "def handler(event, context):\n    raise RuntimeError('dispatched locally')\n"


def _placeholder_zip() -> bytes:
    """moto wants code to create a function; the dispatcher never runs it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("placeholder.py", _PLACEHOLDER_CODE)
    return buffer.getvalue()


@functools.cache
def _shared_client(region: str, service: str, moto_port: str | None, intercepting: bool) -> Any:
    return boto_client_for(region=region, service=service)


def _lambda_client(region: str, service: str, state_credentials: Any = None) -> Any:
    """One client per region (boto3 clients are thread-safe; moto ignores the state's credentials), keyed also by
    what moto reads to make one: its server's port and whether in-process mocks intercept the calls."""
    return _shared_client(region, service, os.environ.get("MOTO_PORT"), botocore_stubber.enabled)


def cache_interpreter_work() -> None:
    """moto's ASL interpreter redoes three things for every execution that give the same result each time: it parses
    the definition (antlr4 in pure Python), builds a JSONPath parser (ply's tables) for every path it reads, and makes
    a boto3 client for every Lambda task. Under a burst of leads that was about 3/4 of the stack's CPU, and the form
    posts waited for it. What they make holds no execution's state (that lives in each execution's Environment), so
    the runs share it."""
    if hasattr(AmazonStateLanguageParser.parse, "cache_info"):
        return
    AmazonStateLanguageParser.parse = staticmethod(functools.lru_cache(maxsize=32)(AmazonStateLanguageParser.parse))
    json_path.parse = functools.lru_cache(maxsize=1024)(json_path.parse)
    result_path.parse = functools.lru_cache(maxsize=1024)(result_path.parse)
    lambda_eval_utils.boto_client_for = _lambda_client


class MotoStack:
    """A ThreadedMotoServer on 127.0.0.1 whose state machines run and whose Lambdas are our handlers.

    MOTO_PORT is set to the server's port: the Step Functions interpreter calls back through it.
    moto only creates functions whose role exists, so one local role serves them all.
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id="local", aws_secret_access_key="local")

    def start(self) -> MotoStack:
        os.environ["MOTO_PORT"] = str(self.port)
        cache_interpreter_work()
        install_dispatcher()
        record_sms_send_times()
        record_email_send_requests()
        self._server.start()
        # moto's backends are process-wide: a new stack starts from nothing, whatever ran before it.
        requests.post(f"{self.endpoint}/moto-api/reset", timeout=10).raise_for_status()
        response = requests.post(f"{self.endpoint}/moto-api/config",
                                 json={"stepfunctions": {"execute_state_machine": True}}, timeout=10)
        response.raise_for_status()
        self.client("iam").create_role(RoleName=LOCAL_ROLE_NAME, AssumeRolePolicyDocument=_ASSUME_ROLE_POLICY)
        return self

    def stop(self) -> None:
        # moto's config is process-wide too: later in-process mocks must not run state machines they only create
        requests.post(f"{self.endpoint}/moto-api/config",
                      json={"stepfunctions": {"execute_state_machine": False}}, timeout=10).raise_for_status()
        self._server.stop()

    def create_functions(self, specs: list[FunctionSpec]) -> None:
        lambda_client = self.client("lambda")
        code = _placeholder_zip()
        for spec in specs:
            register_function(spec.name, spec.code_dir)
            lambda_client.create_function(
                FunctionName=spec.name, Runtime="python3.12", Role=LOCAL_ROLE_ARN, Handler=spec.handler,
                Code={"ZipFile": code}, Timeout=spec.timeout, MemorySize=spec.memory_size,
                Environment={"Variables": spec.environment},
            )

    def create_state_machines(self, specs: list[StateMachineSpec]) -> None:
        stepfunctions = self.client("stepfunctions")
        for spec in specs:
            created = stepfunctions.create_state_machine(
                name=spec.name, definition=spec.definition(), roleArn=LOCAL_ROLE_ARN, type="STANDARD")
            if created["stateMachineArn"] != spec.arn:
                raise RuntimeError(f"{spec.logical_id}: moto made {created['stateMachineArn']}, "
                                   f"the template resolves {spec.arn}")

    def set_up_email(self, sender_address: str, configuration_sets: list[str]) -> None:
        """Verifies the sender (moto refuses unverified senders) and creates the configuration sets."""
        ses = self.client("ses")
        ses.verify_email_identity(EmailAddress=sender_address)
        for name in configuration_sets:
            ses.create_configuration_set(ConfigurationSet={"Name": name})
