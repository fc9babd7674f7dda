"""The deployment artifacts as `sam build` makes them from template.yaml, built offline, for the checks that only a
deployed stack would otherwise make (tests/infra/test_artifacts.py): does every handler import from its artifact
alone, what ships, how big it is.

Like SAM: a function or layer with `BuildMethod: makefile` is built by `make build-<LogicalId>` with the Makefile in
its code folder (the recipe in deploy/build.py); a function built by its runtime gets its code folder copied (SAM's
pip step is not played here: dependencies go through the recipe); inline code becomes index.py; a layer without a
BuildMethod is its folder as it is. `python -m deploy.artifacts` prints the sizes the README quotes.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deploy.build import LAMBDA, ROOT, RUNTIME_PROVIDED, SOURCE_EXCLUDES, Target, host, normalized

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
LAYER_TYPES = ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion")
UNZIPPED_LIMIT = 250 * 1024 * 1024  # a function and all its layers, unzipped
ZIPPED_LIMIT = 50 * 1024 * 1024  # one .zip uploaded to Lambda
IMPORT_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Layer:
    logical_id: str
    root: Path  # what Lambda unpacks into /opt
    source: Path  # its folder in this repository

    def python_paths(self, target: Target) -> list[Path]:
        """The folders of this layer that Lambda puts on sys.path, in its order."""
        return [path for path in (self.root / target.site_packages, self.root / "python") if path.is_dir()]


@dataclass(frozen=True)
class Function:
    logical_id: str
    handler: str
    root: Path  # what Lambda unpacks into /var/task
    source: Path | None  # the code folder in this repository, None for inline code
    layers: tuple[Layer, ...]
    environment: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Build:
    target: Target
    functions: dict[str, Function]
    layers: dict[str, Layer]


def build_all(template: dict[str, Any], out: Path, target: Target = LAMBDA) -> Build:
    """Builds every function and layer of the template into `out` (emptied first) for `target`."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    resources = template["Resources"]
    layers = {logical_id: _build_layer(logical_id, resource, out / logical_id, target)
              for logical_id, resource in resources.items() if resource["Type"] in LAYER_TYPES}
    environments = _environments(template)
    functions = {}
    for logical_id, resource in resources.items():
        if resource["Type"] not in (SERVERLESS_FUNCTION, LAMBDA_FUNCTION):
            continue
        properties = _function_properties(template, resource)
        root, source = _build_function(logical_id, resource, properties, out / logical_id, target)
        layer_refs = properties.get("Layers", [])
        unknown = [ref for ref in layer_refs if not (isinstance(ref, dict) and ref.get("Ref") in layers)]
        if unknown:
            raise ValueError(f"{logical_id}: layers from outside the template cannot be built here: {unknown}")
        functions[logical_id] = Function(logical_id, properties["Handler"], root, source,
                                         tuple(layers[ref["Ref"]] for ref in layer_refs),
                                         environments.get(logical_id, {}))
    return Build(target, functions, layers)


def _function_properties(template: dict[str, Any], resource: dict[str, Any]) -> dict[str, Any]:
    properties = dict(resource.get("Properties", {}))
    if resource["Type"] == SERVERLESS_FUNCTION:
        for key, value in template.get("Globals", {}).get("Function", {}).items():
            properties.setdefault(key, value)
    return properties


def _build_method(resource: dict[str, Any], runtime: str | None) -> str | None:
    return resource.get("Metadata", {}).get("BuildMethod", runtime)


def _build_layer(logical_id: str, resource: dict[str, Any], out: Path, target: Target) -> Layer:
    properties = resource["Properties"]
    source = ROOT / properties.get("ContentUri", properties.get("Content", ""))
    method = _build_method(resource, None)
    if method is None:
        return Layer(logical_id, source, source)
    if method != "makefile":
        raise ValueError(f"{logical_id}: BuildMethod {method}; layers with packages are built by the recipe "
                         "(BuildMethod: makefile, deploy/build.py)")
    _make(logical_id, source, out, target)
    return Layer(logical_id, out, source)


