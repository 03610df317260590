"""``voicebot serve``: run the service."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from types import FrameType
from typing import TYPE_CHECKING

import uvicorn

if TYPE_CHECKING:
    from voicebot.web.app import ServiceState

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = subparsers.add_parser("serve", help="run the telephony service")
    serve.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8080)")
    serve.add_argument("--audiosocket-port", type=int, default=None,
                       help="also listen for Asterisk's AudioSocket() on this TCP port "
                            "(VOICEBOT_AUDIOSOCKET_PORT)")
    serve.add_argument("--stt-model", choices=["base", "tiny.en"], default=None,
                       help="speech model: multilingual base (default) or fast English tiny.en")
    serve.add_argument("--log-level", default=argparse.SUPPRESS,
                       choices=["debug", "info", "warning", "error"])
    serve.set_defaults(run=_serve)


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


def _serve(args: argparse.Namespace) -> int:
    from voicebot.settings import Settings
    from voicebot.web.app import create_app
    from voicebot.web.http import DeadlineH11Protocol

    settings = Settings.from_env(host=args.host, port=args.port, stt_model=args.stt_model,
                                 log_level=args.log_level,
                                 audiosocket_port=args.audiosocket_port)
    app = create_app(settings)
    config = uvicorn.Config(app, host=settings.host, port=settings.port,
                            log_level=settings.log_level, ws_max_size=settings.max_frame_bytes,
                            ws_ping_interval=None, access_log=False,
                            proxy_headers=settings.trust_forwarded_headers,
                            forwarded_allow_ips=settings.forwarded_allow_ips,
                            timeout_graceful_shutdown=5, http=DeadlineH11Protocol,
                            log_config=None,  # uvicorn's records go through ours (JSON)
                            limit_concurrency=settings.max_connections)
    HandingOverServer(config, app.state.service, settings.drain_seconds).run()
    return 0
