"""Reading policy and accounts files, with errors people can act on.

Every problem is reported as ``FILE: field.path: what is wrong`` (all of them,
not only the first) so whoever edited the file can fix it without reading code.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Hashable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from voicebot.errors import ConfigError
from voicebot.policy.models import Policy

ACCOUNTS_FILE = "accounts.yaml"


class PolicyFileError(ConfigError):
    """A policy or accounts file is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


def display_path(path: Path) -> str:
    """The path as a person would type it: relative to the working directory if inside."""
    try:
        if Path(path).resolve().is_relative_to(Path.cwd()):
            return os.path.relpath(path)
    except (OSError, ValueError):
        pass
    return str(path)


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            continue  # construct_mapping reports it
        if key in seen:
            mark = key_node.start_mark
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Parse one YAML file whose top level must be a mapping; errors name the file."""
    where = display_path(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyFileError([f"{where}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyFileError([f"{where}: cannot read: {exc}"]) from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise PolicyFileError([f"{where}: invalid YAML: {at}{problem}"]) from None
    if data is None:
        raise PolicyFileError([f"{where}: the file is empty"])
    if not isinstance(data, dict):
        raise PolicyFileError(
            [f"{where}: expected field: value pairs at the top level, got {type(data).__name__}"]
        )
    return data


def _location(loc: tuple[int | str, ...], data: Any) -> str:
    text = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("reference"), str):
                text += f" ({node['reference']})"
        else:
            text += f".{part}" if text else part
            node = node.get(part) if isinstance(node, dict) else None
    return text


def _message(error: Mapping[str, Any], missing: list[str]) -> str:
    kind, message = error["type"], error["msg"]
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        close = difflib.get_close_matches(name, missing, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "check the spelling"
        return f"unknown field ({hint})"
    if kind == "missing":
        return "required field is missing"
    value = error.get("input")
    if isinstance(value, str | int | float | Decimal) and not isinstance(value, bool):
        return f"{message} (got {value!r})"
    return message


def validation_problems(exc: ValidationError, where: str, data: Any) -> list[str]:
    """One ``FILE: field.path: message`` line per pydantic error."""
    errors = exc.errors()
    locs = [tuple(error["loc"]) for error in errors]
    lines: list[str] = []
    for error, loc in zip(errors, locs, strict=True):
        if error["type"] == "too_short" and any(
            other[: len(loc)] == loc and len(other) > len(loc) for other in locs
        ):
            continue  # "no item left" only repeats that an item was refused
        base = _location(loc, data)
        pairs = (error.get("ctx") or {}).get("problems")
        if error["type"] == "policy_inconsistent" and pairs:
            for path, message in pairs:
                lines.append(f"{where}: {base + '.' if base else ''}{path}: {message}")
            continue
        missing = [
            str(other[-1])
            for other, e in zip(locs, errors, strict=True)
            if e["type"] == "missing" and other[:-1] == loc[:-1]
        ]
        lines.append(f"{where}: {base + ': ' if base else ''}{_message(error, missing)}")
    return lines


def parse_policy(data: Mapping[str, Any], where: str = "<policy>") -> Policy:
    """Validate already-parsed policy data; raise PolicyFileError listing every problem."""
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyFileError(validation_problems(exc, where, data)) from None


def load_policy(path: Path) -> Policy:
    """Read and validate one policy file; its name must be ``<id>.yaml``."""
    path = Path(path)
    where = display_path(path)
    policy = parse_policy(read_yaml_mapping(path), where)
    if policy.id != path.stem:
        raise PolicyFileError(
            [f"{where}: id: {policy.id!r} does not match the file name (expected {path.stem!r})"]
        )
    return policy


def policy_files(directory: Path) -> list[Path]:
    """The policy files of a directory: every ``*.yaml`` except the accounts file."""
    directory = Path(directory)
    if not directory.is_dir():
        raise PolicyFileError([f"{display_path(directory)}: no such directory"])
    return sorted(p for p in directory.glob("*.yaml") if p.name != ACCOUNTS_FILE)


def load_policies(directory: Path) -> dict[str, Policy]:
    """Every policy of a directory by creditor id; all problems of all files at once."""
    policies: dict[str, Policy] = {}
    problems: list[str] = []
    for path in policy_files(directory):
        try:
            policy = load_policy(path)
        except PolicyFileError as exc:
            problems.extend(exc.problems)
        else:
            policies[policy.id] = policy
    if problems:
        raise PolicyFileError(problems)
    return policies


def find_policy(directory: Path, creditor: str) -> Policy:
    """Load the policy of one creditor, saying which exist when it is unknown."""
    files = {path.stem: path for path in policy_files(directory)}
    if creditor not in files:
        raise ConfigError(
            f"no policy for creditor {creditor!r} in {display_path(Path(directory))} "
            f"(known: {', '.join(files) or 'none'})"
        )
    return load_policy(files[creditor])
