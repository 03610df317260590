"""The Dockerfile and compose.yaml agree with the code: the settings they set exist, the
data directory is the volume, and a stop gives the service time to hand its callers over.
compose.yaml is read by a strict Compose Specification parser (what `docker compose config`
checks: unknown keys, wrong types, undefined volumes, networks and secrets)."""

from __future__ import annotations

import re

import yaml
from compose_spec import PyCompose

from voicebot.settings import ENV_PREFIX, FILE_SUFFIX, PROJECT_ROOT, Settings

COMPOSE = PROJECT_ROOT / "compose.yaml"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"


def _seconds(text: str) -> float:
    units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(float(n) * units[u] for n, u in re.findall(r"([\d.]+)(ms|h|m|s)", text))


def _is_setting(variable: str) -> bool:
    name = variable.removeprefix(ENV_PREFIX).lower()
    return name in Settings.model_fields or (
        name.endswith(FILE_SUFFIX.lower())
        and name.removesuffix(FILE_SUFFIX.lower()) in Settings.model_fields)


def test_compose_file_is_valid_compose():
    compose = PyCompose.from_yaml(COMPOSE.read_text())
    compose.validate()
    assert set(compose.service_names()) == {"voicebot", "postgres", "ollama"}


def test_compose_uses_only_real_settings_and_defines_what_it_refers_to():
    spec = yaml.safe_load(COMPOSE.read_text())
    service = spec["services"]["voicebot"]
    variables = [v for v in service["environment"] if v.startswith(ENV_PREFIX)]
    assert variables and all(_is_setting(v) for v in variables), variables
    # Secrets by file, never inline.
    for variable, value in service["environment"].items():
        if variable.endswith(FILE_SUFFIX):
            name = value.removeprefix("/run/secrets/")
            assert name in service["secrets"] and name in spec["secrets"], variable
    for mount in service["volumes"]:
        assert mount.split(":")[0] in spec["volumes"], mount
    assert service["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_a_stop_leaves_time_to_hand_callers_over():
    spec = yaml.safe_load(COMPOSE.read_text())
    service = spec["services"]["voicebot"]
    drain = Settings().drain_seconds
    assert _seconds(service["stop_grace_period"]) >= drain + 10
    assert service.get("stop_signal", "SIGTERM") == "SIGTERM"
    assert "/readyz" in " ".join(service["healthcheck"]["test"])


def test_the_image_runs_unprivileged_with_its_data_on_a_volume():
    text = DOCKERFILE.read_text()
    runtime = text[text.rindex("\nFROM "):]
    env = dict(re.findall(r"(VOICEBOT_[A-Z_]+)=(\S+)", runtime))
    assert all(_is_setting(v) for v in env), env
    assert env["VOICEBOT_DATA_DIR"] == "/data"
    assert re.search(r"^VOLUME /data$", runtime, re.M)
    assert "--uid 10001" in runtime and re.search(r"^USER voicebot$", runtime, re.M)
    assert "chown voicebot:voicebot /data" in runtime
    assert "/livez" in runtime and 'CMD ["voicebot", "serve"]' in runtime
    # The wheel, not an editable install or the source tree, is what runs.
    assert "pip install --no-cache-dir /src" in text and "pip install -e" not in text
    assert "COPY prompts" not in text and "COPY policies" not in text
    spec = yaml.safe_load(COMPOSE.read_text())
    assert "voicebot-data:/data" in spec["services"]["voicebot"]["volumes"]
