"""Read template.yaml and resolve its intrinsics for the local stack, so nothing is declared twice.

Local physical names are deterministic:
- DynamoDB table: its TableName if set, else the logical id without a trailing "Table", in kebab case,
  prefixed with "crm-" unless it already starts with "crm" (CrmTable -> "crm",
  IdempotencyTable -> "crm-idempotency");
- function: its FunctionName if set, else the logical id (Ref gives the name, GetAtt .Arn the ARN);
- state machine: its Name if set, else the logical id (Ref gives the ARN, GetAtt .Name the name);
- SES configuration set: its resolved Name;
- SQS queue: its QueueName if set, else the logical id (Ref gives the queue URL, GetAtt .Arn the ARN);
- S3 bucket: its BucketName if set, else the logical id in kebab case (bucket names are lower case);
- anything else: the logical id.

API routes are a function's Api events and the methods of an Api's DefinitionBody (OpenAPI) that proxy to it, each
with the authorizer and OAuth scopes SAM would give it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = REPO_ROOT / "template.yaml"

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
STACK_NAME = "crm-local"
PARTITION = "aws"

FUNCTION_TYPE = "AWS::Serverless::Function"
LAMBDA_FUNCTION_TYPE = "AWS::Lambda::Function"
API_TYPE = "AWS::Serverless::Api"
STATE_MACHINE_TYPE = "AWS::Serverless::StateMachine"
TABLE_TYPE = "AWS::DynamoDB::Table"
SES_CONFIGURATION_SET_TYPE = "AWS::SES::ConfigurationSet"
QUEUE_TYPE = "AWS::SQS::Queue"
BUCKET_TYPE = "AWS::S3::Bucket"

_PSEUDO_PARAMETERS = {
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::StackName": STACK_NAME,
    "AWS::Partition": PARTITION,
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::NoValue": None,
}
_SUB_PLACEHOLDER = re.compile(r"\$\{(!?)([^}]+)\}")
_DEFINITION_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
_LAMBDA_INVOCATION = re.compile(r":lambda:path/2015-03-31/functions/(?P<arn>.+)/invocations$")
_OPENAPI_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method"}


class TemplateLoader(yaml.SafeLoader):
    """SafeLoader that reads CloudFormation short tags (!Ref, !GetAtt, !Sub ...) as their long form."""


def _construct_tag(loader: TemplateLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if tag_suffix in {"Ref", "Condition"}:
        return {tag_suffix: value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


TemplateLoader.add_multi_constructor("!", _construct_tag)
# CloudFormation reads 2010-09-09 as text, not as a date.
TemplateLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=TemplateLoader)


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()


def function_arn(name: str) -> str:
    return f"arn:{PARTITION}:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"


def state_machine_arn(name: str) -> str:
    return f"arn:{PARTITION}:states:{REGION}:{ACCOUNT_ID}:stateMachine:{name}"


def queue_url(name: str) -> str:
    """The URL AWS gives the queue; moto finds a queue by the URL's last segment, whatever its host."""
    return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT_ID}/{name}"


def queue_arn(name: str) -> str:
    return f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT_ID}:{name}"


class UnresolvableError(ValueError):
    """An intrinsic the local stack cannot give a value to; raised rather than guessed."""


