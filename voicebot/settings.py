"""Typed settings, read from the environment when the app is built (never at import)."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from voicebot.errors import ConfigError

ENV_PREFIX = "VOICEBOT_"
# The source checkout (benches and tests read beside the package from here).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Prompts, policies and the intent corpus the package ships (in the wheel too).
DEFAULTS = Path(__file__).resolve().parent / "defaults"


def _default_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "voicebot"


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and localhost; anything else (0.0.0.0 included) is reachable."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


class Settings(BaseModel):
    """Everything an operator can set. Each field maps to ``VOICEBOT_<NAME>``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    public_url: str | None = Field(
        None, description="https://host seen by the carrier; defaults to the request's host"
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["json", "text"] = Field(
        "json", description="service logs: one JSON object a line, or text for development")
    insecure_dev: bool = Field(
        False, description="development only: serve a non-loopback address without Twilio "
                           "credentials or agent tokens (unsigned calls, no desktop)")
    api_docs: bool = Field(False, description="serve /docs and /openapi.json")

    home: Path = Field(default_factory=_default_home,
                       description="models, voice and classifier caches (and the data, unless "
                                   "data_dir is set)")
    data_dir: Path | None = Field(
        None, description="the records database and the hand-off journal (default: home); "
                          "the service must be able to write here")
    prompts_dir: Path = Field(DEFAULTS / "prompts", description="the prompt files, a YAML "
                              "per language (default: those the package ships)")
    policies_dir: Path = Field(DEFAULTS / "policies", description="the creditors' policy files "
                               "and accounts (default: the package's demonstration ones)")

    default_creditor: str = "acme-telecom"
    default_language: Literal["en", "fr"] = "en"

    # Speech to text.
    stt_model: Literal["base", "tiny.en"] = "base"
    stt_workers: int = Field(2, ge=1, le=8, description="turns transcribed at once")
    stt_cpu_threads: int = Field(2, ge=1, le=16)
    stt_beam_size: int = Field(1, ge=1, le=10)
    stt_max_pending: int = Field(8, ge=1)

    # Text to speech.
    tts_workers: int = Field(1, ge=1, le=8)
    tts_cpu_threads: int = Field(1, ge=1, le=16)
    tts_max_pending: int = Field(16, ge=1)
    piper_voice_en: Path | None = None
    piper_voice_fr: Path | None = Field(
        None, description="a Piper fr_FR .onnx voice; takes precedence over Kokoro for French"
    )

    # Language model (understanding only; replies come from templates).
    llm_backend: Literal["embedded", "ollama", "openai", "none"] = "embedded"
    llm_base_url: str | None = Field(None, description="OpenAI-compatible /v1 URL (openai)")
    llm_model: str | None = Field(None, description="model name; Ollama's default below")
    llm_api_key: str | None = None
    llm_threads: int = Field(1, ge=1, le=16, description="embedded: threads generating")
    llm_batch_threads: int | None = Field(
        None, ge=1, le=16, description="embedded: threads reading prompts (default: as many)")
    llm_context: int = Field(4096, ge=512, le=131072,
                             description="embedded: tokens of context, shared by the slots")
    llm_parallel: int = Field(2, ge=1, le=16,
                              description="embedded: slots (turns answered at once)")
    llm_cache_prompt: bool = Field(True, description="openai: ask the server to cache prompts")
    llm_timeout_seconds: float = Field(1.8, gt=0, le=30)
    ollama_host: str = "http://127.0.0.1:11434"
    filler_after_seconds: float = Field(0.9, gt=0, description="say 'one moment' after this")
    # Intent classifier (multilingual sentence embeddings), trained on the labelled corpus.
    intent_corpus: tuple[Path, ...] = Field(
        (DEFAULTS / "corpus" / "tune.jsonl",
         DEFAULTS / "corpus" / "dev.jsonl",
         DEFAULTS / "corpus" / "devcheck.jsonl"),
        description="the labelled lines the classifier learns from, files separated by"
                    " ':'; empty: rules only")

    # Records of calls, arrangements, flags and contacts.
    database_url: str | None = Field(
        None, description="SQLAlchemy URL, e.g. postgresql://user:pass@host/db; "
                          "default: SQLite in <home>/voicebot.db")

    # Hand-off to people: the store, the agents, and the carrier's transfer.
    handoff_db: Path | None = Field(
        None, description="a hand-off file of earlier versions (default <home>/handoffs.db), "
                          "copied into the records at start-up")
    agent_tokens: SecretStr | None = Field(None, description='"alice:s3cret,bob:t0ken"')
    agent_tokens_file: Path | None = Field(None, description='lines "name:token"')
    agent_session_secret: SecretStr | None = Field(None, min_length=16)
    agent_session_hours: float = Field(8.0, gt=0, le=24)
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = Field(
        None, description="enables transfers and webhook signature checks")
    twilio_api_base: str = "https://api.twilio.com"
    verify_stream_signature: bool = Field(
        True, description="also require a signature on the media stream handshake")
    handoff_mode: Literal["enqueue", "dial"] = "enqueue"
    handoff_queue: str = Field("voicebot-handoffs", max_length=64)
    handoff_dial_number: str | None = None
    handoff_dial_timeout_seconds: int = Field(30, ge=5, le=600)
    handoff_caller_id: str | None = None
    handoff_workflow_sid: str | None = None
    handoff_hold_music_url: str | None = None
    handoff_hold_message: bool = True
    handoff_fallback_seconds: float = Field(60.0, gt=0)
    trust_forwarded_headers: bool = Field(
        False, description="behind a proxy: honour X-Forwarded-Proto/-Host/-For from "
                           "forwarded_allow_ips")
    forwarded_allow_ips: str = Field("127.0.0.1", description="proxies trusted for those")
    call_token_seconds: float = Field(
        120.0, gt=0, le=3600,
        description="how long after the voice webhook its media stream may start")

    # Turn taking.
    vad_threshold: float = Field(0.5, gt=0, lt=1)
    min_speech_ms: int = Field(200, ge=40)
    barge_in_min_speech_ms: int = Field(500, ge=40)
    # A voice over the bot's stops its audio this soon (0: only at a barge-in); the reply
    # resumes if it was a cough or an "mm-hm".
    barge_in_hold_ms: int = Field(100, ge=0, le=1000)
    # Silence after which the words so far are transcribed; when they answer the question
    # in full (a yes, the whole postcode), the turn ends then (end of turn from meaning).
    pause_transcribe_ms: int = Field(150, ge=60, le=2000)
    end_of_turn_silence_ms: int = Field(700, ge=100)
    digits_end_of_turn_silence_ms: int = Field(1300, ge=100)
    max_turn_seconds: float = Field(30.0, gt=1)
    no_input_timeout_seconds: float = Field(8.0, gt=1)

    # Calls and frames.
    max_calls: int = Field(8, ge=1)
    max_connections: int = Field(
        512, ge=16, description="open HTTP and WebSocket connections; more get 503")
    max_frame_bytes: int = Field(16_384, ge=1024)
    max_call_seconds: float = Field(1800.0, gt=10)

    @field_validator("intent_corpus", mode="before")
    @classmethod
    def _corpus_files(cls, value: object) -> object:
        if value is None:
            return ()
        if isinstance(value, str | Path):
            return tuple(Path(part) for part in str(value).split(os.pathsep) if part.strip())
        return value

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value

    @property
    def loopback_only(self) -> bool:
        """Whether the service listens on this machine only (127.0.0.0/8, ::1, localhost)."""
        return is_loopback(self.host)

    def exposure_problems(self) -> list[str]:
        """What would be open to anyone on a non-loopback address; empty when nothing is."""
        if self.loopback_only:
            return []
        problems = []
        if self.twilio_auth_token is None or not self.twilio_auth_token.get_secret_value():
            problems.append("no VOICEBOT_TWILIO_AUTH_TOKEN: calls and webhooks from anyone "
                            "would be accepted unsigned")
        if self.agent_tokens is None and self.agent_tokens_file is None:
            problems.append("no VOICEBOT_AGENT_TOKENS or VOICEBOT_AGENT_TOKENS_FILE: nobody "
                            "could take the hand-offs")
        return problems

    @property
    def data_home(self) -> Path:
        """Where the records and the hand-off journal are written."""
        return self.data_dir or self.home

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def intents_dir(self) -> Path:
        """The trained intent classifier, cached per corpus and code version."""
        return self.home / "intents"

    @property
    def phrases_dir(self) -> Path:
        """Audio of the fixed phrases of the prompt files, made once per voice."""
        return self.home / "phrases"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, **overrides: object
    ) -> Settings:
        """Build settings from ``VOICEBOT_*`` variables, then explicit overrides."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for name in cls.model_fields:
            key = ENV_PREFIX + name.upper()
            if key in env:
                values[name] = env[key]
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = "; ".join(
                f"{ENV_PREFIX}{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
                for err in exc.errors()
            )
            raise ConfigError(f"invalid settings: {problems}") from exc
