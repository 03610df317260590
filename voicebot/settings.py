"""Typed settings, read from the environment when the app is built (never at import)."""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from voicebot.errors import ConfigError

ENV_PREFIX = "VOICEBOT_"
# Names under the prefix that are not settings: the .env file's own path, and the test
# suite's switches.
ENV_FILE_VARIABLE = ENV_PREFIX + "ENV_FILE"
RESERVED_PREFIX = ENV_PREFIX + "TEST_"
FILE_SUFFIX = "_FILE"
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


_CREDITOR = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def audiosocket_listeners(spec: str) -> list[tuple[int, dict[str, str]]]:
    """``"9093:northwind-energy:fr,9094:contoso-bank"`` -> [(9093, {"creditor": ...,
    "language": "fr"}), (9094, {"creditor": "contoso-bank"})]; ValueError names the
    entry that is wrong."""
    listeners = []
    for entry in (e.strip() for e in spec.split(",")):
        if not entry:
            continue
        port, _, rest = entry.partition(":")
        creditor, _, language = rest.partition(":")
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValueError(f"{entry!r}: the port must be 1 to 65535")
        if not _CREDITOR.match(creditor):
            raise ValueError(f"{entry!r}: port:creditor[:language], the creditor's id")
        if language not in ("", "en", "fr"):
            raise ValueError(f"{entry!r}: the language is en or fr")
        listeners.append((int(port), {"creditor": creditor}
                          | ({"language": language} if language else {})))
    return listeners


