"""The screen-pop WebSocket API's $connect authorizer (a Lambda REQUEST authorizer).

Browsers cannot set headers on a WebSocket, so the page sends its Cognito access token as the `token` query
parameter. It is checked as API Gateway's Cognito authorizer checks the board API's: RS256 signature by a key of
the user pool's JWKS, issuer, expiry, token_use "access", the site's app client, and a person's scope; a person
with no role group is refused. The answer allows execute-api:Invoke on the $connect route and passes
{user_id, role} on to every route of the connection. A refused token is a Deny answer (API Gateway's 403), not an
exception, so a stale tab does not count as a Lambda error (ScreenPopErrorsAlarm); API Gateway itself answers 401
when the query has no token.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import jwt

PEOPLE_SCOPE = "openid"  # crm.roles.PEOPLE_SCOPE; a client-credentials token has no person to pop a screen for
GROUP_ROLES = (("admins", "admin"), ("managers", "manager"), ("reps", "rep"))  # by the groups' precedence
LEEWAY_SECONDS = 5


class Unauthorized(Exception):
    """The token is refused; the handler answers Deny."""


def issuer() -> str:
    pool = os.environ["USER_POOL_ID"]
    region = pool.split("_", 1)[0]
    return f"https://cognito-idp.{region}.amazonaws.com/{pool}"


@cache
def _jwks(url: str) -> jwt.PyJWKClient:
    """The pool's keys, fetched once per process (and again for a key id not seen yet, as keys rotate)."""
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=3)


def verify(token: str) -> dict[str, Any]:
    """The claims of a valid access token of the site's app client; Unauthorized otherwise."""
    expected_issuer = issuer()
    try:
        key = _jwks(f"{expected_issuer}/.well-known/jwks.json").get_signing_key_from_jwt(token)
        claims = jwt.decode(token, key.key, algorithms=["RS256"], issuer=expected_issuer, leeway=LEEWAY_SECONDS,
                            options={"require": ["exp", "iat", "iss", "token_use", "client_id", "username"]})
    except jwt.PyJWTError as error:
        raise Unauthorized from error
    if claims["token_use"] != "access" or claims["client_id"] != os.environ["USER_POOL_CLIENT_ID"]:
        raise Unauthorized
    if PEOPLE_SCOPE not in str(claims.get("scope", "")).split():
        raise Unauthorized
    return claims


def role_of(claims: dict[str, Any]) -> str:
    groups = set(claims.get("cognito:groups") or [])
    for group, role in GROUP_ROLES:
        if group in groups:
            return role
    raise Unauthorized


def connect_route_arn(method_arn: str) -> str:
    """arn:...:{api}/{stage}/$connect, from the methodArn API Gateway gave."""
    api, _, _ = method_arn.partition("/")
    stage = method_arn.split("/")[1]
    return f"{api}/{stage}/$connect"


def policy(principal: str, effect: str, method_arn: str, context: dict[str, str] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "principalId": principal,
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": effect, "Action": "execute-api:Invoke", "Resource": connect_route_arn(method_arn)}]},
    }
    if context is not None:
        answer["context"] = context
    return answer


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    token = ((event.get("queryStringParameters") or {}).get("token") or "").strip()
    try:
        if not token:
            raise Unauthorized
        claims = verify(token)
        user_id = str(claims["username"])
        role = role_of(claims)
    except Unauthorized:
        return policy("anonymous", "Deny", event["methodArn"])
    return policy(user_id, "Allow", event["methodArn"], {"user_id": user_id, "role": role})
