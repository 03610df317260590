"""Which intent classifier scripted conversations use.

Kept in its own module so that pytest's import of ``conftest`` and the tests' import of
``tests.dialogue.conftest`` (two module objects for one file) share one state.
"""

from __future__ import annotations

READING: dict[str, object] = {"classifier": None}
