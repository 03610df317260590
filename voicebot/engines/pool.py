"""A bounded worker pool that keeps blocking model work off the event loop.

Shared by every call. At most ``max_pending`` jobs wait or run at once; beyond
that ``run`` refuses with a retryable OverloadedError instead of queueing
without bound. A job counts until its thread finishes, even when the awaiting
coroutine was cancelled (a thread cannot be interrupted); a job cancelled while
it still waits for a worker never runs.

Waiting jobs start in order of their priority, then of arrival: the words a caller
is waiting on (``URGENT``) go before a transcription that may be thrown away
(``SPECULATIVE``), which goes before work nobody waits for (``BACKGROUND``). A
running job is never interrupted, so the pool's owner should hold speculative work
back when the queue is long.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import heapq
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ParamSpec, TypeVar

from voicebot.errors import OverloadedError

P = ParamSpec("P")
T = TypeVar("T")

URGENT = 0  # a caller is waiting for it
SPECULATIVE = 1  # may be thrown away (a transcription made before the turn is over)
BACKGROUND = 2  # nobody waits for it (a language guess, phrases made ahead)

_Job = tuple[int, int, Callable[[], Any], "concurrent.futures.Future[Any]"]


class WorkerPool:
    def __init__(self, name: str, workers: int, max_pending: int) -> None:
        self.name = name
        self.workers = workers
        self.max_pending = max_pending
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._pending = 0  # waiting or running
        self._running = 0
        self._waiting: list[_Job] = []
        self._order = itertools.count()

    @property
    def pending(self) -> int:
        return self._pending

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` on a worker thread, as soon as one is free for it."""
        return await self.submit(URGENT, functools.partial(fn, *args, **kwargs))

    async def submit(self, priority: int, job: Callable[[], T]) -> T:
        """``job()`` on a worker thread, after the waiting jobs of a lower ``priority``
        number and those of the same one that came first."""
        done: concurrent.futures.Future[T] = concurrent.futures.Future()
        with self._lock:
            if self._pending >= self.max_pending:
                raise OverloadedError(f"{self.name} pool is full ({self.max_pending} jobs)")
            self._pending += 1
            heapq.heappush(self._waiting, (priority, next(self._order), job, done))
            startable = self._startable()
        self._start(startable)
        done.add_done_callback(self._dropped_if_cancelled)
        return await asyncio.wrap_future(done)

    def _dropped_if_cancelled(self, done: concurrent.futures.Future[Any]) -> None:
        if done.cancelled():  # it never started (a started job cannot be cancelled)
            with self._lock:
                self._pending -= 1

    def _startable(self) -> list[tuple[Callable[[], Any], concurrent.futures.Future[Any]]]:
        """Waiting jobs there are free workers for, taken off the queue (the lock is
        held; they are started after it is released, as a job may finish at once)."""
        taken = []
        while self._running < self.workers and self._waiting:
            _, _, job, done = heapq.heappop(self._waiting)
            if not done.set_running_or_notify_cancel():
                continue  # cancelled while waiting: counted off already
            self._running += 1
            taken.append((job, done))
        return taken

    def _start(self, jobs: list[tuple[Callable[[], Any], concurrent.futures.Future[Any]]]
               ) -> None:
        for job, done in jobs:
            self._executor.submit(job).add_done_callback(
                functools.partial(self._finished, done))

    def _finished(self, done: concurrent.futures.Future[Any],
                  ran: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._running -= 1
            self._pending -= 1
            startable = self._startable()
        self._start(startable)
        if ran.cancelled():  # the executor was shut down under it
            done.set_exception(OverloadedError(f"{self.name} pool was shut down"))
            return
        error = ran.exception()
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(ran.result())

    def shutdown(self) -> None:
        with self._lock:
            waiting, self._waiting = self._waiting, []
        for _, _, _, done in waiting:
            done.cancel()
        self._executor.shutdown(wait=False, cancel_futures=True)
