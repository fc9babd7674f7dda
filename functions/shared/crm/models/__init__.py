"""Pydantic contracts for what enters and leaves the system."""
