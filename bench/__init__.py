"""Benchmarks: run each module as a script from the repo root, e.g. `.venv/bin/python bench/lead_intake.py`."""
