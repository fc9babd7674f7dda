"""Index reads that can run side by side (a board's columns, everyone's partitions on a manager's home or list),
on one thread pool per process: starting threads on every request would cost more than some of its queries.
The reads given here must not wait on this pool themselves."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import cache
from typing import Any, TypeVar

READERS = 8  # DynamoDB reads in flight at once per process

Item = TypeVar("Item")
Result = TypeVar("Result")


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="crm-reader")


def read_each(read: Callable[[Item], Result], items: Iterable[Item]) -> list[Result]:
    """`read(item)` for every item, concurrently; the results in the items' order."""
    return list(_pool().map(read, items))


def read_soon(read: Callable[..., Result], *arguments: Any) -> Future[Result]:
    """Starts `read(*arguments)` now; its result when asked for."""
    return _pool().submit(read, *arguments)
