"""Records the AWS calls each Lambda handler makes, as IAM sees them, for the permission test (tests/permissions).

A botocore `before-parameter-build` hook, added to every session created after `record_to` (boto3's, pynamodb's,
presigned URLs too: their signature carries the role's rights), notes the calls made while a handler runs, i.e.
inside `running(code_dir, handler)`; the local stack's dispatcher and the tests' invokers wrap every handler call in
it. Calls outside a handler (test setup, provisioning) are not recorded. The reader pool's threads carry the
running handler along.

Each distinct call is appended once per process to `<directory>/calls-<pid>.jsonl`: the handler, the operation,
the IAM actions on the resources it touches (identifiers as the code gave them; the checker turns them into ARNs)
and, for each identifier that is the value of an environment variable, that variable's name, so the checker can
follow it to what the template gives the function (TABLE_NAME -> !Ref CrmTable).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import botocore.handlers

from local.template import REPO_ROOT

CALL_LOG_ENV = "CRM_AWS_CALL_LOG"
"""A folder: when set, the local stack (`python -m local`) records its handlers' calls there."""

Resource = tuple[str, ...]  # a kind ("dynamodb:table", "states:execution" ...) and its identifiers
Access = tuple[str, Resource]  # an IAM action on a resource

_running: ContextVar[str | None] = ContextVar("crm_running_handler", default=None)


def handler_key(code_dir: Path, handler: str) -> str:
    """`functions/workflow_engine:app.notify_assignee`: the code folder (as in CodeUri) and the Handler."""
    folder = Path(code_dir).resolve()
    relative = folder.relative_to(REPO_ROOT) if folder.is_relative_to(REPO_ROOT) else folder
    return f"{relative.as_posix()}:{handler}"


@contextmanager
def running(code_dir: Path, handler: str) -> Iterator[None]:
    """The AWS calls made inside are the function's (code_dir, handler)."""
    token = _running.set(handler_key(code_dir, handler))
    try:
        yield
    finally:
        _running.reset(token)


# ---------------------------------------------------------------- what IAM authorizes for a call

_DYNAMODB_TRANSACT = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                      "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
_S3_ACTIONS = {"ListObjects": "ListBucket", "ListObjectsV2": "ListBucket", "HeadBucket": "ListBucket",
               "HeadObject": "GetObject", "CreateMultipartUpload": "PutObject", "UploadPart": "PutObject",
               "CompleteMultipartUpload": "PutObject", "DeleteObjects": "DeleteObject"}
_SES_SENDS = {"SendEmail", "SendRawEmail", "SendTemplatedEmail", "SendBulkTemplatedEmail", "SendBulkEmail"}
ANY: Resource = ("*",)


def _table(name: str, index: str | None = None) -> Resource:
    name = name.split(":table/", 1)[-1].split("/", 1)[0]  # TableName may be given as an ARN
    return ("dynamodb:index", name, index) if index else ("dynamodb:table", name)


def _dynamodb(operation: str, params: dict[str, Any]) -> list[Access]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return [(f"dynamodb:{_DYNAMODB_TRANSACT[kind]}", _table(request["TableName"]))
                for item in params.get("TransactItems", []) for kind, request in item.items()]
    if operation in ("BatchWriteItem", "BatchGetItem"):
        return [(f"dynamodb:{operation}", _table(name)) for name in params.get("RequestItems", {})]
    if "TableName" in params:
        return [(f"dynamodb:{operation}", _table(params["TableName"], params.get("IndexName")))]
    return [(f"dynamodb:{operation}", ANY)]


def _states(operation: str, params: dict[str, Any]) -> list[Access]:
    if "executionArn" in params:
        machine, _, name = params["executionArn"].replace(":execution:", ":stateMachine:").rpartition(":")
        return [(f"states:{operation}", ("states:execution", machine, name))]
    if "stateMachineArn" in params:
        return [(f"states:{operation}", ("states:stateMachine", params["stateMachineArn"]))]
    return [(f"states:{operation}", ANY)]


def _sender(operation: str, params: dict[str, Any]) -> str | None:
    sender = params.get("FromEmailAddress") or params.get("Source")
    raw = (params.get("Content", {}).get("Raw") or params.get("RawMessage") or {}).get("Data")
    if not sender and raw:
        sender = BytesHeaderParser().parsebytes(raw if isinstance(raw, bytes) else raw.encode()).get("From")
    return parseaddr(sender)[1] if sender else None


