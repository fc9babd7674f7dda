"""AWS services behind small functions, so the domain never touches boto3 directly."""