@dataclass
class Resolver:
    """Evaluates intrinsic functions with local parameter values and physical names."""

    template: dict[str, Any]
    overrides: Mapping[str, str] = field(default_factory=dict)
    parameters: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        declared = self.template.get("Parameters", {})
        unknown = set(self.overrides) - set(declared)
        if unknown:
            raise UnresolvableError(f"unknown template parameters: {sorted(unknown)}")
        self.parameters = {name: spec["Default"] for name, spec in declared.items() if "Default" in spec}
        self.parameters.update(self.overrides)

    @property
    def resources(self) -> dict[str, Any]:
        return self.template.get("Resources", {})

    def physical_name(self, logical_id: str) -> str:
        resource = self._resource(logical_id)
        properties = resource.get("Properties", {})
        kind = resource["Type"]
        if kind == TABLE_TYPE:
            if "TableName" in properties:
                return str(self.resolve(properties["TableName"]))
            base = _kebab(logical_id.removesuffix("Table"))
            return base if base.startswith("crm") else f"crm-{base}"
        names = {FUNCTION_TYPE: "FunctionName", LAMBDA_FUNCTION_TYPE: "FunctionName", STATE_MACHINE_TYPE: "Name",
                 QUEUE_TYPE: "QueueName", BUCKET_TYPE: "BucketName", "AWS::ApiGatewayV2::Stage": "StageName"}
        name_property = names.get(kind, "Name")
        if name_property in properties:
            return str(self.resolve(properties[name_property]))
        return _kebab(logical_id) if kind == BUCKET_TYPE else logical_id

    def ref(self, name: str) -> Any:
        if name in _PSEUDO_PARAMETERS:
            return _PSEUDO_PARAMETERS[name]
        if name in self.template.get("Parameters", {}):
            if name not in self.parameters:
                raise UnresolvableError(f"parameter {name} has no Default and no local value")
            return self.parameters[name]
        if self._resource(name)["Type"] == STATE_MACHINE_TYPE:
            return state_machine_arn(self.physical_name(name))
        if self._resource(name)["Type"] == QUEUE_TYPE:
            return queue_url(self.physical_name(name))
        if self._resource(name)["Type"] == "AWS::Cognito::UserPool":
            return ""  # no pool locally: the runner signs the tokens (local/auth.py) for the CRM's own users
        return self.physical_name(name)

    def get_att(self, logical_id: str, attribute: str) -> str:
        kind = self._resource(logical_id)["Type"]
        name = self.physical_name(logical_id)
        if attribute == "Name":
            return name
        if attribute == "Arn" and kind in (FUNCTION_TYPE, LAMBDA_FUNCTION_TYPE):
            return function_arn(name)
        if attribute == "Arn" and kind == STATE_MACHINE_TYPE:
            return state_machine_arn(name)
        if attribute == "Arn" and kind == TABLE_TYPE:
            return f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}"
        if attribute == "Arn" and kind == QUEUE_TYPE:
            return queue_arn(name)
        if attribute == "QueueName" and kind == QUEUE_TYPE:
            return name
        if attribute == "Arn" and kind == BUCKET_TYPE:
            return f"arn:{PARTITION}:s3:::{name}"
        if attribute == "DomainName" and kind == "AWS::CloudFront::Distribution":
            return "localhost"  # locally the runner serves the site itself; BoardUrl names it
        raise UnresolvableError(f"no local value for {logical_id}.{attribute} ({kind})")

    def condition(self, name: str) -> bool:
        conditions = self.template.get("Conditions", {})
        if name not in conditions:
            raise UnresolvableError(f"unknown condition {name}")
        return bool(self.resolve(conditions[name]))

    def resolve(self, value: Any) -> Any:
        """Returns `value` with every intrinsic evaluated (recursively)."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), = value.items()
            if key == "Ref":
                return self.ref(argument)
            if key == "Condition" and isinstance(argument, str):
                return self.condition(argument)
            if key.startswith("Fn::"):
                return self._function(key.removeprefix("Fn::"), argument)
        return {key: self.resolve(item) for key, item in value.items()}

    def _function(self, name: str, argument: Any) -> Any:
        if name == "GetAtt":
            logical_id, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
            return self.get_att(logical_id, attribute)
        if name == "Sub":
            return self._sub(argument)
        if name == "If":
            condition, when_true, when_false = argument
            return self.resolve(when_true if self.condition(condition) else when_false)
        if name == "Equals":
            left, right = self.resolve(argument)
            return str(left) == str(right)
        if name == "Not":
            return not self.resolve(argument[0])
        if name == "And":
            return all(self.resolve(argument))
        if name == "Or":
            return any(self.resolve(argument))
        if name == "Join":
            separator, items = self.resolve(argument)
            return separator.join(str(item) for item in items)
        if name == "Select":
            index, items = self.resolve(argument)
            return items[int(index)]
        if name == "Split":
            separator, text = self.resolve(argument)
            return text.split(separator)
        raise UnresolvableError(f"Fn::{name} is not supported by the local stack")

    def _sub(self, argument: Any) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        resolved_variables = {key: self.resolve(item) for key, item in variables.items()}

        def replace(match: re.Match[str]) -> str:
            literal, expression = match.groups()
            if literal:
                return "${" + expression + "}"
            if expression in resolved_variables:
                return str(resolved_variables[expression])
            if "." in expression and not expression.startswith("AWS::"):
                return str(self.get_att(*expression.split(".", 1)))
            return str(self.ref(expression))

        return _SUB_PLACEHOLDER.sub(replace, text)

    def _resource(self, logical_id: str) -> dict[str, Any]:
        if logical_id not in self.resources:
            raise UnresolvableError(f"unknown resource {logical_id}")
        return self.resources[logical_id]


@dataclass(frozen=True)
class ApiRoute:
    method: str
    path: str
    authorizer: str | None = None  # the method's own (security, Auth.Authorizer), else its Api's DefaultAuthorizer
    cognito: bool = False  # that authorizer is a Cognito user pool's: API Gateway checks an access token first
    scopes: tuple[str, ...] = ()  # the OAuth scopes the method accepts, any one of them


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    expression: str
    input: str | None = None


@dataclass(frozen=True)
class QueueEventSpec:
    """An SQS event source mapping: Lambda polls `queue` and invokes the function with up to `batch_size` messages,
    at most `maximum_concurrency` invocations at once; with `report_failures` the function names the messages that
    failed (batchItemFailures) and only those are given again."""

    name: str
    queue: str  # the queue's physical name
    batch_size: int = 10
    maximum_concurrency: int = 1000
    report_failures: bool = False


@dataclass(frozen=True)
class QueueSpec:
    logical_id: str
    name: str
    arn: str
    url: str
    attributes: dict[str, str]  # as CreateQueue takes them (RedrivePolicy as JSON, the dead-letter queue's ARN in it)
    dead_letter_queue: str | None  # the physical name of the queue its RedrivePolicy targets


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    name: str
    arn: str
    code_uri: str
    handler: str
    timeout: int
    memory_size: int
    environment: dict[str, str]
    api_routes: tuple[ApiRoute, ...]
    schedules: tuple[ScheduleSpec, ...]
    queue_events: tuple[QueueEventSpec, ...] = ()

    @property
    def code_dir(self) -> Path:
        return REPO_ROOT / self.code_uri


@dataclass(frozen=True)
class StateMachineSpec:
    logical_id: str
    name: str
    arn: str
    definition_uri: str
    substitutions: dict[str, str]

    def definition(self) -> str:
        """The ASL text with every ${Name} placeholder replaced by its DefinitionSubstitutions value."""
        text = (REPO_ROOT / self.definition_uri).read_text(encoding="utf-8")

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.substitutions:
                raise UnresolvableError(f"{self.definition_uri}: no DefinitionSubstitutions for ${{{name}}}")
            return self.substitutions[name]

        return _DEFINITION_PLACEHOLDER.sub(replace, text)


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {key: res for key, res in template.get("Resources", {}).items() if res.get("Type") == kind}


def api_route(template: dict[str, Any], event_properties: dict[str, Any]) -> ApiRoute:
    """An Api event with the authorizer SAM gives it: its own Auth.Authorizer, else the Api's DefaultAuthorizer."""
    api_id = event_properties.get("RestApiId")
    api = template.get("Resources", {}).get(api_id["Ref"], {}) if isinstance(api_id, dict) else {}
    api_auth = api.get("Properties", {}).get("Auth", {})
    event_auth = event_properties.get("Auth", {})
    return _authorized_route(event_properties["Method"].upper(), event_properties["Path"], api_auth,
                             event_auth.get("Authorizer", api_auth.get("DefaultAuthorizer")),
                             event_auth.get("AuthorizationScopes"))


