"""deploy/admin.py (`make admin`): the first admin of a deployed CRM is a Cognito user in `admins` and a CRM user,
made together; the settings come from the deployed board function."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from deploy.admin import SETUP_ACTOR, create_admin, deployed_environment


def test_the_first_admin_is_a_pool_user_in_admins_and_a_crm_admin(user_pool: str):
    from crm.data.people import get_user

    # When the first admin is created
    saved, created = create_admin("ada", "Ada Lovelace", "Ada@Example.com", timezone="Europe/London")
    # Then the CRM has her as an active admin, made by the setup
    user = get_user("ada")
    assert created and saved["role"] == "admin"
    assert (user.role, user.active, user.email, user.timezone, user.updated_by) == (
        "admin", True, "ada@example.com", "Europe/London", SETUP_ACTOR)
    # And her sign-in is a pool user named by her user id, in the group admins only
    cognito = boto3.client("cognito-idp")
    pool_user = cognito.admin_get_user(UserPoolId=user_pool, Username="ada")
    assert pool_user["Enabled"] and {"Name": "email", "Value": "ada@example.com"} in pool_user["UserAttributes"]
    groups = cognito.admin_list_groups_for_user(UserPoolId=user_pool, Username="ada")["Groups"]
    assert [group["GroupName"] for group in groups] == ["admins"]


def test_running_it_again_restores_a_demoted_admin_without_a_second_user(user_pool: str):
    from crm.data.people import get_user

    create_admin("ada", "Ada Lovelace", "ada@example.com")
    cognito = boto3.client("cognito-idp")
    cognito.admin_remove_user_from_group(UserPoolId=user_pool, Username="ada", GroupName="admins")
    cognito.admin_disable_user(UserPoolId=user_pool, Username="ada")
    # When it runs again for the same user id
    _, created = create_admin("ada", "Ada Lovelace", "ada@example.com")
    # Then she is an enabled admin again, the same user
    assert not created and get_user("ada").role == "admin"
    assert cognito.admin_get_user(UserPoolId=user_pool, Username="ada")["Enabled"]
    assert [group["GroupName"] for group in
            cognito.admin_list_groups_for_user(UserPoolId=user_pool, Username="ada")["Groups"]] == ["admins"]


def test_a_bad_user_id_is_refused_and_nothing_is_made(user_pool: str):
    from crm.data.people import get_user

    with pytest.raises(Exception, match="user_id"):
        create_admin("Ada Lovelace", "Ada Lovelace", "ada@example.com")
    assert get_user("Ada Lovelace") is None
    assert boto3.client("cognito-idp").list_users(UserPoolId=user_pool)["Users"] == []


def test_the_settings_are_the_deployed_board_functions():
    # Given a stack whose board function has its environment
    cloudformation = boto3.client("cloudformation", region_name="eu-central-1")
    lambda_client = boto3.client("lambda", region_name="eu-central-1")
    variables = {"TABLE_NAME": "crm-dev-CrmTable-1", "USER_POOL_ID": "eu-central-1_abc", "SENDER_ADDRESS": "a@b.c"}
    with Stubber(cloudformation) as stacks, Stubber(lambda_client) as functions:
        stacks.add_response("describe_stack_resource", {"StackResourceDetail": {
            "LogicalResourceId": "BoardApiFunction", "PhysicalResourceId": "crm-dev-BoardApiFunction-XYZ",
            "ResourceType": "AWS::Lambda::Function", "LastUpdatedTimestamp": "2025-01-01T00:00:00Z",
            "ResourceStatus": "UPDATE_COMPLETE"}},
            {"StackName": "crm-dev", "LogicalResourceId": "BoardApiFunction"})
        functions.add_response("get_function_configuration", {"Environment": {"Variables": variables}},
                               {"FunctionName": "crm-dev-BoardApiFunction-XYZ"})
        # When the admin tool reads it, Then it gets that function's variables
        assert deployed_environment(cloudformation, lambda_client, "crm-dev") == variables