class Settings(BaseSettings):
    """Everything an operator can set. Each field maps to ``VOICEBOT_<NAME>``.

    ``Settings(...)`` reads nothing but its arguments; ``Settings.from_env()`` reads the
    environment, the ``VOICEBOT_<NAME>_FILE`` files it names and a ``.env`` file.
    """

    model_config = SettingsConfigDict(extra="forbid", frozen=True)

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Built in code, settings are what the code says; from_env adds the rest.
        return (init_settings,)

    host: str = Field("127.0.0.1", description="the address to listen on; anything but "
                      "loopback needs the Twilio and agent tokens (or insecure_dev)")
    port: int = Field(8080, ge=1, le=65535, description="the port to listen on")
    public_url: str | None = Field(
        None, description="https://host seen by the carrier; default: the request's host"
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="the least severe log lines written")
    log_format: Literal["json", "text"] = Field(
        "json", description="service logs: one JSON object a line, or text for development")
    insecure_dev: bool = Field(
        False, description="development only: serve a non-loopback address without Twilio "
                           "credentials or agent tokens (unsigned calls, no desktop)")
    api_docs: bool = Field(False, description="serve /docs and /openapi.json")

    home: Path = Field(default_factory=_default_home,
                       description="models, voice and classifier caches (and the data, unless "
                                   "data_dir is set); default $XDG_CACHE_HOME/voicebot")
    data_dir: Path | None = Field(
        None, description="the records database and the hand-off journal (default: home); "
                          "the service must be able to write here")
    prompts_dir: Path = Field(DEFAULTS / "prompts", description="the prompt files, a YAML "
                              "per language (default: those the package ships)")
    policies_dir: Path = Field(DEFAULTS / "policies", description="the creditors' policy files "
                               "and accounts (default: the package's demonstration ones)")

    default_creditor: str = Field("acme-telecom",
                                  description="the creditor of a call that names none")
    default_language: Literal["en", "fr"] = Field(
        "en", description="the greeting's language when the call does not say")

    # Speech to text.
    stt_model: Literal["base", "tiny.en"] = Field(
        "base", description="base (English and French) or tiny.en (English, faster)")
    stt_workers: int = Field(2, ge=1, le=8, description="turns transcribed at once")
    stt_cpu_threads: int = Field(2, ge=1, le=16, description="threads per transcription")
    stt_beam_size: int = Field(1, ge=1, le=10, description="beam width (1: greedy, fastest)")
    stt_max_pending: int = Field(8, ge=1, description="turns waiting for recognition before "
                                                      "more are refused")

    # Text to speech.
    tts_workers: int = Field(1, ge=1, le=8, description="sentences synthesised at once")
    tts_cpu_threads: int = Field(1, ge=1, le=16, description="threads per synthesis")
    tts_max_pending: int = Field(16, ge=1, description="sentences waiting for synthesis "
                                                       "before more are refused")
    piper_voice_en: Path | None = Field(
        None, description="a Piper en_US .onnx voice instead of the packaged en_US-joe-medium")
    piper_voice_fr: Path | None = Field(
        None, description="a Piper fr_FR .onnx voice; takes precedence over Kokoro for French"
    )

    # Language model (understanding only; replies come from templates).
    llm_backend: Literal["embedded", "ollama", "openai", "none"] = Field(
        "embedded", description="embedded (llama.cpp in-process), ollama, openai "
                                "(any compatible server) or none (parsers only)")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible /v1 URL (openai)")
    llm_model: str | None = Field(None, description="model name (ollama: qwen2.5:0.5b-instruct)")
    llm_api_key: str | None = Field(None, description="bearer token of the openai backend")
    llm_threads: int = Field(1, ge=1, le=16, description="embedded: threads generating")
    llm_batch_threads: int | None = Field(
        None, ge=1, le=16, description="embedded: threads reading prompts (default: as many)")
    llm_context: int = Field(4096, ge=512, le=131072,
                             description="embedded: tokens of context, shared by the slots")
    llm_parallel: int = Field(2, ge=1, le=16,
                              description="embedded: slots (turns answered at once)")
    llm_cache_prompt: bool = Field(True, description="openai: ask the server to cache prompts")
    llm_timeout_seconds: float = Field(1.8, gt=0, le=30, description="longest wait for the "
                                       "language model on one turn")
    ollama_host: str = Field("http://127.0.0.1:11434", description="the Ollama server (ollama)")
    filler_after_seconds: float = Field(0.9, gt=0, description="say 'one moment' when an "
                                                               "answer takes longer")
    # Intent classifier (multilingual sentence embeddings), trained on the labelled corpus.
    intent_corpus: tuple[Path, ...] = Field(
        (DEFAULTS / "corpus" / "tune.jsonl",
         DEFAULTS / "corpus" / "dev.jsonl",
         DEFAULTS / "corpus" / "devcheck.jsonl"),
        description="the labelled lines the classifier learns from, files separated by"
                    " ':'; empty: rules only")

    # Records of calls, arrangements, flags and contacts.
    database_url: SecretStr | None = Field(
        None, description="SQLAlchemy URL, e.g. postgresql://user:pass@host/db; "
                          "default: SQLite in <data_dir>/voicebot.db")

    # Hand-off to people: the store, the agents, and the carrier's transfer.
    handoff_db: Path | None = Field(
        None, description="a hand-off file of earlier versions (default <data_dir>/handoffs.db), "
                          "copied into the records at start-up")
    agent_tokens: SecretStr | None = Field(None, description='agents and their sign-in tokens, '
                                           '"alice:s3cret,bob:t0ken"')
    agent_tokens_file: Path | None = Field(None, description='a file of lines "name:token"')
    agent_session_secret: SecretStr | None = Field(
        None, min_length=16, description="signs the desktop's session cookies (default: "
                                         "random at each start, signing agents out)")
    agent_session_hours: float = Field(8.0, gt=0, le=24,
                                       description="a desktop sign-in lasts this long")
    twilio_account_sid: str | None = Field(None, description="the Twilio account (AC...)")
    twilio_auth_token: SecretStr | None = Field(
        None, description="enables transfers and webhook signature checks")
    twilio_api_base: str = Field("https://api.twilio.com", description="Twilio's REST API")
    verify_stream_signature: bool = Field(
        True, description="also require a signature on the media stream handshake")
    handoff_mode: Literal["enqueue", "dial", "conference"] = Field(
        "enqueue", description="enqueue: a queue any agent dequeues (or a TaskRouter "
                               "workflow); dial: ring handoff_dial_number; conference: the "
                               "caller holds in a conference of their own and the agent who "
                               "accepts on the desktop is called into it (agent_addresses)")
    handoff_queue: str = Field("voicebot-handoffs", max_length=64,
                               description="the queue transferred callers wait in")
    handoff_dial_number: str | None = Field(None, description="the number dialled (dial)")
    handoff_dial_timeout_seconds: int = Field(
        30, ge=5, le=600, description="how long a dialled number, or the phone of the agent "
                                      "who accepted (conference), rings")
    handoff_caller_id: str | None = Field(
        None, description="the caller id shown when dialling: a Twilio number (needed to call "
                          "agents at phone numbers)")
    agent_addresses: str | None = Field(
        None, description='conference: how to call each desktop agent, "alice:client:alice,'
                          'bob:+15551234567,carol:sip:carol@pbx.example.com" (checked at '
                          'start-up)')
    handoff_workflow_sid: str | None = Field(None, description="the TaskRouter workflow (WW...)")
    handoff_hold_music_url: str | None = Field(None, description="audio played while waiting")
    handoff_hold_message: bool = Field(True, description="say the hold message while waiting")
    handoff_fallback_seconds: float = Field(
        60.0, gt=0, description="a caller no agent has taken by then is offered a call-back")
    trust_forwarded_headers: bool = Field(
        False, description="behind a proxy: honour X-Forwarded-Proto/-Host/-For from "
                           "forwarded_allow_ips")
    forwarded_allow_ips: str = Field("127.0.0.1", description="proxies trusted for those")
    call_token_seconds: float = Field(
        120.0, gt=0, le=3600,
        description="how long after the voice webhook its media stream may start")
    drain_seconds: float = Field(
        30.0, ge=0, le=600,
        description="on SIGTERM: how long calls in progress may go on before each caller is "
                    "handed to a person (or a call-back)")

    # Turn taking.
    vad_threshold: float = Field(0.5, gt=0, lt=1, description="voice probability that counts "
                                                              "as speech")
    min_speech_ms: int = Field(200, ge=40, description="shorter sounds are noise")
    barge_in_min_speech_ms: int = Field(500, ge=40, description="continuous speech that "
                                                                "interrupts the bot")
    barge_in_hold_ms: int = Field(
        100, ge=0, le=1000, description="voice that stops the bot's audio while that is "
                                        "decided; the reply resumes after a cough (0: off)")
    pause_transcribe_ms: int = Field(
        150, ge=60, le=2000, description="silence after which the words so far are "
                                         "transcribed; a whole answer ends the turn then")
    end_of_turn_silence_ms: int = Field(700, ge=100, description="silence that ends a turn")
    digits_end_of_turn_silence_ms: int = Field(
        1300, ge=100, description="the same while the caller reads digits")
    max_turn_seconds: float = Field(30.0, gt=1, description="a turn is cut after this long")
    no_input_timeout_seconds: float = Field(8.0, gt=1, description="silence after the bot "
                                            "speaks before it asks again")

    # Calls and frames.
    max_calls: int = Field(8, ge=1, description="calls at once; more are refused (1013)")
    max_connections: int = Field(
        512, ge=16, description="open HTTP and WebSocket connections; more get 503")
    max_frame_bytes: int = Field(16_384, ge=1024, description="largest media stream frame")
    max_call_seconds: float = Field(1800.0, gt=10, description="a call is ended after this long")

    # Asterisk: AudioSocket over TCP, chan_websocket at WS /asterisk/media.
    audiosocket_port: int | None = Field(
        None, ge=1, le=65535, description="the TCP port Asterisk's AudioSocket() connects to; "
                                          "unset: no AudioSocket listener")
    audiosocket_host: str = Field(
        "127.0.0.1", description="the address of the AudioSocket listener; AudioSocket has no "
                                 "authentication, so anything but loopback needs insecure_dev")
    audiosocket_creditor: str | None = Field(
        None, description="the creditor of an AudioSocket call whose UUID was not announced "
                          "(default: default_creditor)")
    audiosocket_language: Literal["en", "fr"] | None = Field(
        None, description="the language of such a call (default: the account's or the "
                          "creditor's)")
    audiosocket_ports: str | None = Field(
        None, description='more AudioSocket listeners, each with its own defaults: '
                          '"9093:northwind-energy:fr,9094:contoso-bank" (port:creditor'
                          '[:language]); same host, same rules')
    asterisk_secret: SecretStr | None = Field(
        None, min_length=16, description="shared with Asterisk: required by POST /asterisk/calls "
                                         "and WS /asterisk/media (unset: both refuse everything)")
    asterisk_call_seconds: float = Field(
        60.0, gt=0, le=3600, description="how long a call announced to POST /asterisk/calls "
                                         "waits for its AudioSocket connection")
    asterisk_ari_url: str | None = Field(
        None, description="Asterisk's REST interface, e.g. http://127.0.0.1:8088/ari: hands "
                          "Asterisk callers to a person (the dialplan runs "
                          "Stasis(<asterisk_ari_app>,<call id>) after the bot); unset: their "
                          "hand-offs wait for a call-back")
    asterisk_ari_user: str = Field("voicebot", min_length=1, max_length=64,
                                   description="the ARI user (ari.conf)")
    asterisk_ari_password: SecretStr | None = Field(None, description="the ARI user's password")
    asterisk_ari_app: str = Field("voicebot", pattern=r"^[A-Za-z0-9_.-]{1,64}$",
                                  description="the Stasis application the service registers")
    asterisk_handoff: Literal["agent", "queue"] = Field(
        "agent", description="agent: the caller hears ringing until the agent who accepts on "
                             "the desktop answers at their Asterisk address (agent_addresses, "
                             "alice:PJSIP/alice); queue: the caller goes on to asterisk_queue "
                             "with VOICEBOT_HANDOFF set")
    asterisk_queue: str | None = Field(
        None, description="queue: where callers go on, context,extension,priority (e.g. "
                          "agents,s,1)")
    asterisk_fallback: str | None = Field(
        None, description="where a caller nobody took goes on, context,extension,priority "
                          "(default: the dialplan after Stasis(), VOICEBOT_HANDOFF_RESULT="
                          "fallback)")

    @field_validator("intent_corpus", mode="before")
    @classmethod
    def _corpus_files(cls, value: object) -> object:
        if value is None:
            return ()
        if isinstance(value, str | Path):
            return tuple(Path(part) for part in str(value).split(os.pathsep) if part.strip())
        return value

    @field_validator("audiosocket_ports")
    @classmethod
    def _ports(cls, value: str | None) -> str | None:
        if value:
            audiosocket_listeners(value)  # a mistake is named at start-up
        return value

    def audiosocket_defaults(self) -> dict[str, str]:
        """The creditor and language of ``audiosocket_port``'s calls not announced."""
        return {key: value for key, value in (("creditor", self.audiosocket_creditor),
                                              ("language", self.audiosocket_language))
                if value}

    def audiosocket_listeners(self) -> list[tuple[int, dict[str, str]]]:
        """Each AudioSocket port and the defaults of its calls: ``audiosocket_port``'s,
        then ``audiosocket_ports``'."""
        listeners = []
        if self.audiosocket_port is not None:
            listeners.append((self.audiosocket_port, self.audiosocket_defaults()))
        listeners += audiosocket_listeners(self.audiosocket_ports or "")
        ports = [port for port, _ in listeners]
        if len(set(ports)) != len(ports):
            raise ConfigError("VOICEBOT_AUDIOSOCKET_PORTS: a port is listed twice (or is "
                              "VOICEBOT_AUDIOSOCKET_PORT)")
        return listeners

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
        problems = []
        if (self.audiosocket_port is not None or self.audiosocket_ports) and \
                not is_loopback(self.audiosocket_host):
            problems.append(f"VOICEBOT_AUDIOSOCKET_HOST {self.audiosocket_host}: AudioSocket has "
                            "no authentication, so anyone who can connect could place calls")
        if self.asterisk_ari_url and self.asterisk_ari_url.startswith("http://") and \
                not is_loopback(urlsplit(self.asterisk_ari_url).hostname or ""):
            problems.append(f"VOICEBOT_ASTERISK_ARI_URL {self.asterisk_ari_url}: the ARI "
                            "password and the callers' hand-offs would cross the network in "
                            "clear (use https:// or a loopback address)")
        if self.loopback_only:
            return problems
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

    def changed(self, **changes: object) -> Settings:
        """A copy with ``changes``, checked like the rest (``model_copy`` checks nothing)."""
        try:
            return type(self)(**{**dict(self), **changes})
        except ValidationError as exc:
            raise ConfigError(f"invalid settings: {exc}") from exc

    @property
    def records_url(self) -> str | None:
        """The records database's URL as set (None: SQLite in the data directory)."""
        return self.database_url.get_secret_value() if self.database_url else None

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
        cls, env: Mapping[str, str] | None = None, *, env_file: Path | None = None,
        **overrides: object,
    ) -> Settings:
        """Settings from ``VOICEBOT_*`` variables, then explicit overrides.

        The variables come from ``env`` (default: the process environment) over those
        of the ``.env`` file (``env_file``; default: ``$VOICEBOT_ENV_FILE``, else
        ``.env`` in the current directory, and none when ``env`` is given). A name that
        is not a setting is refused, with the nearest one.
        """
        environment = os.environ if env is None else env
        if env_file is None and env is None:
            env_file = Path(environment.get(ENV_FILE_VARIABLE, ".env"))
        layers: list[PydanticBaseSettingsSource] = []
        if env_file is not None and env_file.is_file():
            layers.append(Variables(cls, dotenv_values(env_file), f"{env_file}: "))
        elif env_file is not None and ENV_FILE_VARIABLE in environment:
            raise ConfigError(f"{ENV_FILE_VARIABLE}: no file {env_file}")
        layers.append(Variables(cls, environment, ""))
        values: dict[str, object] = {}
        for layer in layers:
            values.update(layer())
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = "; ".join(
                f"{ENV_PREFIX}{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
                for err in exc.errors()
            )
            raise ConfigError(f"invalid settings: {problems}") from exc


