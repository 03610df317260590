"""What the HTTP server does for connections that uvicorn leaves open.

uvicorn closes an idle keep-alive connection after a few seconds, but waits for
ever for a connection's first request: a client that opens sockets and sends
its headers a byte at a time (or not at all) holds each one open, and a few
thousand exhaust the process's file descriptors. ``DeadlineH11Protocol`` gives
the first request's headers a deadline; a WebSocket handshake is a request like
any other, and once upgraded the stream's own limits take over.
"""

from __future__ import annotations

import asyncio
import logging

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)

HEADER_SECONDS = 10.0


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose first request's headers have
    not all arrived ``header_seconds`` after it opened."""

    header_seconds = HEADER_SECONDS

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline = self.loop.call_later(self.header_seconds, self._deadline_passed)

    def connection_lost(self, exc: Exception | None) -> None:
        self._deadline.cancel()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        super().handle_events()
        if self.cycle is not None:  # a request's headers are in: the deadline is met
            self._deadline.cancel()

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._deadline.cancel()
        super().handle_websocket_upgrade(event)

    def _deadline_passed(self) -> None:
        waiting = self.cycle is None and self.conn.their_state is h11.IDLE
        if waiting and not self.transport.is_closing():
            host = self.client[0] if self.client else "?"
            log.warning("closing a connection from %s: no complete request within %g s",
                        host, self.header_seconds)
            self.transport.close()
