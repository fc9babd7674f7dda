"""The site on AWS (template.yaml): a private bucket only the CloudFront distribution reads (origin access control),
HTTPS only, security headers, config.json never cached; the deployer custom resource gets the board API's URL and the
Cognito ids; the user pool client's sign-in comes back to the distribution."""

from __future__ import annotations

import ast
import base64
import hashlib
import re
from typing import Any

import pytest

from .cfn import ROOT

SITE_RESOURCES = ("SiteBucket", "SiteBucketPolicy", "SiteOriginAccessControl", "SiteSecurityHeaders",
                  "SiteDistribution", "SiteUserPoolDomain", "SiteFilesLayer", "SiteDeployerRole",
                  "SiteDeployerFunction", "SiteContent")
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # AWS managed cache policy ids are the same everywhere
SITE_URL = {"Fn::Sub": "https://${SiteDistribution.DomainName}"}
LOGIN_URL = {"Fn::Sub": "https://${SiteDistribution.DomainName}/login.html"}
BOARD_LOGIN_URL = {"Fn::Sub": "${BoardUrl}/login.html"}
NO_VALUE = {"Ref": "AWS::NoValue"}


def resource(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return template["Resources"][logical_id]["Properties"]


def distribution(template: dict[str, Any]) -> dict[str, Any]:
    return resource(template, "SiteDistribution")["DistributionConfig"]


def test_the_bucket_is_private_and_encrypted(template):
    bucket = resource(template, "SiteBucket")
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}  # no ACLs at all
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert "WebsiteConfiguration" not in bucket  # never a public website endpoint