def dotenv_values(path: Path) -> dict[str, str]:
    """The ``NAME=value`` lines of a ``.env`` file (quotes, ``export`` and comments as
    python-dotenv reads them); a name with no value is left out."""
    from dotenv import dotenv_values as read

    return {k: v for k, v in read(path, interpolate=False).items() if v is not None}


class Variables(PydanticBaseSettingsSource):
    """Settings from ``VOICEBOT_<NAME>`` variables in a mapping (the environment, or a
    ``.env`` file's lines), with ``VOICEBOT_<NAME>_FILE`` naming a file that holds the
    value (a secret mounted by Docker or Kubernetes). Unknown names are errors."""

    def __init__(self, settings_cls: type[BaseSettings], variables: Mapping[str, str],
                 where: str) -> None:
        super().__init__(settings_cls)
        self.variables = variables
        self.where = where  # "" for the environment, ".env: " for a file

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[object, str, bool]:
        key = ENV_PREFIX + field_name.upper()
        return self.variables.get(key), key, False

    def __call__(self) -> dict[str, object]:
        fields = self.settings_cls.model_fields
        values: dict[str, object] = {}
        problems = []
        for key, value in self.variables.items():
            upper = key.upper()
            if not upper.startswith(ENV_PREFIX) or upper.startswith(RESERVED_PREFIX) \
                    or upper == ENV_FILE_VARIABLE:
                continue
            name = upper.removeprefix(ENV_PREFIX).lower()
            if name in fields:
                if ENV_PREFIX + (name + FILE_SUFFIX).upper() in self.variables \
                        and name + FILE_SUFFIX.lower() not in fields:
                    problems.append(f"{upper} and {upper}{FILE_SUFFIX} are both set")
                values[name] = value
            elif name.endswith(FILE_SUFFIX.lower()) and \
                    (base := name.removesuffix(FILE_SUFFIX.lower())) in fields:
                try:
                    values.setdefault(base, Path(value).read_text(encoding="utf-8").strip())
                except (OSError, UnicodeDecodeError) as exc:
                    problems.append(f"{upper}: cannot read {value} ({exc.__class__.__name__})")
            else:
                problems.append(f"{upper} is not a setting{_nearest(name, fields)}")
        if problems:
            raise ConfigError(f"{self.where}" + "; ".join(problems))
        return values


def _nearest(name: str, fields: Mapping[str, object]) -> str:
    close = difflib.get_close_matches(name, list(fields), n=1, cutoff=0.6)
    return f" (did you mean {ENV_PREFIX}{close[0].upper()}?)" if close else ""
