"""Use cases: orchestrate domain rules, entities and integrations for one thing a user or workflow does."""
