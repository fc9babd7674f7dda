"""Settings and the deletion review through the board API (chalicelib/admin.py): who may do what, that a rep never
learns of another rep's lead, that a setting read can be written back as it is, and that each change is counted
once."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.integration.test_board_api import (  # noqa: F401
    ADMIN,
    MANAGER,
    REP_A,
    REP_B,
    Board,
    board,
    emitted_metrics,
    routes_of,
)
from tests.integration.test_home import post_lead

ROLES = (REP_A, REP_B, MANAGER, ADMIN)


@pytest.fixture
def stopped(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The lead workflows the services asked to stop: (lead id, cause)."""
    from crm.services import deletion

    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(deletion, "stop_lead_lifecycle", lambda lead_id, cause: calls.append((lead_id, cause)))
    return calls


def annas_lead(crm, name: str = "Hanna") -> str:
    """A new lead from Germany: the routing rules give it to rep A (Anna)."""
    return post_lead(crm, name, country="DE")


def _setting(board: Board, path: str) -> dict[str, Any]:
    return board.call("GET", path, REP_A).json()


# (method, path, body, expected status for rep A, rep B, the manager, the admin); {lead} is rep A's lead
MATRIX: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("GET", "/api/admin/profile", None, (200, 200, 200, 200)),
    ("PUT", "/api/admin/profile", lambda board: _setting(board, "/api/admin/profile"), (403, 403, 200, 200)),
    ("GET", "/api/admin/sequences", None, (200, 200, 200, 200)),
    ("GET", "/api/admin/sequences/{sequence_id}", None, (200, 200, 200, 200)),
    ("PUT", "/api/admin/sequences/{sequence_id}", lambda board: _setting(board, "/api/admin/sequences/default"),
     (403, 403, 200, 200)),
    ("GET", "/api/admin/status-rules", None, (200, 200, 200, 200)),
    ("PUT", "/api/admin/status-rules", lambda board: _setting(board, "/api/admin/status-rules"),
     (403, 403, 200, 200)),
    ("POST", "/api/leads/{lead_id}/deletion-request", {"reason": "asked by phone"}, (202, 404, 200, 200)),
    ("POST", "/api/leads/{lead_id}/junk", {"reason": "test entry"}, (200, 404, 200, 200)),
    ("GET", "/api/admin/deletion-requests", None, (403, 403, 200, 200)),
    ("POST", "/api/admin/deletion-requests/{lead_id}/{decision}", {"note": "kept: a customer"},
     (403, 403, 200, 409)),
]


def test_the_matrix_covers_every_route():
    assert {(method, path) for method, path, *_ in MATRIX} == routes_of("admin")


@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, *_ in MATRIX])
def test_authorization_matrix(crm, board, stopped, method, path, body, expected):
    # Given rep A's lead, flagged for deletion by rep A (so a decision has something to decide)
    lead_id = annas_lead(crm)
    if "{decision}" in path:
        assert board.call("POST", f"/api/leads/{lead_id}/deletion-request", REP_A, {"reason": "asked"}).status_code \
            == 202
    filled = path.format(lead_id=lead_id, sequence_id="default", decision="reject")
    # When each role calls the route, Then each gets what its role allows (another rep's lead does not exist)
    for user, status in zip(ROLES, expected, strict=True):
        payload = body(board) if callable(body) else body
        response = board.call(method, filled, user, payload)
        assert response.status_code == status, (user, response.text)


def test_a_setting_read_can_be_written_back_and_bad_fields_are_named(board):
    # Given the profile as a manager reads it
    profile = board.call("GET", "/api/admin/profile", MANAGER).json()
    # When it is written back unchanged, Then it is stored, by the manager
    saved = board.call("PUT", "/api/admin/profile", MANAGER, profile)
    assert saved.status_code == 200 and saved.json()["updated_by"] == MANAGER
    # And a sequence with a bad id, or an unknown one, is refused with the field or 404
    sequence = board.call("GET", "/api/admin/sequences/default", MANAGER).json()
    bad_id = board.call("PUT", "/api/admin/sequences/Not%20Valid", MANAGER, sequence)
    assert bad_id.status_code == 422 and bad_id.json()["errors"][0]["field"] == "sequence_id"
    assert board.call("GET", "/api/admin/sequences/nope", MANAGER).status_code == 404
    broken = board.call("PUT", "/api/admin/status-rules", MANAGER, {"rules": [{"status": "attempting"}]})
    assert broken.status_code == 422 and all(error["field"].startswith("rules.0") for error in broken.json()["errors"])


def test_a_flag_is_reviewed_once_and_approval_erases_the_person(crm, board, stopped):
    # Given rep A flags their lead for deletion, twice
    lead_id = annas_lead(crm, "Erika")
    first = board.call("POST", f"/api/leads/{lead_id}/deletion-request", REP_A, {"reason": "GDPR request"})
    again = board.call("POST", f"/api/leads/{lead_id}/deletion-request", REP_A, {"reason": "GDPR request"})
    assert (first.status_code, again.status_code) == (202, 200) and again.json()["changed"] is False
    # When the manager lists the review and approves
    pending = board.call("GET", "/api/admin/deletion-requests", MANAGER).json()["requests"]
    assert [request["lead_id"] for request in pending] == [lead_id]
    approved = board.call("POST", f"/api/admin/deletion-requests/{lead_id}/approve", MANAGER, {})
    # Then the person is erased, the workflow is stopped, and a second decision is a conflict
    assert approved.status_code == 200, approved.text
    from crm.data.leads import get_lead

    erased = get_lead(lead_id)
    assert erased is not None and erased.erased_at and erased.email is None
    assert (lead_id, "deleted") in stopped
    assert board.call("POST", f"/api/admin/deletion-requests/{lead_id}/reject", MANAGER, {}).status_code == 409
    assert board.call("POST", f"/api/admin/deletion-requests/{lead_id}/maybe", MANAGER, {}).status_code == 404
    assert board.call("GET", "/api/admin/deletion-requests", MANAGER).json()["requests"] == []


def test_flags_junk_decisions_and_saved_settings_are_counted_once_each(crm, board, stopped, capsys):
    # Given two of rep A's leads
    flagged, junk = annas_lead(crm, "Fritz"), annas_lead(crm, "Greta")
    capsys.readouterr()
    # When one is flagged twice and the flag rejected, the other marked junk twice, and the profile saved
    for _ in range(2):
        board.call("POST", f"/api/leads/{flagged}/deletion-request", REP_A, {"reason": "asked"})
        board.call("POST", f"/api/leads/{junk}/junk", REP_A, {"reason": "test entry"})
    assert board.call("POST", f"/api/admin/deletion-requests/{flagged}/reject", MANAGER, {}).status_code == 200
    assert board.call("PUT", "/api/admin/profile", MANAGER, _setting(board, "/api/admin/profile")).status_code == 200
    # Then each change was counted once, the repeats not at all
    assert emitted_metrics(capsys.readouterr().out) == Counter(
        {"LeadFlaggedForDeletion": 1, "LeadMarkedJunk": 1, "DeletionRejected": 1, "SettingSaved": 1})
    # And an approval counts an erasure; its retry does not
    board.call("POST", f"/api/leads/{flagged}/deletion-request", REP_A, {"reason": "asked again"})
    capsys.readouterr()
    for _ in range(2):
        assert board.call("POST", f"/api/admin/deletion-requests/{flagged}/approve", MANAGER, {}).status_code == 200
    assert emitted_metrics(capsys.readouterr().out) == Counter({"LeadErased": 1})
