"""Run our Lambda handlers in this process: for HTTP routes, schedules and moto's Lambda invocations.

moto would run a function in Docker; replacing `LambdaFunction._invoke_lambda` sends every
invocation inside moto (Invoke, Step Functions Lambda tasks, EventBridge/SQS/stream triggers) to
the handler named by the function's Handler, loaded from the CodeUri registered for its name.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from moto.awslambda.models import LambdaFunction

from local.call_recorder import running
from local.template import REPO_ROOT, FunctionSpec, function_arn

SHARED_CODE_DIR = REPO_ROOT / "functions" / "shared"

Handler = Callable[[Any, Any], Any]

_log = logging.getLogger(__name__)
_import_lock = threading.RLock()
_code_dirs: dict[str, Path] = {}


@dataclass
class LocalLambdaContext:
    """The attributes of the Lambda runtime's context object that handlers and powertools read."""

    function_name: str
    memory_limit_in_mb: int = 512
    timeout_seconds: int = 10
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    identity: Any = None
    client_context: Any = None
    tenant_id: str | None = None
    _deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds

    @property
    def invoked_function_arn(self) -> str:
        return function_arn(self.function_name)

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/[{self.function_version}]{self.aws_request_id.replace('-', '')}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _module_name(code_dir: Path, module_path: str) -> str:
    """A name unique per CodeUri: functions/lead_intake/app.py and functions/billing/app.py differ."""
    folder = re.sub(r"\W", "_", code_dir.resolve().as_posix())
    return f"_local_lambda_{folder}__{module_path.replace('.', '__')}"


def add_shared_code_to_path() -> None:
    """Makes the SAM layer's package (crm) importable, as the layer does on AWS."""
    if str(SHARED_CODE_DIR) not in sys.path:
        sys.path.insert(0, str(SHARED_CODE_DIR))


def _import_from_file(code_dir: Path, module_path: str) -> ModuleType:
    name = _module_name(code_dir, module_path)
    with _import_lock:
        if name in sys.modules:
            return sys.modules[name]
        file = code_dir.joinpath(*module_path.split(".")).with_suffix(".py")
        if not file.is_file():
            raise FileNotFoundError(f"handler module {file} does not exist")
        add_shared_code_to_path()
        if str(code_dir) not in sys.path:  # Lambda imports from the code's folder too (Chalice's chalicelib)
            sys.path.append(str(code_dir))
        spec = importlib.util.spec_from_file_location(name, file)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {file}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
        return module


def load_handler(code_dir: Path, handler: str) -> Handler:
    """Loads e.g. `app.handler` from `code_dir`/app.py (SAM's Handler = module path + attribute)."""
    module_path, _, attribute = handler.rpartition(".")
    if not module_path:
        raise ValueError(f"Handler {handler!r} must be <module>.<function>")
    target = getattr(_import_from_file(code_dir, module_path), attribute, None)
    if not callable(target):
        raise AttributeError(f"{code_dir}/{module_path}.py has no callable {attribute!r}")
    return target


def call_handler(code_dir: Path, handler: str, event: Any, context: LocalLambdaContext) -> Any:
    """Runs a function's handler as Lambda would; its AWS calls are the function's (local.call_recorder)."""
    target = load_handler(code_dir, handler)
    with running(code_dir, handler):
        return target(event, context)


def invoke_function(spec: FunctionSpec, event: Any) -> Any:
    """Calls the function's handler directly (HTTP routes, schedules); exceptions propagate."""
    context = LocalLambdaContext(function_name=spec.name, memory_limit_in_mb=spec.memory_size,
                                 timeout_seconds=spec.timeout)
    return call_handler(spec.code_dir, spec.handler, event, context)


def register_function(name: str, code_dir: Path) -> None:
    """Tells the dispatcher where the code of the moto function `name` lives."""
    _code_dirs[name] = code_dir


def error_payload(exc: BaseException, request_id: str) -> dict[str, Any]:
    """The Lambda runtime's error body; Step Functions matches Retry/Catch on its errorType."""
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_exception(exc),
    }


def _dispatch(function: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
    """Replacement of LambdaFunction._invoke_lambda: (payload JSON, errored, logs)."""
    if isinstance(event, str | bytes):
        event = json.loads(event or "{}")
    name = function.function_name
    context = LocalLambdaContext(function_name=name, memory_limit_in_mb=int(function.memory_size),
                                 timeout_seconds=int(function.timeout))
    try:
        if name not in _code_dirs:
            raise LookupError(f"no local code registered for Lambda function {name}")
        result = call_handler(_code_dirs[name], function.handler, event if event is not None else {}, context)
        return json.dumps(result, default=str), False, ""
    except Exception as exc:
        _log.exception("Lambda function %s (%s) failed", name, function.handler)
        return json.dumps(error_payload(exc, context.aws_request_id)), True, ""


def install_dispatcher() -> None:
    """Routes every Lambda invocation inside moto to our in-process handlers (idempotent)."""
    LambdaFunction._invoke_lambda = _dispatch  # type: ignore[method-assign]
