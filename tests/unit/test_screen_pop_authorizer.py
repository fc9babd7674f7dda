"""The screen-pop $connect authorizer (functions/screen_pop/authorizer.py): a Cognito access token, RS256 by a key of
the user pool's JWKS, from the query string; signed here with a generated RSA key served as the pool's JWKS."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from local.lambda_dispatch import LocalLambdaContext, call_handler
from local.template import REPO_ROOT

POOL = "eu-central-1_AbCdEf123"
ISSUER = f"https://cognito-idp.eu-central-1.amazonaws.com/{POOL}"
CLIENT = "site-client-id"
METHOD_ARN = "arn:aws:execute-api:eu-central-1:123456789012:a1b2c3/v1/$connect"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwks() -> dict[str, Any]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    return {"keys": [{**public, "kid": "pool-key-1", "alg": "RS256", "use": "sig"}]}


@pytest.fixture(autouse=True)
def pool(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setenv("USER_POOL_ID", POOL)
    monkeypatch.setenv("USER_POOL_CLIENT_ID", CLIENT)
    fetched: list[str] = []

    def fetch_data(self: jwt.PyJWKClient) -> dict[str, Any]:
        fetched.append(self.uri)
        return _jwks()

    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", fetch_data)
    authorizer = _module()
    authorizer._jwks.cache_clear()
    return fetched


def _module() -> Any:
    from local.lambda_dispatch import _import_from_file

    return _import_from_file(REPO_ROOT / "functions" / "screen_pop", "authorizer")


def token(key: Any = KEY, kid: str = "pool-key-1", **overrides: Any) -> str:
    now = int(time.time())
    claims = {"sub": "3f1c", "username": "rep-anna", "cognito:groups": ["reps"], "client_id": CLIENT,
              "token_use": "access", "scope": "openid email profile", "iss": ISSUER, "iat": now, "exp": now + 3600,
              "auth_time": now, "jti": "j1", "version": 2, **overrides}
    return jwt.encode({name: value for name, value in claims.items() if value is not None}, key, algorithm="RS256",
                      headers={"kid": kid})


def authorize(query: dict[str, str] | None) -> dict[str, Any]:
    event = {"type": "REQUEST", "methodArn": METHOD_ARN, "queryStringParameters": query,
             "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": "c1"}}
    return call_handler(REPO_ROOT / "functions" / "screen_pop", "authorizer.handler", event,
                        LocalLambdaContext(function_name="ScreenPopAuthorizerFunction"))


def _effect(answer: dict[str, Any]) -> str:
    [statement] = answer["policyDocument"]["Statement"]
    assert statement["Action"] == "execute-api:Invoke"
    assert statement["Resource"] == METHOD_ARN  # the $connect route of this API and stage
    return statement["Effect"]


def test_a_reps_access_token_is_allowed_with_who_they_are(pool: list[str]):
    answer = authorize({"token": token()})
    assert _effect(answer) == "Allow"
    assert answer["principalId"] == "rep-anna"
    assert answer["context"] == {"user_id": "rep-anna", "role": "rep"}
    assert pool == [f"{ISSUER}/.well-known/jwks.json"]  # the pool's JWKS


def test_the_role_is_the_highest_group():
    answer = authorize({"token": token(username="ada", **{"cognito:groups": ["reps", "admins"]})})
    assert answer["context"] == {"user_id": "ada", "role": "admin"}


def test_the_keys_are_fetched_once_per_process(pool: list[str]):
    authorize({"token": token()})
    authorize({"token": token(username="rep-bela")})
    assert len(pool) == 1


@pytest.mark.parametrize("bad", [
    pytest.param({"key": OTHER_KEY}, id="signed by another key"),
    pytest.param({"kid": "unknown-key"}, id="a key id the pool does not have"),
    pytest.param({"iss": "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Other"}, id="another pool"),
    pytest.param({"token_use": "id"}, id="an ID token"),
    pytest.param({"client_id": "another-client"}, id="another app client"),
    pytest.param({"exp": int(time.time()) - 60}, id="expired"),
    pytest.param({"exp": None}, id="no expiry"),
    pytest.param({"scope": "crm/records.read"}, id="an integration's token"),
    pytest.param({"cognito:groups": None}, id="no role group"),
])
def test_a_bad_token_is_denied(bad: dict[str, Any]):
    key, kid = bad.pop("key", KEY), bad.pop("kid", "pool-key-1")
    answer = authorize({"token": token(key, kid, **bad)})
    assert _effect(answer) == "Deny"
    assert "context" not in answer


def test_an_hs256_token_is_denied():
    forged = jwt.encode({"username": "rep-anna", "token_use": "access", "client_id": CLIENT, "iss": ISSUER,
                         "exp": int(time.time()) + 60, "iat": int(time.time()), "scope": "openid"},
                        "a-shared-secret-of-32-bytes-or-more", algorithm="HS256", headers={"kid": "pool-key-1"})
    assert _effect(authorize({"token": forged})) == "Deny"


@pytest.mark.parametrize("query", [None, {}, {"token": ""}, {"token": "not-a-jwt"}])
def test_no_token_or_garbage_is_denied(query: dict[str, str] | None):
    assert _effect(authorize(query)) == "Deny"
