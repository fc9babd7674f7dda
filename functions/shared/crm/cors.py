"""Origin checks for public browser-facing ingress: only configured sites may post from a page."""

from __future__ import annotations

from collections.abc import Sequence


def origin_allowed(origin: str | None, allowed: Sequence[str]) -> bool:
    """No Origin header means a server-side client (curl, a webhook relay): allowed; browsers always send one."""
    if origin is None or not allowed:
        return True
    return origin.rstrip("/") in allowed


def cors_headers(origin: str | None, allowed: Sequence[str], methods: str = "POST, OPTIONS") -> dict[str, str]:
    if not origin or origin.rstrip("/") not in allowed:
        return {}
    return {
        "Access-Control-Allow-Origin": origin.rstrip("/"),
        "Access-Control-Allow-Methods": methods,
        "Access-Control-Allow-Headers": "Content-Type, Idempotency-Key",
        "Access-Control-Max-Age": "600",
        "Vary": "Origin",
    }