def _ses(operation: str, params: dict[str, Any]) -> list[Access]:
    if operation not in _SES_SENDS:
        return [(f"ses:{operation}", ANY)]
    sender = _sender(operation, params)
    resources = [("ses:identity", sender)] if sender else [ANY]
    if params.get("ConfigurationSetName"):
        resources.append(("ses:configuration-set", params["ConfigurationSetName"]))
    action = "ses:SendEmail" if operation == "SendBulkEmail" else f"ses:{operation}"
    return [(action, resource) for resource in resources]


def _sns(operation: str, params: dict[str, Any]) -> list[Access]:
    if params.get("PhoneNumber"):
        return [(f"sns:{operation}", ("sns:phone", params["PhoneNumber"]))]
    topic = params.get("TopicArn") or params.get("TargetArn")
    return [(f"sns:{operation}", ("sns:topic", topic) if topic else ANY)]


def _sqs(operation: str, params: dict[str, Any]) -> list[Access]:
    action = f"sqs:{operation.removesuffix('Batch')}"
    if "QueueUrl" in params:
        return [(action, ("sqs:queue", params["QueueUrl"]))]
    if "QueueName" in params:
        return [(action, ("sqs:queue-name", params["QueueName"]))]
    return [(action, ANY)]


def _s3(operation: str, params: dict[str, Any]) -> list[Access]:
    if operation == "CopyObject":
        source = params["CopySource"]
        bucket, key = (source["Bucket"], source["Key"]) if isinstance(source, dict) else source.split("/", 1)
        return [("s3:GetObject", ("s3:object", bucket, key)),
                ("s3:PutObject", ("s3:object", params["Bucket"], params["Key"]))]
    action = f"s3:{_S3_ACTIONS.get(operation, operation)}"
    if operation == "DeleteObjects":
        return [(action, ("s3:object", params["Bucket"], item["Key"])) for item in params["Delete"]["Objects"]]
    if "Key" in params:
        return [(action, ("s3:object", params["Bucket"], params["Key"]))]
    return [(action, ("s3:bucket", params["Bucket"]) if "Bucket" in params else ANY)]


_CONNECTION_METHODS = {"PostToConnection": "POST", "GetConnection": "GET", "DeleteConnection": "DELETE"}
CONNECTIONS_MARK = "/@connections/"


def _execute_api(operation: str, params: dict[str, Any]) -> list[Access]:
    """API Gateway's management API (apigatewaymanagementapi) is execute-api:ManageConnections on
    arn:...:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/@connections/<id>. The API and stage are the
    client's endpoint, so these calls are recorded before they are sent (`url`: the request's, endpoint included):
    the endpoint as the code gave it (WEBSOCKET_CALLBACK_URL), the method and the connection."""
    endpoint, _, connection = str(params.get("url", "")).partition(CONNECTIONS_MARK)
    if operation not in _CONNECTION_METHODS or not connection:
        return [(f"execute-api:{operation}", ANY)]
    return [("execute-api:ManageConnections",
             ("execute-api:connection", endpoint.rstrip("/"), _CONNECTION_METHODS[operation], unquote(connection)))]


def _by_parameter(parameter: str, kind: str) -> Callable[[str, str, dict[str, Any]], list[Access]]:
    def accesses(prefix: str, operation: str, params: dict[str, Any]) -> list[Access]:
        return [(f"{prefix}:{operation}", (kind, params[parameter]) if parameter in params else ANY)]
    return accesses


_SERVICES: dict[str, Callable[[str, str, dict[str, Any]], list[Access]]] = {
    "dynamodb": lambda prefix, operation, params: _dynamodb(operation, params),
    "states": lambda prefix, operation, params: _states(operation, params),
    "ses": lambda prefix, operation, params: _ses(operation, params),
    "sns": lambda prefix, operation, params: _sns(operation, params),
    "sqs": lambda prefix, operation, params: _sqs(operation, params),
    "s3": lambda prefix, operation, params: _s3(operation, params),
    "cognito-idp": _by_parameter("UserPoolId", "cognito-idp:userpool"),
    "lambda": _by_parameter("FunctionName", "lambda:function"),
    "cloudfront": _by_parameter("DistributionId", "cloudfront:distribution"),
    "secretsmanager": _by_parameter("SecretId", "secretsmanager:secret"),
    "execute-api": lambda prefix, operation, params: _execute_api(operation, params),
}
_RECORDED_WHEN_SENT = {"execute-api"}  # the resource is the endpoint's: known once the request is built


