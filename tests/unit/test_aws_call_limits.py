"""AWS calls give up in time to answer: each function's clients are sized to its own timeout (FUNCTION_TIMEOUT_SECONDS,
see tests/infra/test_function_timeouts.py), so a hung DynamoDB gives a 503 with Retry-After, not a Lambda timeout."""

from __future__ import annotations

import pytest

from crm.integrations.aws import ANSWER_MARGIN, call_limits, client


@pytest.mark.parametrize("timeout", [10, 30, 60, 120, 900])
def test_two_hung_calls_in_a_row_give_up_with_time_left_to_answer(timeout: int):
    limits = call_limits(timeout)
    assert 2 * limits.longest <= timeout - ANSWER_MARGIN + 0.01, limits
    assert limits.attempts >= 2 and limits.connect > 0 and limits.read > 0


def test_a_ten_second_function_no_longer_waits_botocores_3_s_to_connect_and_10_s_to_read():
    limits = call_limits(10)
    assert limits.connect < 1 and limits.read < 2 and limits.attempts == 2


def test_the_clients_use_the_limits_of_the_function_they_run_in(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FUNCTION_TIMEOUT_SECONDS", "60")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    client.cache_clear()
    try:
        config = client("dynamodb").meta.config
    finally:
        client.cache_clear()
    limits = call_limits(60)
    assert (config.connect_timeout, config.read_timeout) == (limits.connect, limits.read)
    assert config.retries["total_max_attempts"] == limits.attempts
