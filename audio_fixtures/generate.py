"""Regenerate the caller recordings used by the tests.

Test callers must not sound like the bot (Piper "joe" in English, Kokoro
"ff_siwis" in French). English callers use other Kokoro voices; the French
caller is ff_siwis lowered in pitch and slowed by resampling, so it sounds like
another person. Output: 8 kHz mono 16-bit WAV, as a phone line carries.

    .venv/bin/python audio_fixtures/generate.py [FILE.wav ...]
"""

from __future__ import annotations

import sys
import wave
from pathlib import Path

import numpy as np

from voicebot.audio.codec import float_to_int16
from voicebot.audio.resample import resample
from voicebot.engines.models import ModelPaths
from voicebot.engines.tts import KokoroSynthesizer
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


def main() -> None:
    only = set(sys.argv[1:])  # file names to make; all when none are given
    paths = ModelPaths(Settings.from_env().models_dir)
    engines: dict[tuple[str, str, float], KokoroSynthesizer] = {}
    for name, (voice, lang, text, pitch, speed) in CALLERS.items():
        if only and name not in only:
            continue
        key = (voice, lang, speed)
        if key not in engines:
            engines[key] = KokoroSynthesizer(*paths.kokoro(), voice=voice, language=lang,
                                             speed=speed)
        tts = engines[key]
        audio = tts.synthesize(text).astype(np.float32) / 32768
        # Reading 24 kHz audio as if it were 24 kHz * pitch lowers pitch and tempo together.
        audio = resample(audio, int(tts.sample_rate * pitch), RATE)
        write_wav(HERE / name, audio * 0.8)
        print(f"{name}: {len(audio) / RATE:.2f} s  {text!r}")
    if not only or "cough.wav" in only:
        write_wav(HERE / "cough.wav", cough())
        print("cough.wav")


if __name__ == "__main__":
    main()