def definition_routes(template: dict[str, Any], resolver: Resolver) -> dict[str, list[ApiRoute]]:
    """The methods every Api declares in its DefinitionBody, by the ARN of the function each one proxies to, with
    its security's authorizer and scopes (none declared: the Api's DefaultAuthorizer, as SAM adds it)."""
    routes: dict[str, list[ApiRoute]] = defaultdict(list)
    for api_id, api in _resources_of(template, API_TYPE).items():
        properties = api.get("Properties", {})
        api_auth = properties.get("Auth", {})
        for path, operations in properties.get("DefinitionBody", {}).get("paths", {}).items():
            for method, operation in operations.items():
                if method not in _OPENAPI_METHODS:
                    continue
                integration = operation.get("x-amazon-apigateway-integration", {})
                invoked = _LAMBDA_INVOCATION.search(str(resolver.resolve(integration.get("uri", ""))))
                if integration.get("type") != "aws_proxy" or invoked is None:
                    raise UnresolvableError(f"{api_id}: {method} {path} is not a Lambda proxy integration")
                name, scopes = api_auth.get("DefaultAuthorizer"), None
                for requirement in operation.get("security", []):
                    for key in requirement.keys() & {*api_auth.get("Authorizers", {}), "NONE"}:
                        name, scopes = key, requirement[key]
                verb = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
                routes[invoked["arn"]].append(_authorized_route(verb, path, api_auth, name, scopes))
    return routes


