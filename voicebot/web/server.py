"""The web server ``voicebot serve`` runs: uvicorn, handing the calls over on SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal
from types import FrameType
from typing import TYPE_CHECKING

import uvicorn

if TYPE_CHECKING:
    from voicebot.web.app import ServiceState

log = logging.getLogger(__name__)


class HandingOverServer(uvicorn.Server):
    """uvicorn, except that the first SIGTERM (or Ctrl-C) hands the calls in progress
    to people before the server stops (``ServiceState.drain``); a second one stops at
    once, as uvicorn does."""

    def __init__(self, config: uvicorn.Config, state: ServiceState, seconds: float) -> None:
        super().__init__(config)
        self._state = state
        self._seconds = seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._drain: asyncio.Task[None] | None = None

    async def startup(self, sockets=None) -> None:  # type: ignore[no-untyped-def]
        self._loop = asyncio.get_running_loop()
        await super().startup(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self._loop is None or self._drain is not None or self.should_exit:
            super().handle_exit(sig, frame)
            return
        log.warning("%s received: handing the calls in progress over, then stopping "
                    "(send it again to stop at once)", signal.Signals(sig).name)
        self._loop.call_soon_threadsafe(self._start_drain)

    def _start_drain(self) -> None:
        self._drain = asyncio.ensure_future(self._drain_then_exit())

    async def _drain_then_exit(self) -> None:
        try:
            await self._state.drain(self._seconds)
        except Exception:
            log.exception("handing the calls over failed; stopping")
        finally:
            self.should_exit = True
