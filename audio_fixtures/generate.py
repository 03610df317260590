"""Regenerate the caller recordings used by the tests.

Test callers must not sound like the bot (Piper "joe" in English, Kokoro
"ff_siwis" in French). English callers use other Kokoro voices; the French
caller is ff_siwis lowered in pitch and slowed by resampling, so it sounds like
another person. Output: 8 kHz mono 16-bit WAV, as a phone line carries.

    .venv/bin/python audio_fixtures/generate.py [FILE.wav ...]
    .venv/bin/python audio_fixtures/generate.py --calls [SCENARIO.yaml ...]

``--calls`` records the spoken turns of the replay library (``calls/*.yaml``) that have
no recording yet, in the voice the scenario's ``caller`` names, as
``calls/<scenario>/<turn>.wav``, and adds each ``audio:`` line to the scenario file.

Not made here: ``en_heard_distress_call.wav``, what a test caller heard through a whole
call (the distress call of tests/e2e/test_call_trust.py), kept because Whisper's greedy
decoding loops on it ("988-8-8-8...").
"""

from __future__ import annotations

import re
import sys
import wave
from pathlib import Path

import numpy as np

from voicebot.audio.codec import float_to_int16
from voicebot.audio.resample import resample
from voicebot.engines.models import ModelPaths
from voicebot.engines.tts import KokoroSynthesizer
from voicebot.replay.scenario import Scenario, load_scenario
from voicebot.settings import Settings

HERE = Path(__file__).resolve().parent
RATE = 8000

# file name -> (voice, espeak language, text, pitch factor, speed)
CALLERS = {
    "en_account_100200.wav": ("am_michael", "en-us",
                              "My account number is one, zero, zero... two, zero, zero.", 1.0, 1.0),
    "en_yes.wav": ("am_michael", "en-us", "Yes, that's right.", 1.0, 1.0),
    "en_no_correction.wav": ("af_heart", "en-us",
                             "No. It's five, zero, zero, six, zero, zero.", 1.0, 1.0),
    "en_interrupt.wav": ("af_heart", "en-us",
                         "Sorry to interrupt, but I really need to talk about my bill today.",
                         1.0, 1.0),
    # Backchannels, spoken briskly as people do while listening.
    "en_mm.wav": ("bf_emma", "en-us", "Mm.", 1.0, 1.4),
    "en_okay.wav": ("af_heart", "en-us", "Okay.", 1.0, 1.3),
    "fr_account_300400.wav": ("ff_siwis", "fr-fr",
                              "Mon numéro de dossier est trois, zéro, zéro, quatre, zéro, zéro.",
                              0.85, 1.0),
    "fr_oui.wav": ("ff_siwis", "fr-fr", "Oui, c'est bien ça.", 0.85, 1.0),
    # Jane Doe (account 100200) negotiating a plan, one file per turn.
    "en_jane_yes.wav": ("af_heart", "en-us", "Yes, that's right.", 1.0, 1.0),
    "en_jane_name.wav": ("af_heart", "en-us", "Jane Doe.", 1.0, 1.0),
    "en_jane_zip.wav": ("af_heart", "en-us", "Nine, four, one, zero, seven.", 1.0, 1.0),
    "en_jane_100_a_month.wav": ("af_heart", "en-us", "I can pay a hundred dollars a month.",
                                1.0, 1.0),
    "en_jane_agree.wav": ("af_heart", "en-us", "Yes, I agree.", 1.0, 1.0),
    # Marie Dupont (dossier 300400), in French.
    "fr_marie_name.wav": ("ff_siwis", "fr-fr", "Marie Dupont.", 0.85, 1.0),
    "fr_marie_code.wav": ("ff_siwis", "fr-fr", "Sept... cinq... zéro... un... un.", 0.85, 0.9),
    "fr_marie_60_par_mois.wav": ("ff_siwis", "fr-fr", "Je peux payer soixante euros par mois.",
                                 0.85, 1.0),
    "fr_marie_accepte.wav": ("ff_siwis", "fr-fr", "Oui, j'accepte.", 0.85, 1.0),
    # Callers the bot must hear right: distress, a hedge at the read-back, a third party.
    "en_speak_to_a_person.wav": ("am_michael", "en-us",
                                 "Can I speak to a real person, please?", 1.0, 1.0),
    "en_jane_ending_my_life.wav": ("af_heart", "en-us",
                                   "Honestly, I'm thinking of ending my life.", 1.0, 1.0),
    "en_jane_not_sure.wav": ("af_heart", "en-us", "Hmm. I'm not sure.", 1.0, 1.0),
    "en_calling_for_jane.wav": ("am_michael", "en-us", "Hi. I'm calling for Jane Doe.", 1.0,
                                1.0),
    "fr_marie_suicidaire.wav": ("ff_siwis", "fr-fr", "Je suis suicidaire, je n'en peux plus.",
                                0.85, 1.0),
    # A French speaker on an English-only line.
    "fr_bonjour_facture.wav": ("ff_siwis", "fr-fr",
                               "Bonjour, je voudrais parler de ma facture, s'il vous plaît.",
                               0.85, 1.0),
}


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(float_to_int16(samples).tobytes())