def iam_accesses(prefix: str, operation: str, params: dict[str, Any]) -> list[Access]:
    """The (action, resource) pairs IAM checks for `operation` of the service whose IAM prefix is `prefix`.

    DynamoDB transactions need each item's action on its table, a Query on an index the index; SES (v1 and v2)
    is `ses:`, Step Functions `states:`. An operation not known here is `prefix:Operation` on "*", which only a
    grant on "*" allows: teach this function its resources rather than widen a policy.
    """
    accesses = _SERVICES.get(prefix)
    return accesses(prefix, operation, params) if accesses else [(f"{prefix}:{operation}", ANY)]


def condition_context(prefix: str, operation: str, params: dict[str, Any]) -> dict[str, str]:
    """The condition keys a policy may test on this call (today: the sender SES sees)."""
    if prefix == "ses" and operation in _SES_SENDS:
        sender = _sender(operation, params)
        return {"ses:FromAddress": sender} if sender else {}
    return {}


# ---------------------------------------------------------------- recording

class _Recorder:
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"calls-{os.getpid()}.jsonl"
        self._seen: set[tuple[Any, ...]] = set()
        self._lock = threading.Lock()

    def __call__(self, params: dict[str, Any], model: Any, **kwargs: Any) -> None:
        service = model.service_model
        if (service.signing_name or service.endpoint_prefix) not in _RECORDED_WHEN_SENT:
            self._record(params, model)

    def before_call(self, params: dict[str, Any], model: Any, **kwargs: Any) -> None:
        """botocore's before-call: `params` is the request, its url resolved."""
        service = model.service_model
        if (service.signing_name or service.endpoint_prefix) in _RECORDED_WHEN_SENT:
            self._record({"url": params.get("url", "")}, model)

    def _record(self, params: dict[str, Any], model: Any) -> None:
        function = _running.get()
        if function is None:
            return
        service = model.service_model
        prefix = service.signing_name or service.endpoint_prefix
        accesses = list(dict.fromkeys(iam_accesses(prefix, model.name, params)))
        context = condition_context(prefix, model.name, params)
        key = (function, model.name, tuple(accesses), tuple(sorted(context.items())))
        if key in self._seen:
            return
        identifiers = {value for _, resource in accesses for value in resource[1:] if value} | set(context.values())
        aliases: dict[str, list[str]] = {}
        for name, value in sorted(os.environ.items()):
            if value in identifiers:
                aliases.setdefault(value, []).append(name)
        record = {
            "function": function,
            "operation": f"{prefix}:{model.name}",
            "accesses": accesses,
            "context": context,
            "aliases": aliases,
            "test": os.environ.get("PYTEST_CURRENT_TEST", "").removesuffix(" (call)"),
        }
        with self._lock:
            if key in self._seen:
                return
            self._seen.add(key)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as log:
                log.write(json.dumps(record) + "\n")


def _submit_in_handler(submit: Callable[..., Future]) -> Callable[..., Future]:
    """ThreadPoolExecutor.submit whose task runs as the handler that submitted it (the board's reader pool)."""
    def submit_as_handler(self: ThreadPoolExecutor, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        function = _running.get()
        if function is None:
            return submit(self, fn, *args, **kwargs)

        def run_as_handler(*inner_args: Any, **inner_kwargs: Any) -> Any:
            token = _running.set(function)
            try:
                return fn(*inner_args, **inner_kwargs)
            finally:
                _running.reset(token)

        return submit(self, run_as_handler, *args, **kwargs)
    return submit_as_handler


def record_to(directory: Path) -> None:
    """Records, from now on in this process, every handler's AWS calls into `directory` (idempotent)."""
    if any(isinstance(entry[1], _Recorder) for entry in botocore.handlers.BUILTIN_HANDLERS):
        return
    recorder = _Recorder(directory)
    botocore.handlers.BUILTIN_HANDLERS.append(("before-parameter-build", recorder))
    botocore.handlers.BUILTIN_HANDLERS.append(("before-call", recorder.before_call))
    ThreadPoolExecutor.submit = _submit_in_handler(ThreadPoolExecutor.submit)  # type: ignore[method-assign]
