"""``voicebot phrases make``: make the audio of the prompt files' fixed phrases
ahead of time (the service also does it at start-up, while it is idle)."""

from __future__ import annotations

import argparse
import asyncio
import time

from voicebot.call.phrases import prerender, service_phrases
from voicebot.dialogue.prompts import load_prompts
from voicebot.engines.models import ModelPaths
from voicebot.engines.pool import WorkerPool
from voicebot.engines.registry import load_voices
from voicebot.policy import load_policies
from voicebot.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    phrases = subparsers.add_parser("phrases", help="audio of the fixed phrases")
    sub = phrases.add_subparsers(dest="phrases_command", required=True, metavar="ACTION")
    make = sub.add_parser("make", help="make what is missing for the prompts and policies")
    make.set_defaults(run=_make)


def _make(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    voices = load_voices(settings, ModelPaths(settings.models_dir))
    prompts = {language: load_prompts(settings.prompts_dir, language) for language in voices}
    wanted = service_phrases(prompts, load_policies(settings.policies_dir).values())
    pool = WorkerPool("tts", 1, 4)
    try:
        for language, pieces in wanted.items():
            started = time.perf_counter()
            made = asyncio.run(prerender(voices[language], pieces, pool))
            print(f"{language}: {len(pieces)} fixed phrases, {made} made in "
                  f"{time.perf_counter() - started:.1f} s ({settings.phrases_dir})")
    finally:
        pool.shutdown()
    return 0
