"""The ``voicebot`` command line.

Each command family lives next to the code it drives and adds itself here with a
``register(subparsers)`` function; handlers are set with ``set_defaults(run=...)``
and return the process exit code.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from voicebot.errors import VoicebotError

# Modules that contribute sub-commands, each exposing ``register(subparsers)``.
COMMAND_MODULES = (
    "voicebot.web.commands",
    "voicebot.engines.commands",
    "voicebot.call.commands",
    "voicebot.policy.commands",
    "voicebot.dialogue.commands",
    "voicebot.data.commands",
    "voicebot.compliance.commands",
    "voicebot.replay.commands",
    "voicebot.settings_commands",
    "voicebot.licences",
)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("voicebot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voicebot", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"voicebot {_version()}")
    parser.add_argument("--log-level", default=None, help="debug, info, warning or error")
    parser.add_argument("--log-format", choices=["json", "text"], default=None,
                        help="json (one object a line; the default for serve) or text "
                             "(the default for the other commands); also VOICEBOT_LOG_FORMAT")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def configure_logging(level: str | None, fmt: str = "text") -> None:
    from voicebot.logs import configure

    configure(level or "info", fmt)
    from voicebot.redaction import install_log_redaction

    install_log_redaction()  # nothing card-like reaches a log


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    fmt = args.log_format or os.environ.get("VOICEBOT_LOG_FORMAT") or (
        "json" if args.command == "serve" else "text")
    if fmt not in ("json", "text"):
        print(f"voicebot: VOICEBOT_LOG_FORMAT must be json or text, not {fmt!r}",
              file=sys.stderr)
        return 2
    configure_logging(args.log_level, fmt)
    try:
        return int(args.run(args) or 0)
    except VoicebotError as exc:
        print(f"voicebot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
