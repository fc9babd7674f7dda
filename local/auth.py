"""Cognito's part, played locally: access tokens for the CRM's users and for integrations, and the claims API
Gateway hands a handler.

On AWS the user pool signs the tokens, and API Gateway's Cognito authorizer checks a token and the method's OAuth
scopes before the function runs (a method with scopes takes access tokens only), passing the claims on in
requestContext.authorizer.claims, every value a string. Locally the runner signs equivalent access tokens (HS256
with a key made afresh each run, so no token outlives the run that issued it):
- for active users, as the site's sign-in would get them (POST /local/token; scopes openid email profile);
- for the template's client-credentials app clients (IntegrationClient), as the user pool domain's /oauth2/token
  would (POST /local/oauth2/token). Locally a client's id is its ClientName and its secret is made afresh each run
  (`make run` prints both);
and it checks them the same way before invoking a route: no valid access token 401, none of the method's scopes 403.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import jwt

from local.lambda_dispatch import add_shared_code_to_path
from local.template import REGION, Resolver, load_template

add_shared_code_to_path()
from crm.roles import ROLE_GROUPS  # noqa: E402

ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_local"
CLIENT_ID = "crm-board-local"  # the site's app client (BoardUserPoolClient)
SIGN_IN_SCOPES = "openid email profile"  # what the site's sign-in asks for (static_site/js/login.js)
TOKEN_LIFETIME = timedelta(hours=1)  # the template's AccessTokenValidity
BEARER = "bearer "
CLIENT_TYPE = "AWS::Cognito::UserPoolClient"

_ALGORITHM = "HS256"
_SIGNING_KEY = secrets.token_bytes(32)
_GATEWAY_TIME = "%a %b %d %H:%M:%S UTC %Y"  # how API Gateway writes exp and iat in the claims


class InvalidTokenError(ValueError):
    """401: no token, or one this run did not sign, an expired one, or not an access token."""


class MissingScopeError(PermissionError):
    """403: a valid access token holding none of the scopes the method accepts."""


class NotAllowedError(PermissionError):
    """403: no token for an unknown or inactive user."""


class InvalidClientError(ValueError):
    """OAuth invalid_client: no such client-credentials client, or the wrong secret."""


class InvalidScopeError(ValueError):
    """OAuth invalid_scope: a scope the client is not allowed."""


@dataclass(frozen=True)
class MachineClient:
    """An app client with the client credentials flow, as the local runner plays it."""

    client_id: str
    secret: str
    scopes: tuple[str, ...]


def _access_token(claims: dict[str, Any], now: datetime | None) -> str:
    """Signs an access token shaped like Cognito's: these claims and the ones every access token carries."""
    issued = now or datetime.now(UTC)
    return jwt.encode({
        **claims,
        "token_use": "access",
        "iss": ISSUER,
        "version": 2,
        "jti": str(uuid.uuid4()),
        "auth_time": int(issued.timestamp()),
        "iat": int(issued.timestamp()),
        "exp": int((issued + TOKEN_LIFETIME).timestamp()),
    }, _SIGNING_KEY, algorithm=_ALGORITHM)


def issue_token(user_id: str, role: str, now: datetime | None = None) -> str:
    """A person's access token from the site's sign-in: the CRM user id is the username, the role is the one
    group."""
    return _access_token({
        "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{ISSUER}/{user_id}")),
        "username": user_id,
        "cognito:groups": [ROLE_GROUPS[role]],
        "client_id": CLIENT_ID,
        "scope": SIGN_IN_SCOPES,
    }, now)


def token_for(user_id: str) -> str:
    """What signing in as `user_id` gives; the CRM's users stand in for the user pool."""
    from crm.data.people import get_user

    user = get_user(user_id)
    if user is None or not user.active:
        raise NotAllowedError(f"{user_id!r} is not an active user")
    return issue_token(user.user_id, user.role)


def sign_in_choices() -> list[dict[str, str]]:
    """Who the local login page offers: every active user, as a user pool's sign-in would accept them."""
    from crm.data.people import active_users
    from crm.roles import ROLES

    return [{"user_id": user.user_id, "name": user.name, "role": user.role}
            for role in ROLES for user in active_users(role)]


@cache
def machine_clients() -> dict[str, MachineClient]:
    """The template's app clients that allow the client credentials flow, by client id (their ClientName), each with
    a secret made for this run."""
    template = load_template()
    resolver = Resolver(template)
    clients = {}
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == CLIENT_TYPE and "client_credentials" in properties.get("AllowedOAuthFlows", []):
            client_id = str(resolver.resolve(properties["ClientName"]))
            scopes = tuple(str(scope) for scope in resolver.resolve(properties["AllowedOAuthScopes"]))
            clients[client_id] = MachineClient(client_id, secrets.token_urlsafe(24), scopes)
    return clients


def client_token(client_id: str, secret: str, scope: str | None = None, now: datetime | None = None) -> str:
    """The client credentials grant: an access token with the scopes asked for (space-separated), by default every
    scope the client is allowed, as Cognito gives when none is named."""
    client = machine_clients().get(client_id)
    if client is None or not secrets.compare_digest(secret.encode(), client.secret.encode()):
        raise InvalidClientError("unknown client or wrong secret")
    wanted = scope.split() if scope and scope.strip() else list(client.scopes)
    if not set(wanted) <= set(client.scopes):
        raise InvalidScopeError(f"{client_id} may ask for {' '.join(client.scopes)}")
    return _access_token({"sub": client_id, "client_id": client_id, "scope": " ".join(wanted)}, now)


def verify_token(token: str, scopes: tuple[str, ...]) -> dict[str, Any]:
    """The claims of an access token this run signed for one of its clients, not expired, if it holds one of
    `scopes` (the method's)."""
    try:
        claims = jwt.decode(token, _SIGNING_KEY, algorithms=[_ALGORITHM], issuer=ISSUER,
                            options={"require": ["exp", "iat", "token_use", "client_id"]})
    except jwt.PyJWTError as error:
        raise InvalidTokenError(str(error)) from error
    if claims["token_use"] != "access":
        raise InvalidTokenError("not an access token")
    if claims["client_id"] != CLIENT_ID and claims["client_id"] not in machine_clients():
        raise InvalidTokenError("issued for an unknown client")
    if set(str(claims.get("scope", "")).split()).isdisjoint(scopes):
        raise MissingScopeError(f"the token holds none of {' '.join(scopes)}")
    return claims


def gateway_claims(authorization: str | None, scopes: tuple[str, ...]) -> dict[str, str]:
    """requestContext.authorizer.claims for an Authorization header ("Bearer <token>" or the bare token) on a method
    accepting `scopes`."""
    token = (authorization or "").strip()
    if token.lower().startswith(BEARER):
        token = token[len(BEARER):].strip()
    if not token:
        raise InvalidTokenError("no token in the Authorization header")
    return {name: _claim_text(name, value) for name, value in verify_token(token, scopes).items()}


def _claim_text(name: str, value: Any) -> str:
    if name in ("exp", "iat"):
        return datetime.fromtimestamp(value, UTC).strftime(_GATEWAY_TIME)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)
