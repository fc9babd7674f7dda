"""The CRM's domain package: shared by every Lambda function as one SAM layer."""
