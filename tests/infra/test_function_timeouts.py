"""Each function's AWS calls are sized to its own Timeout (crm/integrations/aws.py reads FUNCTION_TIMEOUT_SECONDS):
a function whose variable says less than its Timeout gives up early, one whose variable says more times out instead
of answering 503."""

from __future__ import annotations

from typing import Any

from .cfn import functions_of


def test_every_function_tells_its_code_its_own_timeout(template: dict[str, Any]):
    functions = functions_of(template)
    assert functions
    for logical_id, properties in functions.items():
        variables = properties.get("Environment", {}).get("Variables", {})
        assert str(variables.get("FUNCTION_TIMEOUT_SECONDS")) == str(properties["Timeout"]), logical_id