def _authorized_route(method: str, path: str, api_auth: dict[str, Any], authorizer: str | None,
                      scopes: list[str] | None) -> ApiRoute:
    """`scopes` None: the authorizer's AuthorizationScopes. A Cognito route without scopes would want an ID token,
    which the local runner does not issue (local/auth.py): refused here rather than unreachable later."""
    if authorizer in (None, "NONE"):
        return ApiRoute(method, path)
    declared = api_auth.get("Authorizers", {}).get(authorizer, {})
    cognito = "UserPoolArn" in declared
    accepted = tuple(declared.get("AuthorizationScopes", []) if scopes is None else scopes)
    if cognito and not accepted:
        raise UnresolvableError(f"{method} {path}: a Cognito authorizer without OAuth scopes takes ID tokens; "
                                "the local runner issues access tokens only")
    return ApiRoute(method, path, authorizer, cognito, accepted)


def function_specs(template: dict[str, Any], resolver: Resolver) -> list[FunctionSpec]:
    globals_ = template.get("Globals", {}).get("Function", {})
    global_env = globals_.get("Environment", {}).get("Variables", {})
    declared_routes = definition_routes(template, resolver)
    specs = []
    for logical_id, resource in _resources_of(template, FUNCTION_TYPE).items():
        properties = resource.get("Properties", {})
        own_env = properties.get("Environment", {}).get("Variables", {})
        merged = {**global_env, **own_env}
        environment = {key: _env_value(resolver.resolve(value)) for key, value in merged.items()}
        routes, schedules, queue_events = [], [], []
        for event_name, event in properties.get("Events", {}).items():
            event_properties = event.get("Properties", {})
            if event["Type"] == "Api":
                routes.append(api_route(template, event_properties))
            elif event["Type"] == "SQS":
                queue_events.append(_queue_event(event_name, resolver, event_properties))
            elif event["Type"] in ("Schedule", "ScheduleV2"):
                if resolver.resolve(event_properties.get("Enabled", True)) is False:
                    continue
                expression = event_properties.get("Schedule") or event_properties["ScheduleExpression"]
                payload = event_properties.get("Input")
                schedules.append(ScheduleSpec(event_name, str(resolver.resolve(expression)),
                                              None if payload is None else str(resolver.resolve(payload))))
        name = resolver.physical_name(logical_id)
        routes += declared_routes.get(function_arn(name), [])
        specs.append(FunctionSpec(
            logical_id=logical_id,
            name=name,
            arn=function_arn(name),
            code_uri=str(resolver.resolve(properties.get("CodeUri", globals_.get("CodeUri")))),
            handler=str(resolver.resolve(properties.get("Handler", globals_.get("Handler")))),
            timeout=int(properties.get("Timeout", globals_.get("Timeout", 3))),
            memory_size=int(properties.get("MemorySize", globals_.get("MemorySize", 128))),
            environment=environment,
            api_routes=tuple(routes),
            schedules=tuple(schedules),
            queue_events=tuple(queue_events),
        ))
    return specs


