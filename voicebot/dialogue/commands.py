"""``voicebot chat``: the same dialogue as on the phone, over text.

Operations staff use it to try prompts and policies: interactively in a
terminal, or over a file of caller lines (one per line; ``<silence>`` for a
caller who says nothing, ``keypad: 100200`` for keyed digits, ``#`` comments).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from voicebot.errors import ConfigError
from voicebot.redaction import redact


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    chat = subparsers.add_parser("chat", help="talk to the dialogue manager over text")
    chat.add_argument("--account", required=True, help="account reference, e.g. 100200")
    chat.add_argument("--script", type=Path, help="file of caller lines instead of a terminal")
    chat.add_argument("--json", action="store_true", help="print the conversation as JSON")
    chat.add_argument("--today", type=dt.date.fromisoformat, help="YYYY-MM-DD (default: today)")
    chat.add_argument("--language", choices=["en", "fr"], help="default: the account's")
    chat.add_argument("--llm", choices=["embedded", "ollama", "openai", "none"],
                      help="language model backend (default: settings)")
    chat.add_argument("--rules-only", action="store_true",
                      help="read caller lines with rules alone, without the intent classifier")
    chat.set_defaults(run=_chat)
    intents = subparsers.add_parser("intents", help="the intent classifier")
    sub = intents.add_subparsers(dest="intents_command", required=True, metavar="ACTION")
    train = sub.add_parser("train", help="train it on the labelled corpus (once; then cached)")
    train.set_defaults(run=_train)


def read_script(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"cannot read script {path}: {exc.strerror}") from None
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


async def run_conversation(dialogue: Any, lines: list[str] | None, *, echo: bool
                           ) -> list[dict[str, str]]:
    """Play caller lines (or read them from the terminal) through ``dialogue``."""
    turns: list[dict[str, str]] = []

    def bot(text: str) -> None:
        turns.append({"speaker": "bot", "text": text})
        if echo:
            print(f"bot:    {text}", flush=True)

    reply = dialogue.start()
    bot(reply.text)
    source = iter(lines) if lines is not None else None
    while not (reply.end_call or reply.handoff):
        if source is not None:
            line = next(source, None)
            if line is None:
                break
            if echo:
                print(f"caller: {line}", flush=True)
        else:
            try:
                line = (await asyncio.to_thread(input, "caller: ")).strip()
            except EOFError:
                break
        if line == "<silence>" or not line:
            turns.append({"speaker": "caller", "text": ""})
            reply = dialogue.on_no_input()
        elif line.lower().startswith("keypad:"):
            digits = "".join(c for c in line.split(":", 1)[1] if c.isdecimal())
            turns.append({"speaker": "caller", "text": f"[keypad] {digits}"})
            reply = await dialogue.on_keypad(digits)
        else:
            turns.append({"speaker": "caller", "text": redact(line, dialogue.language).text})
            reply = await dialogue.on_caller_text(line)
        bot(reply.text)
    return turns


async def _run(args: argparse.Namespace) -> int:
    from voicebot.dialogue.manager import NegotiationDialogue
    from voicebot.dialogue.prompts import load_prompts
    from voicebot.engines.llm import build_language_model
    from voicebot.engines.registry import load_intents
    from voicebot.policy import load_accounts, load_policies
    from voicebot.settings import Settings

    settings = Settings.from_env(llm_backend=args.llm)
    policies = load_policies(settings.policies_dir)
    accounts = load_accounts(settings.policies_dir / "accounts.yaml", policies)
    account = accounts.get(args.account)
    if account is None:
        raise ConfigError(f"no account {args.account!r} (known: {', '.join(sorted(accounts))})")
    prompts = {lang: load_prompts(settings.prompts_dir, lang) for lang in ("en", "fr")}
    lines = read_script(args.script) if args.script else None
    llm, closer = await asyncio.to_thread(build_language_model, settings)
    classifier = None if args.rules_only else await asyncio.to_thread(load_intents, settings)
    try:
        if llm is not None:
            await llm.prime([p.system for p in prompts.values()])
        from zoneinfo import ZoneInfo

        today = args.today or dt.datetime.now(ZoneInfo(account.timezone)).date()
        dialogue = NegotiationDialogue(
            prompts=prompts, policy=policies[account.creditor], accounts=accounts, today=today,
            language=args.language or account.language, llm=llm,
            llm_timeout=settings.llm_timeout_seconds, known_reference=account.reference,
            classifier=classifier,
        )
        turns = await run_conversation(dialogue, lines, echo=not args.json)
    finally:
        if llm is not None:
            await llm.close()
        if closer is not None:
            closer.close()
    if args.json:
        result = {
            "turns": turns,
            "decision": dialogue.decision.as_dict() if dialogue.decision else None,
            "agreed": dialogue.agreed,
            "handoff": {"reason": dialogue.handoff} if dialogue.handoff else None,
            "prompt_version": dialogue.prompt_version,
            "policy_version": dialogue.policy_version,
            "language": dialogue.language,
            "events": [{"kind": k, "detail": d} for k, d in dialogue.record.events],
            "llm_calls": dialogue.record.llm_calls,
            "flags": dialogue.flags,
            "priority": dialogue.priority,
        }
        json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
        print()
    return 0


def _chat(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


def _train(args: argparse.Namespace) -> int:
    import time

    from voicebot.engines.registry import load_intents
    from voicebot.settings import Settings

    settings = Settings.from_env()
    started = time.perf_counter()
    model = load_intents(settings)
    if model is None:
        print("no intent corpus is set (VOICEBOT_INTENT_CORPUS): nothing to train")
        return 0
    print(f"intent classifier ready in {time.perf_counter() - started:.1f} s "
          f"({settings.intents_dir})")
    return 0
