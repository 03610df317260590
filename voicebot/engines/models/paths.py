"""Where the models are, whether they are right, and assembling the ones made from parts.

Files joined from parts live in ``<home>`` (``Settings.models_dir``); models used in
place stay where their package installed them. Every file is checked against the
catalogue's SHA-256: when it is assembled (in the same read as the join), and the
first time it is found after that. A record of verified files (size, modification
time, hash) spares the next starts from hashing again.

Once assembled and verified, a model no longer needs the packages that carried its
parts: they can be uninstalled (the Docker image does, so the weights are not stored
twice). Only a missing or wrong assembled file needs them again.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from voicebot.engines.models import catalogue
from voicebot.engines.models.catalogue import CATALOGUE, Model, ModelFile, VoiceArchive
from voicebot.engines.models.digests import VerifiedFiles, join_parts, sha256_file
from voicebot.engines.models.progress import Progress
from voicebot.engines.models.voices import fetch_voices, voices_problem
from voicebot.errors import ModelError

log = logging.getLogger(__name__)

INSTALL_HINT = "run `voicebot models install`"


class State(StrEnum):
    """How a model (or one of its files) stands."""

    OK = "ok"
    NOT_ASSEMBLED = "not assembled"  # not in the home yet; `install` can make it
    MISSING = "missing"  # not there, and nothing installed to make it from
    WRONG_HASH = "wrong hash"


_SEVERITY = (State.OK, State.NOT_ASSEMBLED, State.MISSING, State.WRONG_HASH)


@dataclass(frozen=True)
class FileStatus:
    entry: ModelFile | VoiceArchive
    path: Path
    state: State
    problem: str = ""


@dataclass(frozen=True)
class ModelStatus:
    model: Model
    folder: Path | None  # None when the package holding the model is not installed
    files: tuple[FileStatus, ...]
    former_files: tuple[Path, ...] = ()  # the same model under a name no longer used

    @property
    def state(self) -> State:
        return max((f.state for f in self.files), key=_SEVERITY.index, default=State.OK)

    @property
    def problems(self) -> list[str]:
        return [f.problem for f in self.files if f.problem]


def package_folder(package: str) -> Path | None:
    """The folder of an installed package, found without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def source_versions(model: Model) -> list[tuple[str, str | None]]:
    """Each source of ``model`` with its installed version (None: not installed)."""
    found: list[tuple[str, str | None]] = []
    for source in model.sources:
        if source.startswith("npm:"):
            found.append((source, source.rpartition("@")[2]))
            continue
        try:
            found.append((source, version(source)))
        except PackageNotFoundError:
            found.append((source, None))
    return found


