"""The CRM's roles and the Cognito groups that carry them (template.yaml's user pool groups); import-light."""

ROLES = ("rep", "manager", "admin")
ROLE_GROUPS = {"rep": "reps", "manager": "managers", "admin": "admins"}
