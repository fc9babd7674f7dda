"""The CRM's roles and the Cognito groups that carry them (template.yaml's user pool groups), and the OAuth scopes
of the board API (its DefinitionBody and CrmResourceServer); import-light."""

ROLES = ("rep", "manager", "admin")
ROLE_GROUPS = {"rep": "reps", "manager": "managers", "admin": "admins"}

# A machine client (OAuth client credentials) acts in this role: it sees every record as a manager would, holds no
# role a route asks for by name, and is never a stored user.
INTEGRATION = "integration"

# In every person's access token from the site's sign-in (the authorization code flow asks for it); a client
# credentials token cannot carry it, so it tells a person from a machine. Every board route accepts it.
PEOPLE_SCOPE = "openid"
# CrmResourceServer's scopes: what an integration may do, one route at a time (the rest are for people only).
RECORDS_READ = "crm/records.read"
DEALS_WRITE = "crm/deals.write"
ACTIVITIES_WRITE = "crm/activities.write"
LEADS_WRITE = "crm/leads.write"
INTEGRATION_SCOPES = (RECORDS_READ, DEALS_WRITE, ACTIVITIES_WRITE, LEADS_WRITE)
