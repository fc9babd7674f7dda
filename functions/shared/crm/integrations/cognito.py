"""The user pool's side of a CRM user (D3): the Cognito user that signs in as them, in the group of their role.

The CRM's user item is the truth; this makes the pool follow it. Every call is safe to repeat, so a retried save
converges. A new user gets Cognito's invitation email with a temporary password.
"""

from __future__ import annotations

from crm.integrations.aws import client
from crm.roles import ROLE_GROUPS


def sync_user(pool_id: str, user_id: str, email: str, role: str, active: bool) -> None:
    """Creates or updates the pool user `user_id`: its email, exactly the group of `role`, enabled iff active."""
    cognito = client("cognito-idp")
    try:
        cognito.admin_get_user(UserPoolId=pool_id, Username=user_id)
    except cognito.exceptions.UserNotFoundException:
        if not active:
            return  # nobody to disable: an inactive user never gets a sign-in
        cognito.admin_create_user(
            UserPoolId=pool_id, Username=user_id, DesiredDeliveryMediums=["EMAIL"],
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}])
    else:
        cognito.admin_update_user_attributes(
            UserPoolId=pool_id, Username=user_id,
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}])
    wanted = ROLE_GROUPS[role]
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=user_id)["Groups"]
    for group in groups:
        if group["GroupName"] != wanted:
            cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username=user_id, GroupName=group["GroupName"])
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=user_id, GroupName=wanted)
    if active:
        cognito.admin_enable_user(UserPoolId=pool_id, Username=user_id)
    else:
        cognito.admin_disable_user(UserPoolId=pool_id, Username=user_id)
