"""The build recipe of the Lambda artifacts that install packages: the SharedLayer and the board function.

SAM builds both with `BuildMethod: makefile`: it runs `make build-<LogicalId>` with the Makefile beside their code
and ARTIFACTS_DIR set, and that Makefile runs `python -m deploy.build {layer|function} <code dir> $ARTIFACTS_DIR`.
The tests run the very same recipe (tests/infra/test_artifacts.py), once for Lambda and once for this machine, so
that every handler can be imported from what would ship.

What it does, beyond `pip install -r requirements.txt`:
- wheels for the Lambda platform (python3.12 on arm64, as template.yaml's Globals say), never the build machine's;
- the AWS SDK stays out: the Lambda runtime ships boto3, botocore and their dependencies as a matched set, and a
  botocore pulled in by pynamodb or the X-Ray SDK would shadow the runtime's without its boto3;
- packages of which Lambda runs only a few files ship only those (Chalice: its CLI drags in click, pip, setuptools
  and botocore);
- the installed packages are cached under .cache/build/, keyed by the requirements, the target and this recipe, so a
  rebuild only copies the code.

Standard library only: SAM runs it with whatever python3 is on PATH (with pip).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "build"


@dataclass(frozen=True)
class Target:
    """Where the artifact runs: the wheels' platform tag and Python version."""

    platform: str
    python: str

    @property
    def site_packages(self) -> str:
        """Where Lambda looks for packages inside a layer, besides python/ itself."""
        return f"python/lib/python{self.python}/site-packages"


LAMBDA = Target("manylinux2014_aarch64", "3.12")  # template.yaml: Runtime python3.12, Architectures [arm64]


def host() -> Target:
    """This machine's interpreter, for builds that must be imported here (the tests)."""
    machine = sysconfig.get_platform().split("-", 1)[1].replace("-", "_")  # linux-x86_64 -> x86_64
    return Target(f"manylinux2014_{machine}", f"{sys.version_info.major}.{sys.version_info.minor}")


RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "urllib3", "six")
"""The AWS SDK and its dependencies, as the Lambda Python runtime ships them: never shipped in an artifact."""

RUNTIME_PARTS = {"chalice": ("chalice/__init__.py", "chalice/app.py")}
"""Packages installed without their dependencies and cut to what Lambda runs (chalice/app.py says it is standalone,
made to be copied into deployment packages)."""

SOURCE_EXCLUDES = ("__pycache__", "*.pyc", "requirements.txt", "Makefile")


def build(kind: str, source: Path, artifacts: Path, target: Target = LAMBDA, cache: Path = CACHE) -> Path:
    """Writes the artifact of `source` (a layer's python/ tree or a function's root) into `artifacts`; answers the
    directory Lambda imports from."""
    root = artifacts / "python" if kind == "layer" else artifacts
    root.mkdir(parents=True, exist_ok=True)
    requirements = source / "requirements.txt"
    if requirements.exists():
        _link_tree(installed(requirements, target, cache), root)
    shutil.copytree(source, root, ignore=shutil.ignore_patterns(*SOURCE_EXCLUDES), dirs_exist_ok=True)
    return root


def installed(requirements: Path, target: Target, cache: Path = CACHE) -> Path:
    """The requirements installed for `target` and pruned, from the cache when they were installed before."""
    recipe = Path(__file__).read_bytes()
    key = hashlib.sha256(b"\0".join([requirements.read_bytes(), str(target).encode(), recipe])).hexdigest()[:16]
    done = cache / f"py{target.python}-{target.platform}-{key}"
    if done.is_dir():
        return done
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".installing-", dir=cache))
    try:
        lines = _requirement_lines(requirements)
        whole = [line for line in lines if _name(line) not in RUNTIME_PARTS]
        cut = [line for line in lines if _name(line) in RUNTIME_PARTS]
        if whole:
            _pip_install(whole, work, target)
        if cut:
            _pip_install(cut, work, target, "--no-deps")
        for name in RUNTIME_PROVIDED:
            _remove_distribution(work, name)
        for name, kept in RUNTIME_PARTS.items():
            _remove_distribution(work, name, keep=set(kept))
        shutil.rmtree(work / "bin", ignore_errors=True)  # console scripts for the build machine's interpreter
        try:
            work.rename(done)
        except OSError:  # a parallel build got there first: same inputs, same result
            shutil.rmtree(work)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return done


def normalized(name: str) -> str:
    """A distribution name as PEP 503 compares them (python_dateutil == python-dateutil)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    if not match:
        raise ValueError(f"not a requirement: {requirement!r}")
    return normalized(match.group())


def _requirement_lines(requirements: Path) -> list[str]:
    lines = []
    for raw in requirements.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            raise ValueError(f"{requirements}: options are not supported by the build recipe: {line}")
        lines.append(line)
    return lines


def _pip_install(requirements: list[str], target_dir: Path, target: Target, *options: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
         "--target", str(target_dir), "--platform", target.platform, "--implementation", "cp",
         "--python-version", target.python, "--only-binary=:all:", *options, *requirements],
        check=True)


def _remove_distribution(site: Path, name: str, keep: Collection[str] = ()) -> None:
    """Deletes an installed distribution's files (its RECORD) but those in `keep`, and its metadata."""
    for info in site.glob("*.dist-info"):
        if normalized(info.name.removesuffix(".dist-info").rsplit("-", 1)[0]) != normalized(name):
            continue
        record = info / "RECORD"
        rows = csv.reader(record.read_text(encoding="utf-8").splitlines()) if record.exists() else ()
        for relative, *_ in rows:
            path = (site / relative).resolve()
            if relative not in keep and path.is_relative_to(site.resolve()) and path.is_file():
                path.unlink()
        shutil.rmtree(info)
    for directory in sorted((path for path in site.rglob("*") if path.is_dir()), reverse=True):
        if not any(directory.iterdir()):
            directory.rmdir()


def _link_tree(source: Path, destination: Path) -> None:
    """Copies a cached tree, as hard links where the file system allows (the cache is never changed in place)."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, destination, copy_function=link, dirs_exist_ok=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.build", description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("kind", choices=("layer", "function"))
    parser.add_argument("source", type=Path, help="the code's folder (CodeUri or ContentUri)")
    parser.add_argument("artifacts", type=Path, help="where SAM wants the artifact (ARTIFACTS_DIR)")
    parser.add_argument("--host", action="store_true", help="build for this machine's Python instead of Lambda's")
    args = parser.parse_args(argv)
    build(args.kind, args.source.resolve(), args.artifacts.resolve(), host() if args.host else LAMBDA)


if __name__ == "__main__":
    main()
