"""The first admin of a deployed CRM, or a locked-out admin's way back in: the Cognito user in the group `admins` and
its CRM user, made together by the CRM's own save_user (as the site's team page does) with the deployed board
function's settings:

    make admin ENV=dev USER_ID=ada NAME="Ada Lovelace" EMAIL=ada@example.com

Cognito emails them a temporary password; the site's sign-in asks for a new one. Everyone else is added on the
site's team page by an admin.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from deploy.build import ROOT
from deploy.stack import stack_name

SETUP_ACTOR = "setup"  # the updated_by of users made here
BOARD_FUNCTION = "BoardApiFunction"  # its environment has every setting save_user reads (table, user pool)


def deployed_environment(cloudformation: Any, lambda_client: Any, stack: str) -> dict[str, str]:
    """The board function's environment variables in the deployed stack."""
    function = cloudformation.describe_stack_resource(
        StackName=stack, LogicalResourceId=BOARD_FUNCTION)["StackResourceDetail"]["PhysicalResourceId"]
    return lambda_client.get_function_configuration(FunctionName=function)["Environment"]["Variables"]


def create_admin(user_id: str, name: str, email: str, language: str = "en",
                 timezone: str = "UTC") -> tuple[dict, bool]:
    """Adds or restores `user_id` as an active admin, in the table and (USER_POOL_ID) the user pool; answers the
    user and whether it is new."""
    from crm.clock import utcnow
    from crm.data.people import UserItem
    from crm.models.users import UserInput
    from crm.services.users import save_user

    actor = UserItem.build(user_id=SETUP_ACTOR, name="Setup (deploy.admin)", email=email, role="admin")
    given = UserInput(name=name, email=email, role="admin", language=language, timezone=timezone)
    return save_user(user_id, given, actor, utcnow())


def main(argv: list[str] | None = None) -> None:
    import boto3

    parser = argparse.ArgumentParser(prog="python -m deploy.admin", description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--env", default="dev", help="config environment of samconfig.toml")
    parser.add_argument("--region", help="default: the AWS profile's")
    parser.add_argument("--user-id", required=True, help="also the Cognito username: a-z, 0-9, '.', '_', '-'")
    parser.add_argument("--name", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--language", default="en")
    parser.add_argument("--timezone", default="UTC", help="IANA time zone, e.g. Europe/Berlin")
    args = parser.parse_args(argv)
    session = boto3.Session(region_name=args.region)
    stack = stack_name(args.env)
    os.environ.update(deployed_environment(session.client("cloudformation"), session.client("lambda"), stack))
    os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = session.region_name
    sys.path.insert(0, str(ROOT / "functions" / "shared"))  # crm reads the table name on import: after the above
    try:
        saved, created = create_admin(args.user_id, args.name, args.email, args.language, args.timezone)
    except Exception as error:  # the CRM's refusal (a bad id, email or time zone) or AWS's, said plainly
        raise SystemExit(f"{args.user_id} was not saved: {error}") from error
    invitation = f"Cognito emailed {saved['email']} a temporary password" if created else "their password is unchanged"
    print(f"{saved['user_id']} is an active admin of {stack}; {invitation}. Sign in on the site's login page.")


if __name__ == "__main__":
    main()
