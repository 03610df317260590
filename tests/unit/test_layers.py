"""The package's layers, read from the import statements: the leaves stay leaves.

Redaction is a leaf that owns its words (it once imported private names from the
dialogue, which imported it back); the hand-off and the policy engine know nothing
of the web, the call or the dialogue; nothing below the web imports the web.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from voicebot.settings import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "voicebot"


def imports() -> dict[str, set[str]]:
    """Top-level part of the package -> the other parts it imports."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).parts
        part = parts[0] if len(parts) > 1 else Path(parts[0]).stem
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module] if isinstance(node, ast.ImportFrom) and node.module
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                if name.startswith("voicebot."):
                    target = name.split(".")[1]
                    if target != part:
                        found[part].add(target)
    return found


ALLOWED = {
    "text": set(),
    "redaction": {"text"},
    "errors": set(),
    # Every layer may ask the injected clock the time; it asks nothing of them.
    "clock": set(),
    "settings": {"errors"},
    "turns": {"errors"},
    "telephony": {"errors", "text"},
    "handoff": {"errors", "text", "data", "clock"},
    # A policy is checked against the law's limits, which live with the contact rules.
    "policy": {"errors", "settings", "compliance"},
    "data": {"errors", "settings", "clock"},
}


@pytest.mark.parametrize("part", sorted(ALLOWED))
def test_a_leaf_imports_only_what_lies_below_it(part):
    assert imports().get(part, set()) <= ALLOWED[part], part


# Above the web: the command line, and the replay, which runs calls through the
# service's own state as a live call would.
ABOVE_THE_WEB = {"cli", "replay"}


def test_nothing_below_the_web_imports_the_web():
    graph = imports()
    assert not [part for part, targets in graph.items()
                if "web" in targets and part not in ABOVE_THE_WEB]
    assert not [part for part in ABOVE_THE_WEB - {"cli"}
                if any(part in graph.get(other, set()) for other in graph
                       if other not in ABOVE_THE_WEB)], "only the command line drives these"