def _queue_event(name: str, resolver: Resolver, properties: dict[str, Any]) -> QueueEventSpec:
    queue = str(resolver.resolve(properties["Queue"]))
    if not queue.startswith(f"arn:{PARTITION}:sqs:"):
        raise UnresolvableError(f"SQS event {name}: Queue must be a queue's ARN (!GetAtt Queue.Arn), not {queue}")
    scaling = resolver.resolve(properties.get("ScalingConfig", {}))
    return QueueEventSpec(
        name=name, queue=queue.rpartition(":")[2], batch_size=int(resolver.resolve(properties.get("BatchSize", 10))),
        maximum_concurrency=int(scaling.get("MaximumConcurrency", 1000)),
        report_failures="ReportBatchItemFailures" in resolver.resolve(properties.get("FunctionResponseTypes", [])))


_QUEUE_ATTRIBUTES = ("DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
                     "VisibilityTimeout", "FifoQueue", "ContentBasedDeduplication")


def queue_specs(template: dict[str, Any], resolver: Resolver) -> list[QueueSpec]:
    """Every SQS queue, dead-letter queues before the queues that send to them."""
    specs = []
    for logical_id, resource in _resources_of(template, QUEUE_TYPE).items():
        properties = resolver.resolve(resource.get("Properties", {}))
        attributes = {key: _env_value(properties[key]) for key in _QUEUE_ATTRIBUTES if key in properties}
        redrive = properties.get("RedrivePolicy")
        if redrive:
            attributes["RedrivePolicy"] = json.dumps(redrive)
        name = resolver.physical_name(logical_id)
        specs.append(QueueSpec(logical_id, name, queue_arn(name), queue_url(name), attributes,
                               str(redrive["deadLetterTargetArn"]).rpartition(":")[2] if redrive else None))
    return sorted(specs, key=lambda spec: spec.dead_letter_queue is not None)


def bucket_names(template: dict[str, Any], resolver: Resolver) -> list[str]:
    return [resolver.physical_name(logical_id) for logical_id in _resources_of(template, BUCKET_TYPE)]


def state_machine_specs(template: dict[str, Any], resolver: Resolver) -> list[StateMachineSpec]:
    specs = []
    for logical_id, resource in _resources_of(template, STATE_MACHINE_TYPE).items():
        properties = resource.get("Properties", {})
        if "DefinitionUri" not in properties:
            raise UnresolvableError(f"{logical_id}: the local stack needs DefinitionUri (an ASL file)")
        substitutions = resolver.resolve(properties.get("DefinitionSubstitutions", {}))
        name = resolver.physical_name(logical_id)
        specs.append(StateMachineSpec(
            logical_id=logical_id,
            name=name,
            arn=state_machine_arn(name),
            definition_uri=str(properties["DefinitionUri"]),
            substitutions={key: str(value) for key, value in substitutions.items()},
        ))
    return specs


