"""Settings read on hot paths (the ideal customer profile, pipelines) are re-read at most every few seconds.

A saved change shows at once in the process that saved it (`forget`) and within the TTL in every other one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class TtlCache(Generic[T]):
    def __init__(self, load: Callable[..., T], seconds: float) -> None:
        self._load, self._seconds = load, seconds
        self._entries: dict[Hashable, tuple[float, T]] = {}
        self._lock = threading.Lock()

    def __call__(self, *key: Hashable) -> T:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and now - entry[0] <= self._seconds:
            return entry[1]
        value = self._load(*key)
        with self._lock:
            self._entries[key] = (now, value)
        return value

    def forget(self) -> None:
        with self._lock:
            self._entries.clear()


def ttl_cached(seconds: float) -> Callable[[Callable[..., T]], TtlCache[T]]:
    return lambda load: TtlCache(load, seconds)