def _build_function(logical_id: str, resource: dict[str, Any], properties: dict[str, Any], out: Path,
                    target: Target) -> tuple[Path, Path | None]:
    code = properties.get("CodeUri", properties.get("Code"))
    inline = properties.get("InlineCode") or (code.get("ZipFile") if isinstance(code, dict) else None)
    if inline is not None:
        out.mkdir(parents=True)
        (out / "index.py").write_text(inline, encoding="utf-8")
        return out, None
    if not isinstance(code, str):
        raise ValueError(f"{logical_id}: code {code!r} is not in this repository")
    source = ROOT / code
    method = _build_method(resource, properties.get("Runtime"))
    if method == "makefile":
        _make(logical_id, source, out, target)
    elif (source / "requirements.txt").exists():
        raise ValueError(f"{logical_id}: {code}requirements.txt would be installed by SAM's {method} build, "
                         "past the recipe: give it BuildMethod: makefile and a Makefile (deploy/build.py)")
    else:
        shutil.copytree(source, out, ignore=shutil.ignore_patterns(*SOURCE_EXCLUDES))
    return out, source


def _make(logical_id: str, source: Path, out: Path, target: Target) -> None:
    """What SAM's makefile build method runs, with ARTIFACTS_DIR set; --host builds for this machine."""
    if target not in (LAMBDA, host()):
        raise ValueError(f"the recipe builds for Lambda or this machine, not {target}")
    out.mkdir(parents=True)
    environment = {**os.environ, "ARTIFACTS_DIR": str(out), "PYTHON": sys.executable,
                   "BUILD_FLAGS": "" if target == LAMBDA else "--host"}
    finished = subprocess.run(["make", "--no-print-directory", "--makefile", str(source / "Makefile"),
                               f"build-{logical_id}"], cwd=source, env=environment, capture_output=True, text=True)
    if finished.returncode:
        raise RuntimeError(f"make build-{logical_id} failed:\n{finished.stdout}\n{finished.stderr}")


def _environments(template: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Every function's environment variables, resolved the way the local stack does (placeholders where it cannot)."""
    from local.template import Resolver, UnresolvableError

    resolver = Resolver(template, {"SenderAddress": "crm@example.com"})
    found = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] not in (SERVERLESS_FUNCTION, LAMBDA_FUNCTION):
            continue
        own = resource.get("Properties", {}).get("Environment", {}).get("Variables", {})
        shared = (template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
                  if resource["Type"] == SERVERLESS_FUNCTION else {})
        variables = {}
        for name, value in {**shared, **own}.items():
            try:
                variables[name] = str(resolver.resolve(value))
            except UnresolvableError:
                variables[name] = f"unresolved-{name.lower()}"
        found[logical_id] = variables
    return found


# ---------------------------------------------------------------- what an artifact holds


def distributions(root: Path) -> dict[str, str]:
    """The installed distributions in a folder (name -> version), from their .dist-info folders."""
    found = {}
    for info in root.glob("*.dist-info"):
        name, _, version = info.name.removesuffix(".dist-info").rpartition("-")
        found[normalized(name)] = version
    return found


def files_of(root: Path) -> Iterator[Path]:
    return (path for path in root.rglob("*") if path.is_file())


def unzipped_bytes(root: Path) -> int:
    return sum(path.stat().st_size for path in files_of(root))


def unzipped_with_layers(function: Function) -> int:
    """What Lambda's 250 MB limit counts: the function and all its layers, unzipped."""
    return unzipped_bytes(function.root) + sum(unzipped_bytes(layer.root) for layer in function.layers)


def zipped_bytes(root: Path) -> int:
    """The size of the .zip `sam package` would upload (deflated, as SAM zips)."""
    with tempfile.TemporaryFile() as handle:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(files_of(root)):
                archive.write(path, path.relative_to(root))
        return handle.tell()


# ---------------------------------------------------------------- importing like Lambda


