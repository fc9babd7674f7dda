"""The site deployer (functions/site_deployer, custom resource SiteContent) against moto's S3 and CloudFront: what it
uploads and with which Content-Type, the config.json the pages read, and the answer CloudFormation gets on Create,
Update, Delete and on failure."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.lambda_dispatch import load_handler
from local.template import REPO_ROOT

BUCKET = "crm-site-test"
PROPERTIES = {"BucketName": BUCKET, "ApiBase": "https://abc123.execute-api.eu-central-1.amazonaws.com/v1/api",
              "Region": "eu-central-1", "UserPoolId": "eu-central-1_Pool", "UserPoolClientId": "client123",
              "CognitoDomain": "https://crm-1.auth.eu-central-1.amazoncognito.com",
              "RedirectUri": "https://d111.cloudfront.net/login.html", "SiteFiles": "arn:layer:1",
              "LeadsUrl": "https://lead123.execute-api.eu-central-1.amazonaws.com/v1/leads",
              "WebSocketUrl": "wss://ws123.execute-api.eu-central-1.amazonaws.com/v1"}


class Context:
    log_stream_name = "2030/01/01/[$LATEST]abc"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A bucket with a file the site no longer has, a distribution, and CloudFormation's ResponseURL caught."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    answers: list[dict[str, Any]] = []

    class Answer:
        status = 200

        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *_: object) -> None:
            return None

    def urlopen(request: Any, timeout: float) -> Answer:
        answers.append({"url": request.full_url, "method": request.get_method(),
                        "content_type": request.get_header("Content-type"), "body": json.loads(request.data)})
        return Answer()

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        s3.put_object(Bucket=BUCKET, Key="old-page.html", Body=b"gone")
        distribution = boto3.client("cloudfront").create_distribution(DistributionConfig={
            "CallerReference": "test", "Comment": "", "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "site", "DomainName": f"{BUCKET}.s3.amazonaws.com",
                                                   "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https",
                                     "MinTTL": 0}})["Distribution"]["Id"]
        yield {"s3": s3, "distribution": distribution, "answers": answers}


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in {"index.html": "<!doctype html>", "js/i18n/home.js": "export {};", "css/home.css": "a{}",
                       "config.json": '{"auth": "local"}'}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.setenv("SITE_ROOT", str(tmp_path))
    return tmp_path


def deployer() -> Any:
    return load_handler(REPO_ROOT / "functions" / "site_deployer", "deployer.handler")


def event(request_type: str, distribution: str, **extra: Any) -> dict[str, Any]:
    return {"RequestType": request_type, "ResponseURL": "https://cloudformation-custom-resource-response.example/x",
            "StackId": "arn:aws:cloudformation:eu-central-1:123456789012:stack/crm/1",
            "RequestId": f"req-{request_type}",
            "LogicalResourceId": "SiteContent", "ResourceType": "Custom::SiteContent",
            "ResourceProperties": {**PROPERTIES, "DistributionId": distribution}, **extra}


def objects(s3: Any) -> dict[str, dict[str, Any]]:
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    return {key: s3.get_object(Bucket=BUCKET, Key=key) for key in keys}


@pytest.mark.parametrize("request_type", ["Create", "Update"])
def test_create_and_update_publish_the_site_with_its_config_and_answer_success(aws, site, request_type):
    # When CloudFormation creates (or updates) the site
    extra = {"PhysicalResourceId": f"site-{BUCKET}"} if request_type == "Update" else {}
    deployer()(event(request_type, aws["distribution"], **extra), Context())

    # Then every file of the site is there, typed for the browser; the file the site dropped is gone
    stored = objects(aws["s3"])
    assert set(stored) == {"index.html", "js/i18n/home.js", "css/home.css", "config.json"}
    assert {key: stored[key]["ContentType"] for key in stored} == {
        "index.html": "text/html; charset=utf-8", "js/i18n/home.js": "text/javascript; charset=utf-8",
        "css/home.css": "text/css; charset=utf-8", "config.json": "application/json; charset=utf-8"}
    # And config.json is this stack's (not the local one in the folder), never cached
    assert json.loads(stored["config.json"]["Body"].read()) == {
        "apiBase": PROPERTIES["ApiBase"], "auth": "cognito", "region": "eu-central-1",
        "userPoolId": "eu-central-1_Pool", "userPoolClientId": "client123",
        "cognitoDomain": PROPERTIES["CognitoDomain"], "redirectUri": PROPERTIES["RedirectUri"],
        "leadsUrl": PROPERTIES["LeadsUrl"], "webSocketUrl": PROPERTIES["WebSocketUrl"]}
    assert stored["config.json"]["CacheControl"] == "no-store"
    assert stored["index.html"]["CacheControl"] == "public, max-age=0, must-revalidate"
    # And CloudFront is told to forget its copies
    invalidations = boto3.client("cloudfront").list_invalidations(DistributionId=aws["distribution"])
    assert invalidations["InvalidationList"]["Quantity"] == 1
    # And CloudFormation hears SUCCESS, by a PUT to its ResponseURL without a Content-Type, for the same resource
    [answer] = aws["answers"]
    assert (answer["method"], answer["content_type"]) == ("PUT", "")
    assert answer["body"]["Status"] == "SUCCESS"
    assert answer["body"]["PhysicalResourceId"] == f"site-{BUCKET}"
    assert (answer["body"]["RequestId"], answer["body"]["LogicalResourceId"]) == (f"req-{request_type}", "SiteContent")
    assert answer["body"]["Data"] == {"Files": "4"}


def test_delete_empties_the_bucket_so_the_stack_can_delete_it(aws, site):
    deployer()(event("Create", aws["distribution"]), Context())
    deployer()(event("Delete", aws["distribution"], PhysicalResourceId=f"site-{BUCKET}"), Context())
    assert objects(aws["s3"]) == {}
    assert [answer["body"]["Status"] for answer in aws["answers"]] == ["SUCCESS", "SUCCESS"]
    assert aws["answers"][1]["body"]["PhysicalResourceId"] == f"site-{BUCKET}"


def test_delete_of_a_bucket_already_gone_still_succeeds(aws, site):
    aws["s3"].delete_object(Bucket=BUCKET, Key="old-page.html")
    aws["s3"].delete_bucket(Bucket=BUCKET)
    deployer()(event("Delete", aws["distribution"], PhysicalResourceId=f"site-{BUCKET}"), Context())
    assert aws["answers"][0]["body"]["Status"] == "SUCCESS"


def test_a_failure_is_answered_as_failed_with_the_reason(aws, site):
    # Given a distribution that does not exist
    deployer()(event("Create", "ENOSUCHDISTRIBUTION"), Context())
    [answer] = aws["answers"]
    assert answer["body"]["Status"] == "FAILED"
    assert "NoSuchDistribution" in answer["body"]["Reason"]
    assert answer["body"]["PhysicalResourceId"] == f"site-{BUCKET}"


def test_every_file_of_the_real_site_gets_a_type_a_browser_accepts():
    module = sys.modules[deployer().__module__]
    files = dict(module.site_files(REPO_ROOT / "static_site"))
    assert {"index.html", "login.html", "home.html", "js/home.js", "css/home.css"} <= set(files)
    assert all(module.content_type(path) != "application/octet-stream" for path in files.values())


class Forms(HTMLParser):
    """The attributes of every <form> of a page."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.forms: list[dict[str, str | None]] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            self.forms.append(dict(attrs))


def test_the_published_lead_form_posts_to_the_lead_api_not_to_cloudfront(aws, site):
    """CloudFront takes GET and HEAD only: a form posting to the site's own /leads would get 403 for every visitor."""
    # Given the site's real lead form, which posts to /leads (right on the local stack)
    form = (REPO_ROOT / "static_site" / "form.html").read_text(encoding="utf-8")
    [local_form] = Forms(form).forms
    assert (local_form["method"], local_form["action"]) == ("post", "/leads")
    (site / "form.html").write_text(form, encoding="utf-8")

    # When the stack publishes the site
    deployer()(event("Create", aws["distribution"]), Context())

    # Then the published form posts, as plain HTML, to the lead API's URL, and nothing else of the page changed
    published = objects(aws["s3"])["form.html"]["Body"].read().decode()
    [published_form] = Forms(published).forms
    assert published_form == {**local_form, "action": PROPERTIES["LeadsUrl"]}
    assert published.replace(PROPERTIES["LeadsUrl"], "/leads") == form
    # And the pages without that form are published as they are
    assert objects(aws["s3"])["index.html"]["Body"].read() == (site / "index.html").read_bytes()
