"""The shared worker pool: bounded, prioritised, and honest about what it holds."""

import asyncio
import threading
import time

import pytest

from voicebot.engines.pool import BACKGROUND, SPECULATIVE, URGENT, WorkerPool
from voicebot.errors import OverloadedError


async def wait_for(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        await asyncio.sleep(0.005)


async def test_waiting_jobs_start_by_priority_then_arrival():
    pool = WorkerPool("test", 1, 16)
    gate = threading.Event()
    order: list[str] = []
    try:
        blocker = asyncio.ensure_future(pool.run(gate.wait))
        await wait_for(lambda: pool.pending == 1)
        jobs = [asyncio.ensure_future(pool.submit(priority, lambda name=name: order.append(name)))
                for priority, name in [(BACKGROUND, "language"), (SPECULATIVE, "guess 1"),
                                       (URGENT, "turn 1"), (SPECULATIVE, "guess 2"),
                                       (URGENT, "turn 2")]]
        await wait_for(lambda: pool.pending == 6)
        gate.set()
        await asyncio.gather(blocker, *jobs)
    finally:
        pool.shutdown()
    assert order == ["turn 1", "turn 2", "guess 1", "guess 2", "language"]
    assert pool.pending == 0


async def test_a_full_pool_refuses_and_a_cancelled_waiting_job_never_runs():
    pool = WorkerPool("test", 1, 2)
    gate = threading.Event()
    ran: list[str] = []
    try:
        running = asyncio.ensure_future(pool.run(gate.wait))
        waiting = asyncio.ensure_future(pool.run(ran.append, "late"))
        await wait_for(lambda: pool.pending == 2)
        with pytest.raises(OverloadedError, match="test pool is full"):
            await pool.run(ran.append, "refused")
        waiting.cancel()
        await wait_for(lambda: pool.pending == 1)  # room again at once
        running.cancel()  # the thread goes on: it still counts
        await asyncio.sleep(0.05)
        assert pool.pending == 1
        gate.set()
        await wait_for(lambda: pool.pending == 0)
        assert await pool.run(ran.append, "after") is None
    finally:
        pool.shutdown()
    assert ran == ["after"]


async def test_errors_reach_the_caller_and_free_the_worker():
    pool = WorkerPool("test", 2, 4)

    def broken() -> None:
        raise ValueError("bad audio")

    try:
        with pytest.raises(ValueError, match="bad audio"):
            await pool.run(broken)
        assert await pool.run(lambda x: x * 2, 21) == 42
        assert pool.pending == 0
    finally:
        pool.shutdown()


async def test_workers_run_side_by_side():
    pool = WorkerPool("test", 2, 4)
    both = threading.Barrier(2, timeout=5)
    try:
        await asyncio.gather(pool.run(both.wait), pool.run(both.wait))
    finally:
        pool.shutdown()