def runtime_sdk(out: Path) -> Path:
    """A folder holding only this environment's AWS SDK (RUNTIME_PROVIDED), to play the Lambda runtime's own."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name in RUNTIME_PROVIDED:
        distribution = importlib.metadata.distribution(name)
        tops = {Path(str(file)).parts[0] for file in distribution.files or ()}
        for top in tops - {"..", "bin"}:
            location = Path(str(distribution.locate_file(top)))
            if location.exists() and not (out / top).exists():
                (out / top).symlink_to(location)
    return out


def imports_of(source: Path) -> list[tuple[str, str | None]]:
    """Every module of the code in `source` and everything it imports, lazily or not, as (module, name) pairs;
    what only type checkers or `__main__` read is left out."""
    wanted: dict[tuple[str, str | None], None] = {}
    for path in sorted(source.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = path.relative_to(source).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = module if parts[-1] == "__init__" else module.rpartition(".")[0]
        wanted[(module, None)] = None
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                wanted.update({(alias.name, None): None for alias in node.names})
            elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                wanted.update({(base, None if alias.name == "*" else alias.name): None for alias in node.names})
    return list(wanted)


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """The nodes that run on Lambda: not the bodies of `if TYPE_CHECKING:` or `if __name__ == "__main__":`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_checking_or_main(node.test):
            yield from (child for orelse in node.orelse for child in (orelse, *_runtime_nodes(orelse)))
            continue
        yield node
        yield from _runtime_nodes(node)


def _type_checking_or_main(test: ast.expr) -> bool:
    text = ast.unparse(test)
    return text in ("TYPE_CHECKING", "typing.TYPE_CHECKING") or text.replace("'", '"') == '__name__ == "__main__"'


_IMPORTER = r"""
import importlib, json, sys
request = json.loads(sys.argv[1])
sys.path[:0] = request["path"]
problems = []
for module, name in request["imports"]:
    try:
        imported = importlib.import_module(module)
        if name is not None and not hasattr(imported, name):
            importlib.import_module(module + "." + name)
    except BaseException as error:
        problems.append(f"import {module}{'' if name is None else ': ' + name}: {type(error).__name__}: {error}")
for handler in request["handlers"]:
    module, _, attribute = handler.replace("/", ".").rpartition(".")
    try:
        if not callable(getattr(importlib.import_module(module), attribute)):
            problems.append(f"handler {handler}: not callable")
    except BaseException as error:
        problems.append(f"handler {handler}: {type(error).__name__}: {error}")
print("\n" + json.dumps(problems))
"""


def lambda_path(function: Function, target: Target, sdk: Path) -> list[Path]:
    """sys.path as Lambda builds it: the function, its layers, then the runtime's own packages."""
    return [function.root, *(path for layer in function.layers for path in layer.python_paths(target)), sdk]


def import_problems(function: Function, target: Target, sdk: Path, *, handler: bool = False,
                    imports: list[tuple[str, str | None]] = ()) -> list[str]:
    """Imports in a fresh, isolated interpreter (no site-packages, no PYTHONPATH, the function's environment)
    `imports` and, if asked, the function's handler; answers what failed."""
    request = {"path": [str(path) for path in lambda_path(function, target, sdk)], "imports": list(imports),
               "handlers": [function.handler] if handler else []}
    environment = {
        "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "artifact-check",
        "AWS_SECRET_ACCESS_KEY": "artifact-check", "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # no call gets out
        "AWS_LAMBDA_FUNCTION_NAME": function.logical_id, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_python{target.python}", "LAMBDA_TASK_ROOT": str(function.root),
        "_HANDLER": function.handler, "TZ": ":UTC", "LANG": "en_US.UTF-8", **function.environment}
    finished = subprocess.run([sys.executable, "-I", "-S", "-c", _IMPORTER, json.dumps(request)], cwd=function.root,
                              env=environment, capture_output=True, text=True, timeout=IMPORT_TIMEOUT_SECONDS)
    if finished.returncode:
        return [f"the interpreter exited with {finished.returncode}: {finished.stderr[-2000:]}"]
    return json.loads(finished.stdout.rstrip().rpartition("\n")[2])


def main() -> None:
    from local.template import load_template

    build = build_all(load_template(), ROOT / ".cache" / "artifacts" / "lambda")
    mib = 1024 * 1024
    rows = [(layer.logical_id, layer.root) for layer in build.layers.values()]
    rows += [(function.logical_id, function.root) for function in build.functions.values()]
    print(f"{'artifact':32} {'unzipped MiB':>13} {'zipped MiB':>11}")
    for name, root in rows:
        print(f"{name:32} {unzipped_bytes(root) / mib:13.2f} {zipped_bytes(root) / mib:11.2f}")
    largest = max(build.functions.values(), key=unzipped_with_layers)
    print(f"largest function with its layers: {largest.logical_id}, {unzipped_with_layers(largest) / mib:.2f} MiB "
          f"unzipped (limit {UNZIPPED_LIMIT / mib:.0f} MiB)")


if __name__ == "__main__":
    main()
