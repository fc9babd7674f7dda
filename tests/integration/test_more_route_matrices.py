"""The authorization matrix for the lists, jobs, import and robots routes (each other route module's test has its own):
rep A, rep B, the manager and the admin against every route, on rep A's records. Another rep's record does not
exist for a rep (404); managers and admins reach everyone's; notices are each user's own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.test_board_api import ADMIN, MANAGER, REP_A, REP_B, SALES, Board, board, routes_of  # noqa: F401
from tests.integration.test_home import post_lead

ROLES = (REP_A, REP_B, MANAGER, ADMIN)
CSV = "Name;E-Mail;Firma\nKarla Kunde;karla@example.com;Kunde GmbH\n"
MASS_EMAIL = {"kind": "leads", "template_id": "checking_in"}


def _annas_records(crm, board: Board) -> dict[str, str]:
    """Rep A's lead, import, notice and export job, for the paths to name."""
    from crm.services.robots import nudge_stalled_deals

    lead_id = post_lead(crm, "Hanna", country="DE")
    job = board.call("POST", "/api/imports", REP_A, {"kind": "leads", "file_name": "fair.csv", "csv": CSV}).json()
    board.new_deal(REP_A, "Stuck deal", stage_id="proposal")
    nudge_stalled_deals(datetime.now(UTC) + timedelta(days=30))
    [notice] = board.call("GET", "/api/notices", REP_A).json()["notices"]
    export = board.call("POST", "/api/lists/leads/export", REP_A).json()
    return {"lead_id": lead_id, "import_id": job["import_id"], "notice_id": notice["notice_id"],
            "job_id": export["job_id"],
            "mapping": job["suggested_mapping"], "kind": "leads", "pipeline_id": SALES}


Body = dict[str, Any] | Callable[[dict[str, str]], dict[str, Any]] | None

# (method, path, body, expected status for rep A, rep B, the manager, the admin), called in that order
MATRIX: list[tuple[str, str, Body, tuple[int, int, int, int]]] = [
    ("GET", "/api/lists/{kind}", None, (200, 200, 200, 200)),
    ("POST", "/api/lists/{kind}/export", None, (202, 202, 202, 202)),
    ("GET", "/api/search", None, (200, 200, 200, 200)),  # everyone may search: a rep finds only their own
    ("GET", "/api/jobs/{job_id}", None, (200, 404, 200, 200)),
    ("POST", "/api/leads/{lead_id}/convert", {}, (201, 404, 409, 409)),
    ("POST", "/api/mass-email/preview", MASS_EMAIL, (200, 200, 200, 200)),
    ("POST", "/api/mass-email", MASS_EMAIL, (202, 202, 202, 202)),
    ("POST", "/api/imports", {"kind": "leads", "file_name": "more.csv", "csv": CSV}, (201, 201, 201, 201)),
    ("PUT", "/api/imports/{import_id}/mapping", lambda ids: {"mapping": ids["mapping"]}, (200, 404, 200, 200)),
    ("POST", "/api/imports/{import_id}/next", None, (409, 404, 409, 409)),  # no mapping yet: nothing to import
    ("GET", "/api/imports/{import_id}", None, (200, 404, 200, 200)),
    ("GET", "/api/imports/{import_id}/report", None, (200, 404, 200, 200)),
    ("GET", "/api/stalled/{pipeline_id}", None, (200, 200, 200, 200)),
    ("GET", "/api/notices", None, (200, 200, 200, 200)),
    ("POST", "/api/notices/{notice_id}/read", None, (200, 404, 404, 404)),
]


def test_the_matrix_covers_every_route_of_these_modules():
    assert {(method, path) for method, path, *_ in MATRIX} == routes_of("lists", "jobs", "imports", "robots")


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, *_ in MATRIX])
def test_authorization_matrix(crm, board, method, path, body, expected):
    # Given rep A's lead, import and notice
    ids = _annas_records(crm, board)
    filled = path.format(**ids)
    # When each role calls the route, Then each gets what its role allows
    for user, status in zip(ROLES, expected, strict=True):
        payload = body(ids) if callable(body) else body
        response = board.call(method, filled, user, payload, headers={"Idempotency-Key": f"matrix-{user}"})
        assert response.status_code == status, (user, response.text)
