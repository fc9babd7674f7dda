"""The team through the board API (chalicelib/users.py): everyone sees who is on it, admins change it, the CRM
keeps an active admin, and on AWS the user pool follows each change (moto's Cognito here)."""

from __future__ import annotations

import boto3
import pytest

from tests.integration.test_board_api import ADMIN, MANAGER, REP_A, REP_B, board, routes_of  # noqa: F401

NEW_REP = {"name": "Dora Diaz", "email": "Dora@Example.com", "role": "rep", "phone": "+36 30 123 4567",
           "language": "hu", "timezone": "Europe/Budapest"}


def test_the_routes_are_all_covered_here():
    assert routes_of("users") == {("GET", "/api/users"), ("PUT", "/api/users/{user_id}")}


def test_everyone_sees_the_team_and_reps_see_no_contact_details_of_others(board):
    # When a rep and a manager list the team
    as_rep = {user["user_id"]: user for user in board.call("GET", "/api/users", REP_A).json()}
    as_manager = {user["user_id"]: user for user in board.call("GET", "/api/users", MANAGER).json()}
    # Then both see every user with name and role, inactive ones last
    assert {REP_A, REP_B, MANAGER, ADMIN, "rep-gone"} <= set(as_rep) == set(as_manager)
    assert list(as_rep)[-1] == "rep-gone" and as_rep["rep-gone"]["active"] is False
    # And only the manager (and the rep for themselves) sees emails and phones
    assert "email" not in as_rep[REP_B] and as_rep[REP_A]["email"] == "anna@example.com"
    assert as_manager[REP_B]["phone"] == "+36301234567"


def test_only_an_admin_adds_a_user_who_can_then_sign_in_and_is_assignable(board):
    # Given a manager and a rep may not add users
    for user in (REP_A, MANAGER):
        assert board.call("PUT", "/api/users/rep-dora", user, NEW_REP).status_code == 403
    # When the admin adds Dora, then changes her language
    created = board.call("PUT", "/api/users/rep-dora", ADMIN, NEW_REP)
    changed = board.call("PUT", "/api/users/rep-dora", ADMIN, {**NEW_REP, "language": "en"})
    # Then she is stored normalized, once, and the second write is an update
    assert created.status_code == 201 and changed.status_code == 200, (created.text, changed.text)
    assert created.json()["email"] == "dora@example.com" and created.json()["phone"] == "+36301234567"
    from crm.data.people import active_users, get_user

    assert get_user("rep-dora").language == "en" and get_user("rep-dora").updated_by == ADMIN
    assert "rep-dora" in {user.user_id for user in active_users("rep")}
    assert board.token("rep-dora").status_code == 200
    # And deactivating her takes her out of assignment and sign-in, keeping the user
    assert board.call("PUT", "/api/users/rep-dora", ADMIN, {**NEW_REP, "active": False}).status_code == 200
    assert "rep-dora" not in {user.user_id for user in active_users("rep")}
    assert board.token("rep-dora").status_code != 200


@pytest.mark.parametrize(("user_id", "body", "field"), [
    ("Not Valid", NEW_REP, "user_id"),
    ("rep-x", {**NEW_REP, "email": "not-an-email"}, "email"),
    ("rep-x", {**NEW_REP, "phone": "030 901820"}, "phone"),
    ("rep-x", {**NEW_REP, "timezone": "Mars/Olympus"}, "timezone"),
    ("rep-x", {**NEW_REP, "role": "owner"}, "role"),
    ("rep-x", {**NEW_REP, "surprise": True}, "surprise"),
])
def test_bad_users_are_refused_naming_the_field(board, user_id, body, field):
    response = board.call("PUT", f"/api/users/{user_id}", ADMIN, body)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == field, response.text
    from crm.data.people import get_user

    assert get_user("rep-x") is None


def test_the_last_active_admin_cannot_step_down(board):
    me = {"name": "Ada Admin", "email": "ada@example.com", "role": "admin"}
    # When the only admin tries to become a manager, Then it is a conflict and nothing changes
    refused = board.call("PUT", f"/api/users/{ADMIN}", ADMIN, {**me, "role": "manager"})
    assert refused.status_code == 409 and "admin" in refused.json()["message"]
    assert refused.json()["code"] == "last_admin"  # the site words it in the user's language
    # Given a second admin, Then the first may step down
    assert board.call("PUT", "/api/users/admin-bob", ADMIN, {**me, "name": "Bob", "email": "bob@example.com"}
                      ).status_code == 201
    assert board.call("PUT", f"/api/users/{ADMIN}", ADMIN, {**me, "role": "manager"}).status_code == 200


def test_on_aws_the_user_pool_follows_the_team(user_pool: str):
    from crm.clock import utcnow
    from crm.data.people import get_user
    from crm.models.users import UserInput
    from crm.services.users import save_user

    # Given the stack's user pool with the three role groups
    cognito = boto3.client("cognito-idp")
    pool = user_pool
    admin = get_user("mgr-maria")
    admin.role = "admin"

    def groups() -> list[str]:
        return [group["GroupName"] for group in
                cognito.admin_list_groups_for_user(UserPoolId=pool, Username="rep-dora")["Groups"]]

    # When an admin adds Dora as a rep, promotes her to manager, then deactivates her
    save_user("rep-dora", UserInput(**NEW_REP), admin, utcnow())
    assert groups() == ["reps"] and cognito.admin_get_user(UserPoolId=pool, Username="rep-dora")["Enabled"]
    save_user("rep-dora", UserInput(**{**NEW_REP, "role": "manager"}), admin, utcnow())
    assert groups() == ["managers"]
    save_user("rep-dora", UserInput(**{**NEW_REP, "role": "manager", "active": False}), admin, utcnow())
    # Then her pool user has exactly her role's group and is disabled when she is
    user = cognito.admin_get_user(UserPoolId=pool, Username="rep-dora")
    assert user["Enabled"] is False
    assert {"Name": "email", "Value": "dora@example.com"} in user["UserAttributes"]
