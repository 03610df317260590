"""Change notices between service instances that share one PostgreSQL database.

Several service instances behind one URL keep their records in one PostgreSQL
database; an agent's desktop follows the live changes of whichever instance it
reached. So a change made on one instance must reach the subscribers of all the
others. PostgreSQL's LISTEN/NOTIFY carries that:

- ``announce(connection, ...)`` runs ``pg_notify`` inside the transaction that
  makes the change. PostgreSQL delivers the notice only if, and when, that
  transaction commits, so a listener never hears of a change it cannot read yet,
  nor of one that was rolled back.
- The payload names the change (the record's id, the kind of change and the
  origin: an id of the writer, so it can ignore its own notices); never the
  record itself, which may be large (PostgreSQL's limit is 8000 bytes) and holds
  personal data that has no business in the server's notification queue. A
  listener reads the record from the table.
- ``Listener`` is one thread with a dedicated psycopg connection that LISTENs.
  If the connection drops it reconnects with a growing delay (0.1 s to 5 s).
  Notices sent while it was away are lost, so each reconnection is reported
  (``on_gap``): whoever relied on the notices must reload what it shows. ``close()``
  stops the thread within a quarter of a second.

SQLite has one writer process and needs none of this.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection

from voicebot.errors import VoicebotError

log = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 7999  # PostgreSQL refuses 8000 bytes and more
POLL_SECONDS = 0.25  # how often the listener looks at its stop flag
FIRST_DELAY, MAX_DELAY = 0.1, 5.0  # reconnection back-off, doubling
APPLICATION_NAME = "voicebot-listener"


class NoticeError(VoicebotError):
    """A change notice cannot be sent (its payload is too large or not text)."""


@dataclass(frozen=True)
class Notice:
    """One committed change: record ``id`` changed (``kind``) by writer ``origin``."""

    id: str
    kind: str
    origin: str

    def payload(self) -> str:
        text = json.dumps({"id": self.id, "kind": self.kind, "origin": self.origin},
                          ensure_ascii=False, separators=(",", ":"))
        if len(text.encode()) > MAX_PAYLOAD_BYTES:
            raise NoticeError(f"change notice for {self.id[:40]!r} is over "
                              f"{MAX_PAYLOAD_BYTES} bytes")
        return text

    @classmethod
    def parse(cls, payload: str) -> Notice | None:
        """The notice in ``payload``, or None if it is not one (a stray NOTIFY)."""
        try:
            data = json.loads(payload)
            fields = [data["id"], data["kind"], data["origin"]]
        except (ValueError, TypeError, KeyError):
            return None
        if not all(isinstance(f, str) and f for f in fields):
            return None
        return cls(*fields)


def announce(connection: Connection, channel: str, notice: Notice) -> None:
    """Queue ``notice`` on ``channel``; PostgreSQL sends it when the transaction commits."""
    connection.execute(sa.text("SELECT pg_notify(:channel, :payload)"),
                       {"channel": channel, "payload": notice.payload()})


def libpq_conninfo(url: URL) -> str:
    """The SQLAlchemy URL as a libpq URL psycopg can connect with (password kept)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """A thread that LISTENs on ``channel`` and hands each notice to ``on_notice``.

    ``on_notice`` and ``on_gap`` run on the listener's thread, one at a time, in the
    order PostgreSQL committed the changes. An exception from either is logged and
    reported as a gap (the notice is lost); the thread goes on.
    """

    def __init__(self, url: URL, channel: str, *, on_notice: Callable[[Notice], None],
                 on_gap: Callable[[], None], name: str = "listener") -> None:
        if url.get_backend_name() != "postgresql":
            raise NoticeError(f"LISTEN needs PostgreSQL, not {url.get_backend_name()}")
        if not channel.isidentifier() or channel.lower() != channel:
            raise NoticeError(f"channel {channel!r} must be a lower-case identifier")
        self._conninfo = libpq_conninfo(url)
        self._channel = channel
        self._on_notice = on_notice
        self._on_gap = on_gap
        self._stop = threading.Event()
        self.listening = threading.Event()  # set while LISTEN is in force
        self._thread = threading.Thread(target=self._run, name=f"voicebot-{name}", daemon=True)
        self._thread.start()

    def wait_listening(self, timeout: float) -> bool:
        """True once LISTEN is in force (within ``timeout`` seconds)."""
        return self.listening.wait(timeout)

    def stop(self) -> None:
        """Ask the thread to end, without waiting (safe from any thread, a finalizer too)."""
        self._stop.set()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread and wait for it to let go of its connection."""
        self._stop.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    def _run(self) -> None:
        delay = FIRST_DELAY
        missed = False  # notices may have been sent while we were not listening
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5,
                                     application_name=APPLICATION_NAME, keepalives=1,
                                     keepalives_idle=30, keepalives_interval=10,
                                     keepalives_count=3) as conn:
                    conn.execute(f"LISTEN {self._channel}")
                    self.listening.set()
                    if missed:
                        log.info("listening on %s again", self._channel)
                        self._call(self._on_gap)
                    delay, missed = FIRST_DELAY, True
                    self._listen(conn)
            except psycopg.Error as exc:
                self.listening.clear()
                if self._stop.is_set():
                    break
                missed = True
                log.warning("listening on %s failed (%s); retrying in %.1f s", self._channel,
                            str(exc).strip().splitlines()[0] if str(exc).strip() else
                            type(exc).__name__, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, MAX_DELAY)
        self.listening.clear()

    def _listen(self, conn: psycopg.Connection) -> None:
        while not self._stop.is_set():
            for message in conn.notifies(timeout=POLL_SECONDS):
                notice = Notice.parse(message.payload)
                if notice is None:
                    log.warning("ignoring a notice on %s that is not voicebot's", self._channel)
                    continue
                self._call(self._on_notice, notice)
                if self._stop.is_set():
                    return

    def _call(self, fn, *args) -> None:  # type: ignore[no-untyped-def]
        try:
            fn(*args)
        except Exception:
            log.exception("handling a notice on %s failed; reporting a gap", self._channel)
            if fn is not self._on_gap:
                try:
                    self._on_gap()
                except Exception:
                    log.exception("handling a gap on %s failed", self._channel)
