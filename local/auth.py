"""Cognito's part, played locally: ID tokens for the CRM's users, and the claims API Gateway hands a handler.

On AWS a Cognito user pool signs the board's ID tokens and API Gateway's Cognito authorizer checks them before
the function runs, passing their claims on in requestContext.authorizer.claims, every value a string. Locally
the runner signs equivalent tokens (HS256 with a key made afresh each run, so no token outlives the run that
issued it) for active users only, and checks them the same way before invoking a route declared with a Cognito
authorizer.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from local.lambda_dispatch import add_shared_code_to_path
from local.template import REGION

add_shared_code_to_path()
from crm.roles import ROLE_GROUPS  # noqa: E402

ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_local"
CLIENT_ID = "crm-board-local"
TOKEN_LIFETIME = timedelta(hours=1)  # Cognito's default ID token validity
BEARER = "bearer "

_ALGORITHM = "HS256"
_SIGNING_KEY = secrets.token_bytes(32)
_GATEWAY_TIME = "%a %b %d %H:%M:%S UTC %Y"  # how API Gateway writes exp and iat in the claims


class InvalidTokenError(ValueError):
    """401: no token, or one this run did not sign, an expired one, or not an ID token."""


class NotAllowedError(PermissionError):
    """403: no token for an unknown or inactive user."""


def issue_token(user_id: str, email: str, role: str, now: datetime | None = None) -> str:
    """An ID token shaped like Cognito's: the CRM user id is the username, the role is the one group."""
    issued = now or datetime.now(UTC)
    claims = {
        "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{ISSUER}/{user_id}")),
        "cognito:username": user_id,
        "cognito:groups": [ROLE_GROUPS[role]],
        "email": email,
        "email_verified": True,
        "token_use": "id",
        "aud": CLIENT_ID,
        "iss": ISSUER,
        "auth_time": int(issued.timestamp()),
        "iat": int(issued.timestamp()),
        "exp": int((issued + TOKEN_LIFETIME).timestamp()),
    }
    return jwt.encode(claims, _SIGNING_KEY, algorithm=_ALGORITHM)


def token_for(user_id: str) -> str:
    """What signing in as `user_id` gives; the CRM's users stand in for the user pool."""
    from crm.data.people import get_user

    user = get_user(user_id)
    if user is None or not user.active:
        raise NotAllowedError(f"{user_id!r} is not an active user")
    return issue_token(user.user_id, user.email, user.role)


def sign_in_choices() -> list[dict[str, str]]:
    """Who the local login page offers: every active user, as a user pool's sign-in would accept them."""
    from crm.data.people import active_users
    from crm.roles import ROLES

    return [{"user_id": user.user_id, "name": user.name, "role": user.role}
            for role in ROLES for user in active_users(role)]


def verify_token(token: str) -> dict[str, Any]:
    """The token's claims, if this run signed it, it has not expired and it is an ID token for the board."""
    try:
        claims = jwt.decode(token, _SIGNING_KEY, algorithms=[_ALGORITHM], audience=CLIENT_ID, issuer=ISSUER,
                            options={"require": ["exp", "iat", "cognito:username", "token_use"]})
    except jwt.PyJWTError as error:
        raise InvalidTokenError(str(error)) from error
    if claims["token_use"] != "id":
        raise InvalidTokenError("not an ID token")
    return claims


def gateway_claims(authorization: str | None) -> dict[str, str]:
    """requestContext.authorizer.claims for an Authorization header ("Bearer <token>" or the bare token)."""
    token = (authorization or "").strip()
    if token.lower().startswith(BEARER):
        token = token[len(BEARER):].strip()
    if not token:
        raise InvalidTokenError("no token in the Authorization header")
    return {name: _claim_text(name, value) for name, value in verify_token(token).items()}


def _claim_text(name: str, value: Any) -> str:
    if name in ("exp", "iat"):
        return datetime.fromtimestamp(value, UTC).strftime(_GATEWAY_TIME)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)
