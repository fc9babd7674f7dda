from __future__ import annotations

import copy
from typing import Any

import pytest

from .cfn import load_template


@pytest.fixture(scope="session")
def _loaded_template() -> dict[str, Any]:
    return load_template()


@pytest.fixture
def template(_loaded_template: dict[str, Any]) -> dict[str, Any]:
    """A fresh copy of template.yaml with the short tags read as intrinsic functions."""
    return copy.deepcopy(_loaded_template)