def cough(seconds: float = 0.25, seed: int = 7) -> np.ndarray:
    """A cough-length burst: a voiced buzz under breath noise, with a fast attack
    and decay. Voiced enough that the VAD scores part of it as speech."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    f0 = 140 * (1 - 0.3 * t / seconds)  # pitch falls, as in a cough
    buzz = np.sign(np.sin(2 * np.pi * np.cumsum(f0) / RATE)) * 0.6
    noise = np.convolve(rng.normal(0, 1, n), np.ones(4) / 4, mode="same")
    envelope = np.minimum(1, t / 0.01) * np.exp(-t / 0.08)
    burst = (buzz + noise) * envelope
    burst = 0.7 * burst / np.max(np.abs(burst))
    return np.concatenate([np.zeros(int(0.1 * RATE)), burst, np.zeros(int(0.1 * RATE))])


class Recorder:
    """Kokoro voices, loaded once per (voice, language, speed)."""

    def __init__(self) -> None:
        self.paths = ModelPaths(Settings.from_env().models_dir)
        self.engines: dict[tuple[str, str, float], KokoroSynthesizer] = {}

    def record(self, path: Path, text: str, voice: str, lang: str, pitch: float,
               speed: float) -> None:
        key = (voice, lang, speed)
        if key not in self.engines:
            self.engines[key] = KokoroSynthesizer(*self.paths.kokoro(), voice=voice,
                                                  language=lang, speed=speed)
        tts = self.engines[key]
        audio = tts.synthesize(text).astype(np.float32) / 32768
        # Reading 24 kHz audio as if it were 24 kHz * pitch lowers pitch and tempo together.
        audio = resample(audio, int(tts.sample_rate * pitch), RATE)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_wav(path, audio * 0.8)
        print(f"{path.relative_to(HERE)}: {len(audio) / RATE:.2f} s  {text!r}")


def speakable(text: str) -> str:
    """What a caller says for the scenario's words: account numbers, postcodes and card
    numbers digit by digit (as people read them out), amounts as numbers."""
    def digits(match: re.Match[str]) -> str:
        run = match.group(0)
        if len(run) < 5 and " " not in run:
            return run  # an amount: "1000", "80"
        if " " in run:  # a card number, read in its groups
            return ", ".join(" ".join(group) for group in run.split())
        return ", ".join(run)

    return re.sub(r"\d+(?: \d+)*", digits, text)


def record_calls(recorder: Recorder, only: set[str]) -> None:
    for path in sorted((HERE / "calls").glob("*.yaml")):
        if only and path.name not in only and path.stem not in only:
            continue
        scenario = load_scenario(path)
        if scenario.caller is None:
            continue
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for number, turn in enumerate(scenario.turns, 1):
            if turn.say is None or turn.audio is not None:
                continue
            name = f"{scenario.id}/{number:02d}.wav"
            caller = scenario.caller
            recorder.record(HERE / "calls" / name, speakable(turn.say), caller.voice,
                            caller.language, caller.pitch, caller.speed)
            at = _say_line(lines, scenario, number)
            lines.insert(at + 1, f"    audio: {name}\n")
        path.write_text("".join(lines), encoding="utf-8")


def _say_line(lines: list[str], scenario: Scenario, number: int) -> int:
    """The index of turn ``number``'s first line (``  - ...``) in the file as read."""
    turns = next(i for i, line in enumerate(lines) if line.startswith("turns:"))
    starts = [i for i, line in enumerate(lines) if i > turns and re.match(r"  - \w+:", line)]
    return starts[number - 1]


def main() -> None:
    recorder = Recorder()
    if sys.argv[1:2] == ["--calls"]:
        record_calls(recorder, set(sys.argv[2:]))
        return
    only = set(sys.argv[1:])  # file names to make; all when none are given
    for name, (voice, lang, text, pitch, speed) in CALLERS.items():
        if only and name not in only:
            continue
        recorder.record(HERE / name, text, voice, lang, pitch, speed)
    if not only or "cough.wav" in only:
        write_wav(HERE / "cough.wav", cough())
        print("cough.wav")


if __name__ == "__main__":
    main()
