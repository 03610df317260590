"""Fixtures of the unit tests: a scripted call on virtual time (``scripted_call.py``)."""

from __future__ import annotations

import pytest
from scripted_call import ScriptedCall


@pytest.fixture
async def call(tmp_path):
    """One call of the demo creditor, started (its greeting on the way)."""
    call = ScriptedCall(tmp_path)
    await call.start()
    yield call
    await call.close()
