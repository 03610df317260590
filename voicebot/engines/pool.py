"""A bounded worker pool that keeps blocking model work off the event loop.

Shared by every call. At most ``max_pending`` jobs wait or run at once; beyond
that ``run`` refuses with a retryable OverloadedError instead of queueing
without bound. A job counts until its thread finishes, even when the awaiting
coroutine was cancelled (a thread cannot be interrupted).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from voicebot.errors import OverloadedError

P = ParamSpec("P")
T = TypeVar("T")


class WorkerPool:
    def __init__(self, name: str, workers: int, max_pending: int) -> None:
        self.name = name
        self.workers = workers
        self.max_pending = max_pending
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._pending = 0

    @property
    def pending(self) -> int:
        return self._pending

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        with self._lock:
            if self._pending >= self.max_pending:
                raise OverloadedError(f"{self.name} pool is full ({self.max_pending} jobs)")
            self._pending += 1
        future = self._executor.submit(fn, *args, **kwargs)
        future.add_done_callback(self._release)
        return await asyncio.wrap_future(future)

    def _release(self, _future: object) -> None:
        with self._lock:
            self._pending -= 1

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
