"""What the benchmarks share about their own output: stdout is the one JSON object, so handlers' logs go elsewhere."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def stdout_to_devnull() -> Iterator[None]:
    """fd-level: powertools' log handler holds the original sys.stdout object, so redirect fd 1 itself."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