@dataclass(frozen=True)
class ModelPaths:
    """Where every model lives, checked before it is handed out."""

    home: Path

    # -- where -------------------------------------------------------------

    def folder(self, model: Model) -> Path | None:
        """The model's folder; None when it lives in a package that is not installed."""
        if model.home is not None:
            return self.home / model.home
        assert model.package is not None
        root = package_folder(model.package)
        return None if root is None else root / model.folder

    def path(self, model: Model, entry: ModelFile | VoiceArchive) -> Path:
        folder = self.folder(model)
        if folder is None:
            raise ModelError(f"{model.name}: the package {model.sources[0]!r} is not "
                             "installed; reinstall voicebot")
        return folder / entry.name

    @property
    def record(self) -> VerifiedFiles:
        return VerifiedFiles(self.home)

    # -- the files the engines load (cheap once verified) ---------------------

    def llm(self) -> Path:
        """The embedded instruct model (GGUF) for the llama.cpp server."""
        return self.ready(catalogue.QWEN_CODER) / catalogue.LLM_FILE

    def whisper(self, name: str) -> Path:
        """Folder of a CTranslate2 whisper model ("base" or "tiny.en")."""
        models = {"base": catalogue.WHISPER_BASE, "tiny.en": catalogue.WHISPER_TINY_EN}
        if name not in models:
            raise ModelError(f"unknown speech model {name!r}; use 'base' or 'tiny.en'")
        return self.ready(models[name])

    def piper_en(self) -> tuple[Path, Path]:
        folder = self.ready(catalogue.PIPER_JOE)
        return folder / "en_US-joe-medium.onnx", folder / "en_US-joe-medium.onnx.json"

    def kokoro(self) -> tuple[Path, Path]:
        model = self.ready(catalogue.KOKORO) / "kokoro-v1.0.int8.onnx"
        return model, self.ready(catalogue.KOKORO_VOICES) / "voices.npz"

    def silero_vad(self) -> Path:
        return self.ready(catalogue.SILERO_VAD) / "silero_vad_v6.onnx"

    def sentence_embedder(self) -> Path:
        return self.ready(catalogue.E5_SMALL) / "e5-small-q4.bin"

    def ready(self, model: Model) -> Path:
        """The model's folder, once each of its files is there and verified.

        A file verified before and unchanged since (same size and modification time)
        costs a ``stat``; any other is hashed once and recorded. A missing or wrong
        file raises a ``ModelError`` that says what to run.
        """
        record = self.record
        for entry in model.files:
            path = self.path(model, entry)
            if record.trusts(path, entry.digest):
                continue
            if not path.is_file():
                if model.assembled:
                    raise ModelError(f"{model.name} is not assembled in {path}; {INSTALL_HINT}")
                raise ModelError(f"{model.name}: {path} is missing; reinstall the package "
                                 f"{model.sources[0]!r}")
            log.info("verifying %s (SHA-256, once)", path)
            problem = self._problem(path, entry, None)
            if problem:
                record.forget(path)
                hint = INSTALL_HINT if model.assembled else (
                    f"reinstall the package {model.sources[0]!r}")
                raise ModelError(f"{problem}; {hint}")
            record.add(path, entry.digest)
        folder = self.folder(model)
        assert folder is not None
        return folder

    # -- checking --------------------------------------------------------------

    @staticmethod
    def _problem(path: Path, entry: ModelFile | VoiceArchive, progress: Progress | None) -> str:
        """Why ``path`` is not ``entry`` (empty when it is): size first, then the hash."""
        if isinstance(entry, VoiceArchive):
            problem = voices_problem(path, entry)
            if progress is not None:
                progress.advance(entry.size)
            return problem
        size = path.stat().st_size
        if size != entry.size:
            if progress is not None:
                progress.advance(entry.size)
            return f"{path}: {size:,} bytes, expected {entry.size:,}"
        found = sha256_file(path, progress)
        if found != entry.sha256:
            return f"{path}: SHA-256 {found}, expected {entry.sha256}"
        return ""

    def _part_paths(self, entry: ModelFile) -> list[Path] | None:
        """Where ``entry``'s parts are; None when any package or part is missing."""
        paths = []
        for part in entry.parts:
            root = package_folder(part.package)
            if root is None or not (root / part.path).is_file():
                return None
            paths.append(root / part.path)
        return paths

    def _can_make(self, model: Model, entry: ModelFile | VoiceArchive) -> bool:
        if not model.assembled:
            return False
        return isinstance(entry, VoiceArchive) or self._part_paths(entry) is not None

    def status(self, model: Model, *, rehash: bool = False,
               progress: Progress | None = None) -> ModelStatus:
        """How ``model`` stands. Files verified before are trusted unless ``rehash``;
        the others are hashed now (and recorded when right)."""
        folder = self.folder(model)
        record = self.record
        files: list[FileStatus] = []
        todo: list[tuple[ModelFile | VoiceArchive, Path]] = []
        for entry in model.files:
            if folder is None:
                files.append(FileStatus(entry, Path(entry.name), State.MISSING,
                                        f"the package {model.sources[0]!r} is not installed"))
                continue
            path = folder / entry.name
            if not path.is_file():
                state = State.NOT_ASSEMBLED if self._can_make(model, entry) else State.MISSING
                why = ("not assembled yet" if state is State.NOT_ASSEMBLED else
                       "not there, and the packages holding its parts are not installed"
                       if model.assembled else "not there; reinstall its package")
                files.append(FileStatus(entry, path, state, f"{path}: {why}"))
            elif not rehash and record.trusts(path, entry.digest):
                files.append(FileStatus(entry, path, State.OK))
            else:
                todo.append((entry, path))
        if todo:
            progress = progress or Progress()
            progress.begin(f"checking {model.key}", sum(entry.size for entry, _ in todo))
            wrong = 0
            for entry, path in todo:
                problem = self._problem(path, entry, progress)
                if problem:
                    wrong += 1
                    record.forget(path)
                    files.append(FileStatus(entry, path, State.WRONG_HASH, problem))
                else:
                    record.add(path, entry.digest)
                    files.append(FileStatus(entry, path, State.OK))
            progress.end(f"{wrong} file(s) WRONG" if wrong else "SHA-256 ok")
        order = {entry.name: i for i, entry in enumerate(model.files)}
        files.sort(key=lambda f: order[f.entry.name])
        return ModelStatus(model, folder, tuple(files), self._former_files(model))

    def _former_files(self, model: Model) -> tuple[Path, ...]:
        folder = self.folder(model)
        if folder is None:
            return ()
        return tuple(folder / name for name in model.former_names if (folder / name).is_file())

    def statuses(self, models: Iterable[Model] | None = None, *, rehash: bool = False,
                 progress: Progress | None = None) -> list[ModelStatus]:
        """The status of each model (every model of the catalogue by default)."""
        return [self.status(m, rehash=rehash, progress=progress)
                for m in (CATALOGUE if models is None else models)]

    # -- installation ------------------------------------------------------------

    def install(self, models: Iterable[Model] | None = None,
                progress: Progress | None = None) -> list[str]:
        """Assemble and verify every model; one line per model for the report.

        Idempotent: a file verified before and unchanged is not read again. A wrong
        assembled file is joined again from its parts when they are installed.
        """
        progress = progress or Progress()
        report = []
        for model in CATALOGUE if models is None else models:
            done = self._install(model, progress)
            report.append(f"{model.key:<28} {done:<24} {self.folder(model)}")
            for former in self._former_files(model):
                report.append(f"{'':<28} {former} is the same model under a former name, "
                              "no longer used: delete it to free the space")
        return report

    def _install(self, model: Model, progress: Progress) -> str:
        folder = self.folder(model)
        if folder is None:
            raise ModelError(f"{model.name}: the package {model.sources[0]!r} is not "
                             "installed; reinstall voicebot")
        record = self.record
        pending = [e for e in model.files if not record.trusts(folder / e.name, e.digest)]
        if not pending:
            return "ok (verified before)"
        made = any(not (folder / e.name).is_file() for e in pending)
        progress.begin(f"{'assembling' if made else 'checking'} {model.key}",
                       sum(e.size for e in pending))
        try:
            for entry in pending:
                made |= self._install_file(model, entry, folder / entry.name, progress, record)
        except BaseException:
            progress.end("FAILED")
            raise
        progress.end("SHA-256 ok")
        return "assembled, SHA-256 ok" if made else "SHA-256 ok"

    def _install_file(self, model: Model, entry: ModelFile | VoiceArchive, path: Path,
                      progress: Progress, record: VerifiedFiles) -> bool:
        """Verify ``path``, making it first when missing or wrong; True when made."""
        problem = f"{path} is missing"
        if path.is_file():
            problem = self._problem(path, entry, progress)
            if not problem:
                record.add(path, entry.digest)
                return False
            record.forget(path)
            log.warning("%s", problem)
        if not model.assembled:
            raise ModelError(f"{problem}; reinstall the package {model.sources[0]!r}")
        if isinstance(entry, VoiceArchive):
            fetch_voices(entry, path)
            progress.advance(entry.size)
        else:
            parts = self._part_paths(entry)
            if parts is None:
                missing = [p.package for p in entry.parts if package_folder(p.package) is None]
                why = (f"the packages {', '.join(missing)} are not installed" if missing
                       else "a part is missing from its package")
                raise ModelError(f"{problem}, and it cannot be made again: {why}; "
                                 "reinstall voicebot")
            join_parts(parts, path, size=entry.size, sha256=entry.sha256, progress=progress)
        record.add(path, entry.digest)
        return True