def test_only_this_distribution_may_read_the_bucket_and_only_over_tls(template):
    policy = resource(template, "SiteBucketPolicy")
    assert policy["Bucket"] == {"Ref": "SiteBucket"}
    allows = [statement for statement in policy["PolicyDocument"]["Statement"] if statement["Effect"] == "Allow"]
    assert allows == [{
        "Sid": "OnlyTheSiteDistributionReads", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${SiteBucket.Arn}/*"},
        "Condition": {"StringEquals": {"AWS:SourceArn": {"Fn::Sub": (
            "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${SiteDistribution}")}}}}]
    [deny] = [statement for statement in policy["PolicyDocument"]["Statement"] if statement["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_cloudfront_reaches_the_bucket_through_origin_access_control(template):
    [origin] = distribution(template)["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["SiteBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy origin access identity
    control = resource(template, "SiteOriginAccessControl")["OriginAccessControlConfig"]
    assert (control["OriginAccessControlOriginType"], control["SigningBehavior"], control["SigningProtocol"]) == (
        "s3", "always", "sigv4")


def test_viewers_get_https_only_security_headers_and_a_fresh_config(template):
    config = distribution(template)
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert config["DefaultRootObject"] == "index.html"
    assert {behavior["ViewerProtocolPolicy"] for behavior in behaviors} == {"redirect-to-https"}
    assert {behavior["AllowedMethods"] == ["GET", "HEAD"] for behavior in behaviors} == {True}
    assert {str(behavior["ResponseHeadersPolicyId"]) for behavior in behaviors} == {str({"Ref": "SiteSecurityHeaders"})}
    [config_behavior] = [behavior for behavior in behaviors if behavior.get("PathPattern") == "/config.json"]
    assert config_behavior["CachePolicyId"] == CACHING_DISABLED
    assert config["DefaultCacheBehavior"]["CachePolicyId"] != CACHING_DISABLED


def test_the_content_security_policy_allows_the_site_the_apis_cognito_and_recordings_only(template):
    headers = resource(template, "SiteSecurityHeaders")["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    directives = dict(directive.strip().split(" ", 1) for directive in csp.split(";"))
    assert directives["default-src"] == "'self'"
    # the site's own modules, and the lead form's one inline script (UTM fields, page URL) by its hash
    assert directives["script-src"].split() == ["'self'", f"'sha256-{_inline_script_hash('form.html')}'"]
    assert directives["frame-ancestors"] == "'none'"
    # the board API, the screen pop's WebSocket API and the sign-in
    assert directives["connect-src"].split() == [
        "'self'", "https://*.execute-api.${AWS::Region}.${AWS::URLSuffix}",
        "wss://*.execute-api.${AWS::Region}.${AWS::URLSuffix}",
        "https://${SiteUserPoolDomain}.auth.${AWS::Region}.amazoncognito.com"]
    # call recordings play from their presigned links into the private bucket
    assert directives["media-src"].split() == [
        "'self'", "https://${RecordingsBucket.RegionalDomainName}", "https://${RecordingsBucket.DomainName}"]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["FrameOptions"]["FrameOption"] == "DENY"


def test_the_deployer_gets_the_api_url_and_the_cognito_ids(template):
    content = resource(template, "SiteContent")
    outputs = template["Outputs"]
    assert template["Resources"]["SiteContent"]["Type"] == "Custom::SiteContent"
    assert content["ServiceToken"] == {"Fn::GetAtt": ["SiteDeployerFunction", "Arn"]}
    board_api_url = outputs["BoardApiUrl"]["Value"]["Fn::Sub"].replace("amazonaws.com", "${AWS::URLSuffix}")
    assert content["ApiBase"] == {"Fn::Sub": f"{board_api_url}/api"}
    # the published lead form posts to the lead API: CloudFront takes no POST (functions/site_deployer)
    lead_api_url = outputs["LeadApiUrl"]["Value"]["Fn::Sub"].replace("amazonaws.com", "${AWS::URLSuffix}")
    assert content["LeadsUrl"] == {"Fn::Sub": f"{lead_api_url}/leads"}
    assert (content["UserPoolId"], content["UserPoolClientId"]) == ({"Ref": "UserPool"}, {"Ref": "BoardUserPoolClient"})
    assert content["CognitoDomain"] == {"Fn::Sub": "https://${SiteUserPoolDomain}.auth.${AWS::Region}.amazoncognito.com"}
    assert content["Region"] == {"Ref": "AWS::Region"}
    assert content["RedirectUri"] == {"Fn::If": ["HasBoardUrl", BOARD_LOGIN_URL, LOGIN_URL]}
    assert (content["BucketName"], content["DistributionId"]) == ({"Ref": "SiteBucket"}, {"Ref": "SiteDistribution"})
    # a new version of the site's files is a new layer version: CloudFormation updates the resource, which publishes
    assert content["SiteFiles"] == {"Ref": "SiteFilesLayer"}
    assert resource(template, "SiteFilesLayer")["ContentUri"] == "static_site/"


def test_the_deployer_is_wired_to_its_code_and_may_touch_only_the_site(template):
    function = resource(template, "SiteDeployerFunction")
    module, _, name = function["Handler"].rpartition(".")
    source = ROOT / function["Code"] / f"{module}.py"
    assert name in {node.name for node in ast.parse(source.read_text()).body if isinstance(node, ast.FunctionDef)}
    assert function["Layers"] == [{"Ref": "SiteFilesLayer"}]
    assert function["Environment"]["Variables"] == {"SITE_ROOT": "/opt"}  # where Lambda mounts the layer
    [policy] = resource(template, "SiteDeployerRole")["Policies"]
    statements = policy["PolicyDocument"]["Statement"]
    assert {str(statement["Resource"]) for statement in statements} == {
        str({"Fn::Sub": "${SiteBucket.Arn}/*"}), str({"Fn::GetAtt": ["SiteBucket", "Arn"]}),
        str({"Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${SiteDistribution}"})}
    actions = {action for statement in statements for action in (
        statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])}
    assert actions == {"s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "cloudfront:CreateInvalidation"}


def test_cognito_sign_in_comes_back_to_the_distribution(template):
    client = resource(template, "BoardUserPoolClient")
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthFlows"] == ["code"]  # with PKCE in the browser; never the implicit flow
    assert set(client["AllowedOAuthScopes"]) == {"openid", "email", "profile"}
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    assert client["CallbackURLs"] == client["LogoutURLs"]
    assert client["GenerateSecret"] is False
    domain = resource(template, "SiteUserPoolDomain")
    assert domain["UserPoolId"] == {"Ref": "UserPool"}
    assert domain["Domain"]["Fn::If"][0] == "HasAuthDomainPrefix"


def _with_board_url(value, given: bool):
    """`value` as CloudFormation resolves it when the BoardUrl parameter is (or is not) given."""
    if isinstance(value, dict) and "Fn::If" in value:
        condition, when_true, when_false = value["Fn::If"]
        assert condition == "HasBoardUrl"
        return when_true if given else when_false
    return value


@pytest.mark.parametrize("board_url_given", [False, True], ids=["cloudfront", "board-url"])
def test_sign_in_comes_back_to_the_login_page_the_site_names(template, board_url_given):
    """Cognito refuses a redirect_uri not in the client's lists: with BoardUrl set, sign-in once broke."""
    client = resource(template, "BoardUserPoolClient")
    for urls in (client["CallbackURLs"], client["LogoutURLs"]):
        allowed = [url for url in (_with_board_url(url, board_url_given) for url in urls) if url != NO_VALUE]
        assert allowed == ([LOGIN_URL, BOARD_LOGIN_URL] if board_url_given else [LOGIN_URL])
        assert _with_board_url(resource(template, "SiteContent")["RedirectUri"], board_url_given) in allowed


def test_board_url_is_an_origin(template):
    """It is the board API's CORS origin and the base of the login page: no path, no trailing slash."""
    pattern = re.compile(template["Parameters"]["BoardUrl"]["AllowedPattern"])
    assert pattern.match("") and pattern.match("https://crm.example.com")
    assert not [url for url in ("https://crm.example.com/", "https://crm.example.com/app", "http://crm.example.com")
                if pattern.match(url)]


def test_the_lead_intake_takes_the_sites_own_form_when_origins_are_restricted(template):
    """With AllowedOrigins given, the site's form (posting from the site's origin) would otherwise get 403."""
    origins = template["Globals"]["Function"]["Environment"]["Variables"]["ALLOWED_ORIGINS"]
    site_origin = {"Fn::If": ["HasBoardUrl", {"Ref": "BoardUrl"}, SITE_URL]}
    assert origins == {"Fn::If": ["HasAllowedOrigins", {"Fn::Join": [",", [{"Ref": "AllowedOrigins"}, site_origin]]},
                                  ""]}
    assert template["Conditions"]["HasAllowedOrigins"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "AllowedOrigins"}, ""]}]}


def test_the_board_api_lets_the_site_call_it(template):
    cors = resource(template, "BoardApi")["Cors"]["AllowOrigin"]["Fn::If"]
    assert cors == ["HasBoardUrl", {"Fn::Sub": "'${BoardUrl}'"}, {"Fn::Sub": "'https://${SiteDistribution.DomainName}'"}]
    assert template["Outputs"]["SiteUrl"]["Value"] == SITE_URL


@pytest.mark.parametrize("logical_id", SITE_RESOURCES)
def test_nothing_account_specific_is_written_in(template, logical_id):
    text = str(template["Resources"][logical_id])
    assert not re.search(r"\b\d{12}\b", text), "an account id"
    assert not re.search(r"\b(us|eu|ap|sa|ca|me|af|il)-[a-z]+-\d\b", text), "a region"
    assert "arn:aws:" not in text, "a partition"


def _inline_script_hash(page: str) -> str:
    """The CSP hash of a static page's only inline <script>: it changes whenever the script does."""
    html = (ROOT / "static_site" / page).read_text(encoding="utf-8")
    [script] = re.findall(r"<script>(.*?)</script>", html, re.S)
    return base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
