"""The ``voicebot`` command line.

Each command family lives next to the code it drives and adds itself here with a
``register(subparsers)`` function; handlers are set with ``set_defaults(run=...)``
and return the process exit code.
"""

from __future__ import annotations

import argparse
import importlib
import logging
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
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voicebot", description=__doc__.splitlines()[0])
    parser.add_argument("--log-level", default=None, help="debug, info, warning or error")
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


def configure_logging(level: str | None) -> None:
    logging.basicConfig(
        level=(level or "info").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    from voicebot.redaction import install_log_redaction

    install_log_redaction()  # nothing card-like reaches a log


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.log_level)
    try:
        return int(args.run(args) or 0)
    except VoicebotError as exc:
        print(f"voicebot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
