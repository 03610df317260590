"""The command line reads the contact history from the records when no file is given:
every test here gets a database of its own, never the home directory's."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def own_records(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'records.db'}"
    monkeypatch.setenv("VOICEBOT_DATABASE_URL", url)
    return url
