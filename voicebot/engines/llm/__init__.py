"""The language model: it understands one caller turn and proposes structured JSON.

The model never decides and never speaks: the dialogue manager asks it for an
intent and slots, shaped by a ``StructuredOutput`` class whose JSON schema
constrains the server's decoding and whose check the answer must pass; the
policy engine decides, and the bot speaks only templated amounts. Every backend
is reached through the OpenAI-compatible Chat Completions API, so one client
serves the embedded llama.cpp server, Ollama, vLLM and any other compatible
server.

- ``protocol``: what a backend promises (``LanguageModel``) and what a call cost;
- ``output``: the structured answers, their schema and their check;
- ``errors``: the typed error for a bad answer;
- ``wire``: reading the server's answers, plain or streamed;
- ``client``: the Chat Completions client;
- ``ollama``: finding Ollama and its model at start-up;
- ``embedded``: llama.cpp's server, in this process;
- ``factory``: the backend the settings name.
"""

from voicebot.engines.llm.client import ChatCompletionsModel
from voicebot.engines.llm.errors import InvalidReplyError
from voicebot.engines.llm.factory import build_language_model
from voicebot.engines.llm.output import StructuredOutput
from voicebot.engines.llm.protocol import DEFAULT_TIMEOUT, LanguageModel, LlmTiming

__all__ = [
    "DEFAULT_TIMEOUT",
    "ChatCompletionsModel",
    "InvalidReplyError",
    "LanguageModel",
    "LlmTiming",
    "StructuredOutput",
    "build_language_model",
]
