"""Local stack runner: the whole CRM on 127.0.0.1 from template.yaml, no AWS account, no Docker."""
