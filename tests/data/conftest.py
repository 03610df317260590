"""The data layer's tests run against SQLite and a real PostgreSQL server: the same
tests, both databases. The server is ``VOICEBOT_TEST_POSTGRES_URL`` when set, else a
throwaway one on loopback (``tests/pg.py``); ``VOICEBOT_TEST_POSTGRES=off`` leaves
PostgreSQL out (on a machine without it)."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from tests.pg import PostgresServer
from voicebot.data import Database, Records

BACKENDS = ["sqlite"] + ([] if os.environ.get("VOICEBOT_TEST_POSTGRES") == "off"
                         else ["postgresql"])


@pytest.fixture(scope="session")
def postgres_url():
    given = os.environ.get("VOICEBOT_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    with PostgresServer() as url:
        yield url


def fresh_postgres(base: str) -> tuple[sa.URL, callable]:
    """A new, empty database on the server; and how to drop it."""
    name = f"vb_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return sa.make_url(base).set(database=name), drop


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'records.db'}"
        return
    url, drop = fresh_postgres(request.getfixturevalue("postgres_url"))
    yield url
    drop()


@pytest.fixture
def database(database_url):
    db = Database(database_url)
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def records(database):
    return Records(database, instance="test")
