"""Ollama: where its server is, and whether it has the model, checked at start-up."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from voicebot.engines.llm.client import is_loopback
from voicebot.errors import ConfigError

DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434"
DEFAULT_OLLAMA_MODEL = "qwen2.5:0.5b-instruct"


def ollama_url(host: str) -> str:
    """``host`` as the ollama client reads it: a scheme and a port (11434) when missing."""
    raw = host.strip() or DEFAULT_OLLAMA_HOST
    given_scheme = "://" in raw
    parts = urlsplit(raw if given_scheme else f"http://{raw}")
    netloc = parts.netloc
    if parts.port is None and not given_scheme:
        netloc += ":11434"
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def check_ollama_model(host: str, model: str, *, timeout: float = 5.0) -> None:
    """Raise ConfigError unless Ollama answers at ``host`` and has ``model``.

    Blocking: meant for start-up.
    """
    import ollama

    url = ollama_url(host)
    client = ollama.Client(host=url, timeout=timeout, trust_env=not is_loopback(url))
    try:
        client.show(model)
    except ollama.ResponseError as exc:
        if exc.status_code == 404:
            pull = "ollama pull" if url == DEFAULT_OLLAMA_HOST else f"OLLAMA_HOST={url} ollama pull"
            raise ConfigError(f"model {model!r} is not present in Ollama at {url}; "
                              f"run: {pull} {model}") from None
        raise ConfigError(f"Ollama at {url} cannot describe model {model!r}: {exc}") from None
    except (ConnectionError, httpx.HTTPError) as exc:
        raise ConfigError(
            f"Ollama is not reachable at {url} ({type(exc).__name__}); start it with "
            f"`ollama serve` or set VOICEBOT_OLLAMA_HOST") from None
    except ValueError as exc:  # an answer that is not Ollama's (pydantic validation)
        raise ConfigError(f"the server at {url} does not answer like Ollama: {exc}") from None
    finally:
        client.close()
