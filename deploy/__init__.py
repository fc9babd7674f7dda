"""Tooling around the CRM on AWS, never deployed itself: the build recipe of the Lambda artifacts (build.py), their
offline checks (artifacts.py), the stack of a deployment environment (stack.py) and its first admin (admin.py)."""
