"""The pieces of speech that are the same on every call, made before a caller
needs them.

A reply is cut into pieces (``split_for_speech``); a piece that comes word for
word from the prompt files (with at most the creditor's name in it) is fixed,
and its audio can be made once per voice. Pieces with anything else in them
(an amount, a name, digits) are never fixed: placeholders are filled with
markers, and any piece holding a marker is left out.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import string
from collections.abc import Callable, Iterable, Mapping

from voicebot.audio.framing import to_telephony
from voicebot.call.text import split_for_speech
from voicebot.dialogue.prompts import Prompts
from voicebot.engines.pool import BACKGROUND, WorkerPool
from voicebot.engines.tts import Voice
from voicebot.errors import VoicebotError
from voicebot.policy import Policy

log = logging.getLogger(__name__)

_MARK = "\x00"
# A placeholder can hold a word or a long clause: pieces are cut differently
# around each, so both shapes are tried.
_FILLS = (_MARK, " ".join([_MARK * 6] * 14), ", ".join([_MARK * 6] * 14))


def fixed_pieces(prompts: Prompts, creditors: Iterable[str]) -> list[str]:
    """Every piece of speech the templates can produce that holds no caller data."""
    names = sorted(set(creditors))
    found: dict[str, None] = {}  # ordered: greetings and questions first
    for template in prompts.templates.values():
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        for creditor in names or ["\x00"]:
            for fill in _FILLS:
                values = {f: fill for f in fields}
                if "creditor" in fields:
                    values["creditor"] = creditor
                text = template.format(**values)
                for first_chars in (40, None):
                    for piece in split_for_speech(text, first_chars=first_chars):
                        if _MARK not in piece:
                            found.setdefault(piece)
            if "creditor" not in fields:
                break
    return list(found)


def service_phrases(prompts: Mapping[str, Prompts], policies: Iterable[Policy]
                    ) -> dict[str, list[str]]:
    """The fixed pieces of every language, with the names of the creditors that use it."""
    policies = list(policies)
    return {
        language: fixed_pieces(p, [x.name for x in policies if language in x.languages])
        for language, p in prompts.items()
    }


async def prerender(voice: Voice, pieces: Iterable[str], pool: WorkerPool,
                    busy: Callable[[], bool] = lambda: False, idle_poll: float = 0.1) -> int:
    """Make the audio of fixed pieces the voice lacks, only while nothing else runs.

    Returns how many were made. Calls never wait behind this: a piece is
    started only when nothing is queued for the pool and ``busy()`` is false
    (the service passes "a call is in progress").
    """
    made = 0
    for piece in pieces:
        if voice.phrases.get(piece) is not None:
            continue
        # Nothing signals "idle"; a poll every tenth of a second costs nothing.
        while pool.pending or busy():  # noqa: ASYNC110
            await asyncio.sleep(idle_poll)
        try:
            pcm = await pool.submit(BACKGROUND, functools.partial(voice.synthesize, piece))
        except VoicebotError as exc:
            log.warning("could not make the fixed phrase %r: %s", piece[:60], exc)
            continue
        voice.phrases.put(piece, to_telephony(pcm, voice.sample_rate))
        made += 1
    return made
