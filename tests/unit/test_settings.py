"""Settings as an operator gives them: the environment, a .env file, secrets in files,
and a misspelt name caught at start-up rather than silently ignored."""

from __future__ import annotations

import pytest

from voicebot.cli import main
from voicebot.errors import ConfigError
from voicebot.settings import PROJECT_ROOT, Settings
from voicebot.settings_commands import TABLE_END, TABLE_START, table


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No VOICEBOT_* variable and no .env file, from a directory of the test's own."""
    import os

    for key in list(os.environ):
        if key.startswith("VOICEBOT_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_settings_built_in_code_read_nothing_else(clean_env, monkeypatch):
    monkeypatch.setenv("VOICEBOT_PORT", "9999")
    (clean_env / ".env").write_text("VOICEBOT_HOST=10.0.0.1\n")
    built = Settings(max_calls=3)
    assert (built.port, built.host, built.max_calls) == (8080, "127.0.0.1", 3)


def test_the_environment_wins_over_the_env_file(clean_env, monkeypatch):
    (clean_env / ".env").write_text("# the service\nexport VOICEBOT_PORT=9001\n"
                                    "VOICEBOT_STT_WORKERS='3'\nVOICEBOT_LOG_LEVEL=debug\n")
    monkeypatch.setenv("VOICEBOT_PORT", "9002")
    settings = Settings.from_env()
    assert (settings.port, settings.stt_workers, settings.log_level) == (9002, 3, "debug")
    assert Settings.from_env(port=9003).port == 9003  # a command-line option wins over both


def test_an_env_file_named_by_the_environment(clean_env, monkeypatch):
    other = clean_env / "prod.env"
    other.write_text("VOICEBOT_MAX_CALLS=20\n")
    monkeypatch.setenv("VOICEBOT_ENV_FILE", str(other))
    assert Settings.from_env().max_calls == 20
    monkeypatch.setenv("VOICEBOT_ENV_FILE", str(clean_env / "missing.env"))
    with pytest.raises(ConfigError, match="VOICEBOT_ENV_FILE: no file"):
        Settings.from_env()


def test_an_explicit_environment_reads_no_env_file(clean_env):
    (clean_env / ".env").write_text("VOICEBOT_PORT=9001\n")
    assert Settings.from_env({}).port == 8080


def test_secrets_come_from_files(clean_env, monkeypatch):
    token = clean_env / "twilio_token"
    token.write_text("s3cret-token\n")
    url = clean_env / "database_url"
    url.write_text("postgresql://voicebot:pw@db/voicebot")
    monkeypatch.setenv("VOICEBOT_TWILIO_AUTH_TOKEN_FILE", str(token))
    monkeypatch.setenv("VOICEBOT_DATABASE_URL_FILE", str(url))
    settings = Settings.from_env()
    assert settings.twilio_auth_token.get_secret_value() == "s3cret-token"
    assert settings.records_url == "postgresql://voicebot:pw@db/voicebot"
    assert "pw" not in repr(settings)


def test_a_setting_that_is_a_file_stays_a_path(clean_env, monkeypatch):
    tokens = clean_env / "agents"
    tokens.write_text("alice:long-secret-token\n")
    monkeypatch.setenv("VOICEBOT_AGENT_TOKENS_FILE", str(tokens))
    assert Settings.from_env().agent_tokens_file == tokens


@pytest.mark.parametrize(("variables", "message"), [
    ({"VOICEBOT_TWILIO_AUTH_TOKEN": "a", "VOICEBOT_TWILIO_AUTH_TOKEN_FILE": "/x"},
     "VOICEBOT_TWILIO_AUTH_TOKEN and VOICEBOT_TWILIO_AUTH_TOKEN_FILE are both set"),
    ({"VOICEBOT_TWILIO_AUTH_TOKEN_FILE": "/nonexistent/token"},
     "VOICEBOT_TWILIO_AUTH_TOKEN_FILE: cannot read /nonexistent/token"),
    ({"VOICEBOT_STT_WORKER": "2"},
     r"VOICEBOT_STT_WORKER is not a setting \(did you mean VOICEBOT_STT_WORKERS\?\)"),
    ({"VOICEBOT_TWILIO_TOKEN": "x"}, "did you mean VOICEBOT_TWILIO_AUTH_TOKEN"),
    ({"VOICEBOT_DATABASE": "x"}, "did you mean VOICEBOT_DATABASE_URL"),
    ({"VOICEBOT_QWERTY": "x"}, r"VOICEBOT_QWERTY is not a setting$"),
    ({"VOICEBOT_NOSUCH_FILE": "/x"}, "VOICEBOT_NOSUCH_FILE is not a setting"),
    ({"VOICEBOT_PORT": "eighty"}, "VOICEBOT_PORT: Input should be a valid integer"),
    ({"VOICEBOT_MAX_CALLS": "0"}, "VOICEBOT_MAX_CALLS: Input should be greater than"),
])
def test_wrong_settings_are_refused_by_name(variables, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(variables)


def test_a_wrong_name_in_the_env_file_names_the_file(clean_env):
    (clean_env / ".env").write_text("VOICEBOT_MAX_CALL=4\n")
    with pytest.raises(ConfigError, match=r"\.env: VOICEBOT_MAX_CALL is not a setting "
                                          r"\(did you mean VOICEBOT_MAX_CALLS\?\)"):
        Settings.from_env()


def test_the_test_suites_switches_and_other_programs_variables_are_left_alone():
    settings = Settings.from_env({"VOICEBOT_TEST_CHROMIUM": "/usr/bin/chromium",
                                  "VOICEBOTS": "x", "HOME": "/root"})
    assert settings.port == 8080


def test_the_service_refuses_to_start_on_a_misspelt_setting(clean_env, monkeypatch, capsys):
    monkeypatch.setenv("VOICEBOT_PORTT", "9000")
    assert main(["serve"]) != 0
    assert "VOICEBOT_PORTT is not a setting (did you mean VOICEBOT_PORT?)" in \
        capsys.readouterr().err


def test_check_prints_the_settings_in_effect_with_secrets_hidden(clean_env, monkeypatch,
                                                                  capsys):
    monkeypatch.setenv("VOICEBOT_TWILIO_AUTH_TOKEN", "very-secret-token")
    monkeypatch.setenv("VOICEBOT_MAX_CALLS", "5")
    assert main(["settings", "check"]) == 0
    out = capsys.readouterr().out
    assert "VOICEBOT_MAX_CALLS=5" in out and "very-secret-token" not in out
    assert "VOICEBOT_TWILIO_AUTH_TOKEN=(set, hidden)" in out


def test_every_setting_is_documented_in_the_readme():
    readme = (PROJECT_ROOT / "README.md").read_text()
    shown = readme[readme.index(TABLE_START) + len(TABLE_START):readme.index(TABLE_END)]
    assert shown.strip() == table(), "run `voicebot settings table` into the README"
    assert all(field.description for field in Settings.model_fields.values())
