"""The local stack runs every handler in one process, with one environment merged from the template's functions."""

from __future__ import annotations

from local.__main__ import local_parameters, merged_environment
from local.template import Resolver, function_specs, load_template


def test_one_process_keeps_the_shortest_function_timeout_for_every_handlers_aws_calls():
    template = load_template()
    functions = function_specs(template, Resolver(template, local_parameters(8000, {})))
    timeouts = {float(spec.environment["FUNCTION_TIMEOUT_SECONDS"]) for spec in functions
                if "FUNCTION_TIMEOUT_SECONDS" in spec.environment}
    assert len(timeouts) > 1  # the long-running functions (jobs, robots) have their own
    assert float(merged_environment(functions)["FUNCTION_TIMEOUT_SECONDS"]) == min(timeouts)
