"""What `sam build` would ship, built offline by the same recipe (deploy/build.py, deploy/artifacts.py): every handler
imports from its artifact alone, nothing for tests or local runs ships, the AWS SDK is the runtime's, sizes stay
under Lambda's limits. Also the deploy path around it: samconfig.toml's environments, `make deploy`, names that two
stacks can share an account with.

The Lambda build (python3.12, arm64 wheels) is what ships; it cannot be imported on this machine, so the same recipe
also builds for this machine's Python, and each handler is imported from that build in a fresh, isolated interpreter
whose only other packages are this environment's AWS SDK, as on Lambda. The first run downloads wheels from PyPI;
later runs reuse .cache/build/.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from deploy import artifacts
from deploy.artifacts import Build, Function, distributions
from deploy.build import LAMBDA, RUNTIME_PARTS, RUNTIME_PROVIDED, host, normalized

from .cfn import ROOT, load_template

FUNCTIONS = sorted(logical_id for logical_id, resource in load_template()["Resources"].items()
                   if resource["Type"] in ("AWS::Serverless::Function", "AWS::Lambda::Function"))
AWS_SDK = {"boto3", "botocore", "s3transfer"}
NOT_SHIPPED_FOLDERS = {"local", "tests", "bench", "deploy", "docs", "node_modules", "static_site", ".venv"}
BUILD_TOOLS = {"pip", "setuptools", "wheel", "click"}


def _requirement_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line.strip())
        if match:
            names.add(normalized(match.group()))
    return names


def dev_only_packages() -> set[str]:
    """What requirements-dev.txt adds for tests and the local stack, over what the functions need at runtime."""
    runtime = set().union(*(_requirement_names(path) for path in (ROOT / "functions").rglob("requirements.txt")))
    return (_requirement_names(ROOT / "requirements-dev.txt") - runtime - AWS_SDK) | BUILD_TOOLS


# each session builds into its own folders (the installed packages come from .cache/build/, shared)
@pytest.fixture(scope="session")
def lambda_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return artifacts.build_all(load_template(), tmp_path_factory.mktemp("lambda-build"), LAMBDA)


@pytest.fixture(scope="session")
def host_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return artifacts.build_all(load_template(), tmp_path_factory.mktemp("host-build"), host())


@pytest.fixture(scope="session")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return artifacts.runtime_sdk(tmp_path_factory.mktemp("runtime-sdk"))


def shipped_folders(build: Build, function: Function) -> list[Path]:
    """Where a function's packages come from on Lambda: its own folder and its layers' python folders."""
    return [path for path in artifacts.lambda_path(function, build.target, Path("/nonexistent")) if path.is_dir()]


# ---------------------------------------------------------------- the recipe and the template agree


def test_the_recipe_builds_for_the_runtime_and_architecture_the_template_declares(template: dict[str, Any]):
    function_globals = template["Globals"]["Function"]
    assert function_globals["Runtime"] == f"python{LAMBDA.python}"
    assert function_globals["Architectures"] == ["arm64"] and LAMBDA.platform.endswith("_aarch64")
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Lambda::Function":
            assert (properties["Runtime"], properties["Architectures"]) == ("python3.12", ["arm64"]), logical_id
        if resource["Type"] == "AWS::Serverless::LayerVersion" and resource.get("Metadata", {}).get("BuildMethod"):
            assert properties["CompatibleRuntimes"] == ["python3.12"], logical_id
            assert properties["CompatibleArchitectures"] == ["arm64"], logical_id
            assert resource["Metadata"]["BuildArchitecture"] == "arm64", logical_id


def test_both_builds_ship_the_same_packages(lambda_build: Build, host_build: Build):
    """The import checks run on the host build: it must hold what the Lambda build holds."""
    for logical_id, function in lambda_build.functions.items():
        assert distributions(function.root) == distributions(host_build.functions[logical_id].root), logical_id
    for logical_id, layer in lambda_build.layers.items():
        for shipped, here in zip(layer.python_paths(LAMBDA), host_build.layers[logical_id].python_paths(host()),
                                 strict=True):
            assert distributions(shipped) == distributions(here), logical_id


# ---------------------------------------------------------------- imports from the artifact alone


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_the_handler_imports_from_its_artifact_alone(host_build: Build, sdk: Path, logical_id: str):
    # Given the function's built code, its layers and the runtime's SDK, nothing else
    function = host_build.functions[logical_id]
    # When a fresh interpreter imports its handler with its environment, Then it loads and is callable
    assert artifacts.import_problems(function, host_build.target, sdk, handler=True) == []


def _code_to_sweep(build: Build, empty: Path) -> dict[str, tuple[Function, Path]]:
    """Each folder of our code once, with the sys.path it runs on: a function's with its layers, a layer's alone."""
    sweeps = {}
    for function in build.functions.values():
        if function.source is not None:
            sweeps.setdefault(function.source.relative_to(ROOT).as_posix(), (function, function.source))
    for layer in build.layers.values():
        if layer.python_paths(build.target):
            alone = Function(layer.logical_id, "", empty, None, (layer,))
            sweeps[layer.source.relative_to(ROOT).as_posix()] = (alone, layer.source)
    return sweeps


def test_every_import_in_the_shipped_code_finds_what_it_imports(host_build: Build, sdk: Path, tmp_path: Path):
    """Lazy imports too: the handlers import most of what they use inside the functions, out of reach of the
    handler import above. Every module of our code and every name any of it imports must load from the artifact."""
    problems = {}
    for folder, (function, source) in _code_to_sweep(host_build, tmp_path).items():
        found = artifacts.import_problems(function, host_build.target, sdk, imports=artifacts.imports_of(source))
        if found:
            problems[folder] = found
    assert problems == {}


def test_the_sweep_sees_lazy_imports_and_skips_type_checking_ones(tmp_path: Path):
    (tmp_path / "handler.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    import only_for_types\n"
        "def handler(event, context):\n    from pkg.mod import thing\n    import json\n"
        "if __name__ == '__main__':\n    import only_for_scripts\n")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("from .mod import thing\n")
    found = artifacts.imports_of(tmp_path)
    assert {("handler", None), ("pkg", None), ("pkg.mod", "thing"), ("json", None)} <= set(found)
    assert not {name for name, _ in found} & {"only_for_types", "only_for_scripts"}


# ---------------------------------------------------------------- what ships


def test_nothing_for_tests_or_local_runs_ships(lambda_build: Build):
    forbidden = dev_only_packages()
    assert {"pytest", "moto", "playwright", "cfn-lint", "aws-sam-translator", "pip", "setuptools"} <= forbidden
    for logical_id, function in lambda_build.functions.items():
        for folder in shipped_folders(lambda_build, function):
            assert not set(distributions(folder)) & forbidden, (logical_id, folder)
            assert not {path.name for path in folder.iterdir()} & NOT_SHIPPED_FOLDERS, (logical_id, folder)


def sdk_mismatch(folders: list[Path]) -> str | None:
    """Why the AWS SDK in these folders would shadow the runtime's badly, or None: either none of boto3, botocore
    and s3transfer ships, or boto3 ships with the botocore it requires."""
    from packaging.requirements import Requirement

    present = {path.name for folder in folders for path in folder.iterdir()} & AWS_SDK
    if not present:
        return None
    versions = {name: version for folder in folders for name, version in distributions(folder).items()}
    if not {"boto3", "botocore"} <= versions.keys():
        return f"{sorted(present)} ship without {sorted({'boto3', 'botocore'} - versions.keys())}"
    metadata = next(next(folder.glob("boto3-*.dist-info")) for folder in folders if any(folder.glob("boto3-*")))
    for line in (metadata / "METADATA").read_text(encoding="utf-8").splitlines():
        if line.startswith("Requires-Dist: botocore"):
            wanted = Requirement(line.removeprefix("Requires-Dist: "))
            if versions["botocore"] not in wanted.specifier:
                return f"boto3 {versions['boto3']} wants {wanted}, botocore {versions['botocore']} ships"
    return None


def test_no_function_shadows_the_runtimes_aws_sdk(lambda_build: Build):
    assert set(RUNTIME_PROVIDED) >= AWS_SDK  # the recipe leaves them out
    mismatches = {logical_id: sdk_mismatch(shipped_folders(lambda_build, function))
                  for logical_id, function in lambda_build.functions.items()}
    assert {logical_id: why for logical_id, why in mismatches.items() if why} == {}


def _fake_distribution(folder: Path, name: str, version: str, requires: str = "") -> None:
    (folder / name).mkdir(parents=True)
    info = folder / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Name: {name}\nVersion: {version}\n{requires}")


def test_a_lone_or_mismatched_botocore_is_caught(tmp_path: Path):
    lone = tmp_path / "lone"
    _fake_distribution(lone, "botocore", "1.44.18")
    assert "without ['boto3']" in sdk_mismatch([lone])
    pair = tmp_path / "pair"
    _fake_distribution(pair, "boto3", "1.44.5", "Requires-Dist: botocore<1.45.0,>=1.44.5\n")
    _fake_distribution(pair, "botocore", "1.43.0")
    assert "botocore 1.43.0 ships" in sdk_mismatch([pair])
    (tmp_path / "none").mkdir()
    assert sdk_mismatch([tmp_path / "none"]) is None


def test_chalice_ships_only_what_lambda_runs(lambda_build: Build):
    board = lambda_build.functions["BoardApiFunction"].root
    assert sorted(path.relative_to(board).as_posix() for path in (board / "chalice").rglob("*")) == sorted(
        RUNTIME_PARTS["chalice"]) == ["chalice/__init__.py", "chalice/app.py"]


def test_every_function_fits_lambdas_size_limits(lambda_build: Build):
    too_big = {}
    for logical_id, function in lambda_build.functions.items():
        unzipped = artifacts.unzipped_with_layers(function)
        if unzipped > artifacts.UNZIPPED_LIMIT:
            too_big[logical_id] = f"{unzipped / 2**20:.1f} MiB unzipped with its layers"
    for artifact in {function.root for function in lambda_build.functions.values()} | {
            layer.root for layer in lambda_build.layers.values()}:
        zipped = artifacts.zipped_bytes(artifact)
        if zipped > artifacts.ZIPPED_LIMIT:
            too_big[artifact.name] = f"{zipped / 2**20:.1f} MiB zipped"
    assert too_big == {}


# ---------------------------------------------------------------- the deploy path


def samconfig() -> dict[str, Any]:
    return tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))


def test_each_deployment_environment_has_its_own_stack_and_environment_parameter(template: dict[str, Any]):
    environments = {name: config for name, config in samconfig().items() if isinstance(config, dict)}
    assert {"dev", "prod"} <= environments.keys()
    pattern = re.compile(template["Parameters"]["Environment"]["AllowedPattern"])
    stacks = set()
    for name, config in environments.items():
        deploy = config["deploy"]["parameters"]
        assert pattern.match(name), name
        assert f"Environment={name}" in deploy["parameter_overrides"].split(), name
        assert "CAPABILITY_IAM" in deploy["capabilities"].split() and deploy["resolve_s3"] is True, name
        assert config["delete"]["parameters"]["stack_name"] == deploy["stack_name"], name
        stacks.add(deploy["stack_name"])
    assert len(stacks) == len(environments)
    assert environments["prod"]["deploy"]["parameters"]["confirm_changeset"] is True  # prod shows its change set


def make_dry_run(*arguments: str) -> str:
    """What `make` would run, without running it (and without installing anything)."""
    return subprocess.run(["make", "--dry-run", "--always-make", *arguments], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout


def test_make_deploy_builds_and_deploys_the_chosen_environment():
    prod = make_dry_run("deploy", "ENV=prod")
    assert re.search(r"sam\S* build --config-env prod\b", prod) and re.search(r"sam\S* deploy --config-env prod\b",
                                                                               prod)
    assert "--config-env dev" in make_dry_run("deploy") and "sam delete --config-env dev" in make_dry_run("destroy")


def test_make_test_never_installs_the_sam_cli():
    assert "aws-sam-cli" not in make_dry_run("test") and "aws-sam-cli" not in make_dry_run("run")


NAME_KEYS = {"Name", "TableName", "FunctionName", "RoleName", "TopicName", "QueueName", "BucketName", "UserPoolName",
             "StateMachineName", "AlarmName", "LogGroupName", "RuleName", "ScheduleName", "AliasName", "ApiName"}
ACCOUNT_WIDE = ("AWS::CloudFront::", "AWS::IAM::", "AWS::S3::Bucket")
NAMED_INSIDE_ANOTHER = ("AWS::Cognito::UserPoolResourceServer", "AWS::Cognito::UserPoolGroup",
                        "AWS::Cognito::UserPoolClient",  # names unique within their user pool only
                        "AWS::ApiGatewayV2::Authorizer")  # and within its API


def _fixed_names(resource: dict[str, Any]) -> list[Any]:
    """The names a resource is given: its name properties and those of its *Config blocks (CloudFront's)."""
    properties = resource.get("Properties", {})
    names = [value for key, value in properties.items() if key in NAME_KEYS]
    for key, value in properties.items():
        if key.endswith("Config") and isinstance(value, dict):
            names += [inner for inner_key, inner in value.items() if inner_key in NAME_KEYS]
    return names


def _sub_text(value: Any) -> str:
    if isinstance(value, dict) and "Fn::Sub" in value:
        return value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
    return ""


def test_names_do_not_clash_between_stacks_or_regions(template: dict[str, Any]):
    """Two environments in one account, or one environment in two regions: every fixed name carries the stack name
    (unique per account and region), and names AWS keeps per account (CloudFront, IAM, S3) also the region."""
    clashing = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] in NAMED_INSIDE_ANOTHER:
            continue
        for name in _fixed_names(resource):
            text = _sub_text(name)
            generated = isinstance(name, dict) and ("Ref" in name or "Fn::GetAtt" in name)
            names_a_resource = bool(re.search(r"\$\{(?!AWS::)[A-Za-z0-9]+(\.[A-Za-z]+)?\}", text))
            if generated or names_a_resource:
                continue  # derived from a name CloudFormation generated, itself unique
            if "${AWS::StackName}" not in text or (resource["Type"].startswith(ACCOUNT_WIDE)
                                                   and "${AWS::Region}" not in text):
                clashing[logical_id] = name
    assert clashing == {}


def _alarm_metrics(alarm: dict[str, Any]) -> int:
    """What CloudWatch bills an alarm for: its metric, or each metric its math expression reads."""
    properties = alarm["Properties"]
    return 1 if "MetricName" in properties else sum("MetricStat" in query for query in properties["Metrics"])


def test_the_readmes_idle_cost_counts_what_the_template_bills_idle(template: dict[str, Any]):
    """README "What a deployment costs idle" prices the alarms and keys: its counts must be the template's."""
    resources = template["Resources"].values()
    alarms = [resource for resource in resources if resource["Type"] == "AWS::CloudWatch::Alarm"]
    keys = [resource for resource in resources if resource["Type"] == "AWS::KMS::Key"]
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### What a deployment costs idle", 1)[1]
    section = section.split("\n### ", 1)[0]
    metrics = sum(_alarm_metrics(alarm) for alarm in alarms)
    assert f"the {metrics} metrics of the {len(alarms)} alarms" in section and f"| {metrics / 10:.2f} |" in section
    assert len(keys) == 1 and "KMS key" in section
    secrets = [resource for resource in resources if resource["Type"] == "AWS::SecretsManager::Secret"]
    assert len(secrets) == 2 and "a Secrets Manager secret" in section and "a second secret" in section