def table_resources(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return _resources_of(template, TABLE_TYPE)


def ses_configuration_set_names(template: dict[str, Any], resolver: Resolver) -> list[str]:
    return [resolver.physical_name(key) for key in _resources_of(template, SES_CONFIGURATION_SET_TYPE)]


WEBSOCKET_API_TYPE = "AWS::ApiGatewayV2::Api"
_INTEGRATION_TARGET = re.compile(r"^integrations/\$\{(?P<integration>[A-Za-z0-9]+)\}$")


@dataclass(frozen=True)
class WebSocketRouteSpec:
    """A route of a WebSocket API: the function its Lambda proxy integration invokes (by ARN), the REQUEST
    authorizer's function and identity sources ($connect only), and whether the handler's answer goes back to the
    client (RouteResponseSelectionExpression: a two-way route)."""

    route_key: str
    function_arn: str
    authorizer_function_arn: str | None = None
    identity_source: tuple[str, ...] = ()
    two_way: bool = False


@dataclass(frozen=True)
class WebSocketApiSpec:
    logical_id: str
    stage: str
    route_selection_expression: str
    routes: dict[str, WebSocketRouteSpec]


def _ref_id(value: Any, owner: str) -> str:
    if isinstance(value, dict) and isinstance(value.get("Ref"), str):
        return value["Ref"]
    raise UnresolvableError(f"{owner}: the local stack needs a !Ref here, not {value!r}")


def _invoked_arn(uri: Any, resolver: Resolver, owner: str) -> str:
    invoked = _LAMBDA_INVOCATION.search(str(resolver.resolve(uri)))
    if invoked is None:
        raise UnresolvableError(f"{owner}: not a Lambda invocation URI")
    return invoked["arn"]


def websocket_apis(template: dict[str, Any], resolver: Resolver) -> list[WebSocketApiSpec]:
    """Every WebSocket API (AWS::ApiGatewayV2::Api, ProtocolType WEBSOCKET) with its stage and routes, each route's
    integration and authorizer followed to the functions they invoke."""
    resources = template.get("Resources", {})

    def of_api(kind: str, api_id: str) -> dict[str, dict[str, Any]]:
        return {key: resource for key, resource in resources.items() if resource.get("Type") == kind
                and _ref_id(resource.get("Properties", {}).get("ApiId"), key) == api_id}

    specs = []
    for api_id, api in _resources_of(template, WEBSOCKET_API_TYPE).items():
        properties = api.get("Properties", {})
        if properties.get("ProtocolType") != "WEBSOCKET":
            continue
        stages = [str(resolver.resolve(stage["Properties"]["StageName"]))
                  for stage in of_api("AWS::ApiGatewayV2::Stage", api_id).values()]
        if len(stages) != 1:
            raise UnresolvableError(f"{api_id}: the local stack plays one stage, the template has {stages}")
        routes = {}
        for route_id, route in of_api("AWS::ApiGatewayV2::Route", api_id).items():
            route_properties = route["Properties"]
            target = _INTEGRATION_TARGET.match(str(route_properties.get("Target", {}).get("Fn::Sub", "")))
            if target is None:
                raise UnresolvableError(f"{route_id}: Target must be !Sub integrations/${{Integration}}")
            integration = resources[target["integration"]]["Properties"]
            if integration.get("IntegrationType") != "AWS_PROXY":
                raise UnresolvableError(f"{route_id}: only Lambda proxy integrations are played locally")
            authorizer_arn, sources = None, ()
            if route_properties.get("AuthorizationType") == "CUSTOM":
                authorizer = resources[_ref_id(route_properties.get("AuthorizerId"), route_id)]["Properties"]
                if authorizer.get("AuthorizerType") != "REQUEST":
                    raise UnresolvableError(f"{route_id}: only REQUEST authorizers are played locally")
                authorizer_arn = _invoked_arn(authorizer["AuthorizerUri"], resolver, route_id)
                sources = tuple(str(source) for source in resolver.resolve(authorizer.get("IdentitySource", [])))
            key = str(route_properties["RouteKey"])
            routes[key] = WebSocketRouteSpec(key, _invoked_arn(integration["IntegrationUri"], resolver, route_id),
                                             authorizer_arn, sources,
                                             "RouteResponseSelectionExpression" in route_properties)
        specs.append(WebSocketApiSpec(api_id, stages[0], str(properties.get("RouteSelectionExpression", "")),
                                      routes))
    return specs
