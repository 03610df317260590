"""Hashing model files, joining their parts, and remembering which files were verified."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from voicebot.engines.models.progress import Progress
from voicebot.errors import ModelError

log = logging.getLogger(__name__)

CHUNK = 1 << 20


def sha256_file(path: Path, progress: Progress | None = None) -> str:
    """The SHA-256 of ``path``'s bytes, reporting progress as it reads."""
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            if progress is not None:
                progress.advance(len(chunk))
    return digest.hexdigest()


def join_parts(parts: Sequence[Path], target: Path, *, size: int, sha256: str,
               progress: Progress | None = None) -> None:
    """Concatenate ``parts`` into ``target``, hashing them in the same read.

    The result is written under a temporary name and takes ``target``'s name only
    once its size and SHA-256 are the expected ones: a wrong join leaves nothing
    behind (an older ``target`` stays as it was) and raises a ``ModelError`` naming
    the file, the expected hash and the one found.
    """
    total = sum(part.stat().st_size for part in parts)
    if total != size:
        raise ModelError(f"{target}: its parts add up to {total:,} bytes, expected {size:,}; "
                         f"parts: {', '.join(str(p) for p in parts)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=".joining")
    try:
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        if progress is not None:
                            progress.advance(len(chunk))
        found = digest.hexdigest()
        if found != sha256:
            raise ModelError(f"{target}: the joined parts have SHA-256 {found}, expected "
                             f"{sha256}; nothing was written")
        os.chmod(tmp_name, 0o644)  # mkstemp makes it private; models are read by all
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    log.debug("assembled %s (%d bytes, SHA-256 %s)", target, size, sha256)


class VerifiedFiles:
    """Files already hashed and found right, so a start does not hash a gigabyte again.

    Kept as JSON next to the models: for each file, its size, its modification time
    in nanoseconds and the digest it was verified against. An entry is trusted while
    the file's size and modification time still agree; anything else means hashing it
    again. A record that cannot be read counts as empty; one that cannot be written (a
    read-only models home) is skipped with a warning: it costs a rehash at each start,
    nothing else.
    """

    FILE_NAME = "verified.json"

    def __init__(self, directory: Path) -> None:
        self.path = directory / self.FILE_NAME
        self._entries: dict[str, dict[str, int | str]] | None = None

    def _load(self) -> dict[str, dict[str, int | str]]:
        if self._entries is None:
            try:
                data = json.loads(self.path.read_text())
                entries = data["files"] if data.get("version") == 1 else {}
                self._entries = entries if isinstance(entries, dict) else {}
            except FileNotFoundError:
                self._entries = {}
            except (OSError, ValueError, KeyError, AttributeError, TypeError) as exc:
                log.warning("ignoring the record of verified models %s: %s", self.path, exc)
                self._entries = {}
        return self._entries

    @staticmethod
    def _stamp(file: Path) -> tuple[int, int] | None:
        try:
            stat = file.stat()
        except OSError:
            return None
        return stat.st_size, stat.st_mtime_ns

    def trusts(self, file: Path, digest: str) -> bool:
        """Whether ``file`` was verified against ``digest`` and has not changed since."""
        entry = self._load().get(str(file))
        stamp = self._stamp(file)
        return (entry is not None and stamp is not None and entry.get("sha256") == digest
                and (entry.get("size"), entry.get("mtime_ns")) == stamp)

    def add(self, file: Path, digest: str) -> None:
        """Record ``file``, just verified against ``digest``."""
        stamp = self._stamp(file)
        if stamp is None:
            return
        self._load()[str(file)] = {"size": stamp[0], "mtime_ns": stamp[1], "sha256": digest}
        self._save()

    def forget(self, file: Path) -> None:
        """Drop ``file`` from the record (it was found wrong)."""
        if self._load().pop(str(file), None) is not None:
            self._save()

    def _save(self) -> None:
        body = json.dumps({"version": 1, "files": self._load()}, indent=1, sort_keys=True)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp_name = tempfile.mkstemp(dir=self.path.parent, prefix=".verified.",
                                                suffix=".tmp")
            try:
                with os.fdopen(handle, "w") as out:
                    out.write(body + "\n")
                os.chmod(tmp_name, 0o644)
                os.replace(tmp_name, self.path)
            except BaseException:
                Path(tmp_name).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("cannot write the record of verified models %s (%s): the models "
                        "will be hashed again at the next start", self.path, exc)
