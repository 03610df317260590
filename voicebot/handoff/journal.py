"""A local journal of hand-offs that could not be stored, replayed at start-up.

When the hand-off store fails (a full disk, a locked database), the caller is
still transferred; the packet (already redacted) is appended here, flushed and
synced, and put into the store the next time the service starts.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

from voicebot.handoff.packet import HandoffPacket
from voicebot.handoff.store import HandoffError, HandoffStore

log = logging.getLogger(__name__)


class HandoffJournal:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, packet: HandoffPacket) -> None:
        line = json.dumps(packet.to_dict(), ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line)
                out.flush()
                os.fsync(out.fileno())
        log.warning("hand-off %s journaled in %s (the store failed)", packet.id, self.path)

    def replay(self, store: HandoffStore) -> int:
        """Put journaled packets into ``store``; returns how many were added."""
        with self._lock:
            if not self.path.exists():
                return 0
            added, kept = 0, []
            for number, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    packet = HandoffPacket.from_dict(json.loads(line))
                except (ValueError, TypeError) as exc:
                    log.error("%s:%d: not a hand-off packet (%s); left in the journal",
                              self.path, number, exc)
                    kept.append(line)
                    continue
                try:
                    store.get(packet.id)
                    continue  # already there
                except HandoffError:
                    pass
                try:
                    store.add(packet)
                    added += 1
                except Exception as exc:  # the store still fails: keep it for next time
                    log.error("hand-off %s still cannot be stored: %s", packet.id, exc)
                    kept.append(line)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
            tmp.replace(self.path)
        if added:
            log.info("%d journaled hand-off(s) stored", added)
        return added
