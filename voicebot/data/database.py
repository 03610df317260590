"""Opening the database and keeping its schema current.

SQLite (the default, one file under the service's home) runs in WAL mode with full
synchronous commits: a row committed before the bot speaks survives a killed process
and a power cut. PostgreSQL is chosen by URL (``postgresql+psycopg://...``) where
several service instances share one database. The schema is versioned by Alembic
migrations shipped inside the package; ``voicebot db upgrade`` applies them, and so
does the service at start-up. Several instances starting at once on one PostgreSQL
database take turns: the migrations run under a transaction-scoped advisory lock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Engine, make_url

from voicebot.errors import VoicebotError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# PostgreSQL advisory lock key held while migrating ("voicebot" in ASCII, as a bigint).
MIGRATION_LOCK = int.from_bytes(b"voicebot", "big") & (2**63 - 1)


class DatabaseError(VoicebotError):
    """The database cannot be opened, or its schema is not one this version knows."""


class IntegrityViolation(DatabaseError):
    """A write broke a constraint (a duplicate id, a record of an unknown call)."""


def default_url(home: Path) -> str:
    """SQLite in the service's home directory."""
    return f"sqlite:///{Path(home).resolve() / 'voicebot.db'}"


def redacted_url(url: str | URL) -> str:
    """The URL without its password, for logs and errors."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as nothing
        return "<unparsable database URL>"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout = 5000")
        cursor.execute("PRAGMA foreign_keys = ON")
        mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() not in ("wal", "memory"):
            log.warning("SQLite journal mode is %s, not WAL", mode)
        cursor.execute("PRAGMA synchronous = FULL")
    finally:
        cursor.close()


class Database:
    """One engine for the whole service; ``begin()`` is one transaction."""

    def __init__(self, url: str | URL, *, echo: bool = False) -> None:
        try:
            self.url = make_url(url)
        except Exception as exc:
            raise DatabaseError(f"not a database URL: {redacted_url(url)}") from exc
        backend = self.url.get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            raise DatabaseError(f"unsupported database {backend!r}: use sqlite or postgresql")
        self.backend = backend
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if backend == "sqlite":
            path = self.url.database
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            else:  # one in-memory database shared by every thread, not one each
                kwargs["poolclass"] = sa.pool.StaticPool
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 5.0}
        else:
            if self.url.drivername == "postgresql":  # psycopg 3, not the old psycopg2
                self.url = self.url.set(drivername="postgresql+psycopg")
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = sa.create_engine(self.url, **kwargs)
        if backend == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)

    def __repr__(self) -> str:
        return f"Database({redacted_url(self.url)!r})"

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction: committed at the end of the block, rolled back on error."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except sa.exc.IntegrityError as exc:
            raise IntegrityViolation(str(exc.orig)) from exc
        except sa.exc.OperationalError as exc:
            raise DatabaseError(f"{redacted_url(self.url)}: {exc.orig}") from exc

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reading."""
        try:
            with self.engine.connect() as connection:
                yield connection
        except sa.exc.OperationalError as exc:
            raise DatabaseError(f"{redacted_url(self.url)}: {exc.orig}") from exc

    def ping(self) -> None:
        """Raise ``DatabaseError`` unless the database answers a query (blocking)."""
        with self.connect() as connection:
            connection.execute(sa.text("SELECT 1"))

    # -- schema ----------------------------------------------------------------------

    def _alembic(self, connection: Connection) -> Any:
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        return config

    def head(self) -> str:
        """The newest schema revision this version of voicebot knows."""
        from alembic.script import ScriptDirectory

        config = self._alembic(None)  # type: ignore[arg-type]
        head = ScriptDirectory.from_config(config).get_current_head()
        assert head is not None
        return head

    def revision(self) -> str | None:
        """The schema revision the database is at (None: empty)."""
        from alembic.runtime.migration import MigrationContext

        with self.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def upgrade(self) -> tuple[str | None, str]:
        """Apply every pending migration; (revision before, revision after).

        Refuses a database whose revision this version does not know (written by a
        newer voicebot): downgrading it silently could lose records.
        """
        from alembic import command
        from alembic.script import ScriptDirectory
        from alembic.util import CommandError

        before = self.revision()
        script = ScriptDirectory.from_config(self._alembic(None))  # type: ignore[arg-type]
        if before is not None:
            try:
                script.get_revision(before)
            except CommandError as exc:
                raise DatabaseError(
                    f"{redacted_url(self.url)} is at schema revision {before}, which this "
                    f"version of voicebot does not know (newest: {self.head()})") from exc
        with self.begin() as connection:
            if self.backend == "postgresql":  # another instance may be migrating right now
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": MIGRATION_LOCK})
            command.upgrade(self._alembic(connection), "head")
        after = self.revision()
        if before != after:
            log.info("database %s upgraded: %s -> %s", redacted_url(self.url), before, after)
        return before, after or ""

    def dispose(self) -> None:
        self.engine.dispose()
