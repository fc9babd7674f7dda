"""Single-table DynamoDB entities (pynamodb): each entity owns its key format."""
