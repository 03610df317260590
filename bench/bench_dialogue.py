"""Dialogue latency: caller text in -> reply text ready, on the demo conversations.

Runs scripted conversations for the three demo accounts through the real
dialogue manager with the embedded language model (primed, as the service does
at start-up), and reports the median and worst time per caller turn, overall
and for the turns that needed the model.

    .venv/bin/python bench/bench_dialogue.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voicebot.dialogue.manager import NegotiationDialogue  # noqa: E402
from voicebot.dialogue.prompts import load_prompts  # noqa: E402
from voicebot.engines.llm import build_language_model  # noqa: E402
from voicebot.policy import load_accounts, load_policies  # noqa: E402
from voicebot.settings import Settings  # noqa: E402

CONVERSATIONS = {
    "100200": [
        ["yes", "Jane Doe", "nine four one zero seven", "I can pay 100 dollars a month", "yes"],
        ["yes", "Jane Doe", "94107", "what would you suggest?", "ten dollars a month", "yes",
         "yes"],
        ["yes", "Jane Doe", "94107", "honestly I'm broke right now", "can I talk to someone?"],
    ],
    "500600": [
        ["yes", "John Smith", "10001", "can I settle for 1900", "yes", "yes"],
        ["yes", "John Smith", "10001", "I lost my job last month", "sounds fine", "yes"],
        ["yes", "John Smith", "10001", "could I maybe spread it out somehow", "yes", "yes"],
    ],
    "300400": [
        ["oui", "Marie Dupont", "75011", "je peux payer 60 euros par mois", "oui"],
        ["oui", "Marie Dupont", "75011", "qu'est-ce que vous me proposez ?", "en quatre fois",
         "oui", "oui"],
    ],
}


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    settings = Settings.from_env()
    policies = load_policies(settings.policies_dir)
    accounts = load_accounts(settings.policies_dir / "accounts.yaml", policies)
    prompts = {lang: load_prompts(settings.prompts_dir, lang) for lang in ("en", "fr")}
    llm, server = await asyncio.to_thread(build_language_model, settings)
    await llm.prime([p.system for p in prompts.values()])
    all_ms: list[float] = []
    model_ms: list[float] = []
    try:
        for _ in range(args.rounds):
            for reference, scripts in CONVERSATIONS.items():
                account = accounts[reference]
                for lines in scripts:
                    dialogue = NegotiationDialogue(
                        prompts=prompts, policy=policies[account.creditor], accounts=accounts,
                        today=dt.date(2026, 11, 26), language=account.language, llm=llm,
                        llm_timeout=settings.llm_timeout_seconds, known_reference=reference)
                    dialogue.start()
                    for line in lines:
                        calls = dialogue.record.llm_calls
                        started = time.perf_counter()
                        reply = await dialogue.on_caller_text(line)
                        ms = (time.perf_counter() - started) * 1000
                        all_ms.append(ms)
                        if dialogue.record.llm_calls > calls:
                            model_ms.append(ms)
                        if reply.handoff or reply.end_call:
                            break
    finally:
        await llm.close()
        server.close()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; embedded model, "
          f"{settings.llm_threads} thread(s); {len(all_ms)} caller turns")
    print(f"all turns:        median {statistics.median(all_ms):7.1f} ms, "
          f"p90 {statistics.quantiles(all_ms, n=10)[-1]:7.1f} ms, max {max(all_ms):7.1f} ms")
    if model_ms:
        print(f"turns with model: median {statistics.median(model_ms):7.1f} ms, "
              f"max {max(model_ms):7.1f} ms ({len(model_ms)} of {len(all_ms)} turns, "
              f"{100 * len(model_ms) / len(all_ms):.0f}%)")


if __name__ == "__main__":
    asyncio.run(main())
