"""The telephony benchmark (bench/telephony.py) runs end to end in a tiny mode: the webhook against its bare calls,
the screen pop on the local stack, the cold import and the price, one JSON object with its targets."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from local.template import REPO_ROOT

TINY = {"BENCH_TEL_CALLS": "5", "BENCH_TEL_WARMUP": "2", "BENCH_TEL_COUNTED": "2", "BENCH_TEL_PROFILED": "2",
        "BENCH_TEL_POPUPS": "5", "BENCH_TEL_IMPORTS": "2"}


def test_the_telephony_benchmark_measures_every_figure_in_one_run():
    # Given the benchmark shrunk to a handful of calls and popups
    finished = subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "telephony.py")], capture_output=True,
                              text=True, timeout=600, cwd=REPO_ROOT, env={**os.environ, **TINY})
    assert finished.returncode == 0, finished.stderr[-3000:]
    figures = json.loads(finished.stdout)

    # Then every figure is there with its target and its verdict
    assert set(figures["targets"]) == set(figures["pass"]) == {
        "webhook_ratio_p95", "popup_p95_ms", "import_ms_telephony_webhook"}
    assert figures["webhook_ratio_p95"] > 0
    assert set(figures["webhook_ratio_p95_by_event"]) == {"ringing", "answered", "ended"}
    # And the handler and the bare calls wrote in the same transactions (one per event) and pushed every event
    webhook = figures["details"]["webhook"]
    assert webhook["handler_per_call"]["dynamodb_calls"]["TransactWriteItems"] == 3
    assert webhook["bare_per_call"]["dynamodb_calls"]["TransactWriteItems"] == 3
    # And every popup reached the rep's page on the local stack
    popup = figures["details"]["popup"]
    assert popup["received"] == popup["calls"] == 5, popup
    assert figures["popup_p95_ms"] > 0
    # And the cold import and the price of 1,000 calls were measured
    assert figures["import_ms_telephony_webhook"] > 0
    assert 0 < figures["aws_list_price_1000_calls_usd"] < 5
