"""Joining model parts, checking them by SHA-256, and trusting a file verified before.

The parts are small files in fake packages on ``sys.path`` (found the way the real
ones are, without importing them); "uninstalling" one deletes its folder, as pip
would after the Docker image has assembled the models.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import io
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from voicebot.engines.models import digests as digests_module
from voicebot.engines.models import paths as paths_module
from voicebot.engines.models.catalogue import Model, ModelFile, Part, Role, VoiceArchive
from voicebot.engines.models.digests import VerifiedFiles, join_parts
from voicebot.engines.models.paths import ModelPaths, State
from voicebot.engines.models.progress import Progress
from voicebot.errors import ModelError

PARTS = [b"first part " * 300, b"second " * 500, b"the end"]
WHOLE = b"".join(PARTS)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A folder on ``sys.path`` holding two fake part packages."""
    root = tmp_path / "site"
    for name, files in {"vbtest_parts_a": {"data/p1.bin": PARTS[0], "data/p2.bin": PARTS[1]},
                        "vbtest_parts_b": {"p3.bin": PARTS[2]}}.items():
        (root / name).mkdir(parents=True)
        (root / name / "__init__.py").write_text("")
        for rel, data in files.items():
            (root / name / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / name / rel).write_bytes(data)
    monkeypatch.syspath_prepend(str(root))
    return root


def uninstall(site: Path, package: str) -> None:
    shutil.rmtree(site / package)
    importlib.invalidate_caches()


def joined_model(sha256: str = sha(WHOLE), size: int = len(WHOLE)) -> Model:
    return Model(
        key="joined", name="A joined model", role=Role.LANGUAGE_MODEL, licence="MIT",
        sources=("vbtest-parts-a", "vbtest-parts-b"), home="joined",
        files=(ModelFile("model.bin", size, sha256, (
            Part("vbtest_parts_a", "data/p1.bin"), Part("vbtest_parts_a", "data/p2.bin"),
            Part("vbtest_parts_b", "p3.bin"))),),
    )


@pytest.fixture
def hashes(monkeypatch):
    """Counts the files hashed outside a join."""
    calls: list[Path] = []
    real = paths_module.sha256_file

    def counting(path, progress=None):
        calls.append(path)
        return real(path, progress)

    monkeypatch.setattr(paths_module, "sha256_file", counting)
    return calls


def test_parts_with_the_right_hash_are_joined_and_recorded(tmp_path, site):
    paths = ModelPaths(tmp_path / "home")
    model = joined_model()
    report = paths.install([model])
    target = tmp_path / "home" / "joined" / "model.bin"
    assert target.read_bytes() == WHOLE
    assert oct(target.stat().st_mode & 0o777) == "0o644"
    assert "assembled, SHA-256 ok" in report[0]
    assert paths.record.trusts(target, sha(WHOLE))
    assert paths.status(model).state is State.OK
    assert paths.ready(model) == target.parent


def test_a_wrong_hash_is_refused_and_nothing_is_left_at_the_target(tmp_path, site):
    expected = "0" * 64
    paths = ModelPaths(tmp_path / "home")
    with pytest.raises(ModelError) as caught:
        paths.install([joined_model(sha256=expected)])
    message = str(caught.value)
    target = tmp_path / "home" / "joined" / "model.bin"
    assert str(target) in message and expected in message and sha(WHOLE) in message
    assert list((tmp_path / "home" / "joined").iterdir()) == []  # no temporary file either
    assert not paths.record.trusts(target, expected)


def test_a_refused_join_leaves_an_older_file_as_it_was(tmp_path, site):
    target = tmp_path / "model.bin"
    target.write_bytes(b"older")
    parts = [site / "vbtest_parts_a" / "data" / "p1.bin"]
    with pytest.raises(ModelError, match="expected " + "1" * 64):
        join_parts(parts, target, size=len(PARTS[0]), sha256="1" * 64)
    assert target.read_bytes() == b"older"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.bin", "site"]


def test_parts_that_do_not_add_up_are_refused_before_anything_is_written(tmp_path, site):
    paths = ModelPaths(tmp_path / "home")
    with pytest.raises(ModelError, match=f"add up to {len(WHOLE):,} bytes, expected"):
        paths.install([joined_model(size=len(WHOLE) + 1)])
    assert not (tmp_path / "home" / "joined" / "model.bin").exists()


def test_a_file_verified_before_is_not_hashed_again(tmp_path, site, hashes):
    paths = ModelPaths(tmp_path / "home")
    model = joined_model()
    paths.install([model])
    assert hashes == []  # hashed while joined, not read a second time
    report = ModelPaths(tmp_path / "home").install([model])
    assert "ok (verified before)" in report[0]
    ModelPaths(tmp_path / "home").ready(model)
    assert paths.status(model).state is State.OK
    assert hashes == []
    # A file changed since (here only its modification time) is hashed again, once.
    target = tmp_path / "home" / "joined" / "model.bin"
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    paths.ready(model)
    paths.ready(model)
    assert hashes == [target]


def test_check_hashes_again_even_a_file_verified_before(tmp_path, site, hashes):
    paths = ModelPaths(tmp_path / "home")
    model = joined_model()
    paths.install([model])
    assert paths.status(model, rehash=True).state is State.OK
    assert len(hashes) == 1


def test_an_assembled_file_needs_no_parts_once_verified(tmp_path, site):
    paths = ModelPaths(tmp_path / "home")
    model = joined_model()
    paths.install([model])
    uninstall(site, "vbtest_parts_a")
    uninstall(site, "vbtest_parts_b")
    assert "ok (verified before)" in paths.install([model])[0]
    assert paths.ready(model) == tmp_path / "home" / "joined"
    # Without the record either (a copy that lost it): hashed, found right, still fine.
    paths.record.path.unlink()
    assert "SHA-256 ok" in paths.install([model])[0]
    paths.record.path.unlink()
    assert paths.ready(model) == tmp_path / "home" / "joined"
    assert paths.status(model, rehash=True).state is State.OK


def test_a_wrong_assembled_file_without_its_parts_is_refused(tmp_path, site):
    paths = ModelPaths(tmp_path / "home")
    model = joined_model()
    paths.install([model])
    target = tmp_path / "home" / "joined" / "model.bin"
    target.write_bytes(WHOLE[:-3] + b"END")  # same size, other bytes
    uninstall(site, "vbtest_parts_b")
    with pytest.raises(ModelError) as caught:
        paths.ready(model)
    found = sha(WHOLE[:-3] + b"END")
    assert f"{target}: SHA-256 {found}, expected {sha(WHOLE)}" in str(caught.value)
    with pytest.raises(ModelError, match="the packages vbtest_parts_b are not installed"):
        paths.install([model])
    assert paths.status(model).state is State.WRONG_HASH


def test_a_wrong_assembled_file_is_joined_again_when_its_parts_are_there(tmp_path, site):
    paths = ModelPaths(tmp_path / "home")
    model = joined_model()
    paths.install([model])
    target = tmp_path / "home" / "joined" / "model.bin"
    target.write_bytes(b"x" * len(WHOLE))
    assert "assembled, SHA-256 ok" in paths.install([model])[0]
    assert target.read_bytes() == WHOLE


def test_states_of_a_file_not_there(tmp_path, site):
    paths = ModelPaths(tmp_path / "home")
    model = joined_model()
    assert paths.status(model).state is State.NOT_ASSEMBLED
    with pytest.raises(ModelError, match=r"not assembled .* run `voicebot models install`"):
        paths.ready(model)
    uninstall(site, "vbtest_parts_a")
    assert paths.status(model).state is State.MISSING


def test_a_model_used_in_place_is_checked_where_its_package_put_it(tmp_path, site):
    in_place = Model(key="in-place", name="In place", role=Role.ENGLISH_VOICE, licence="MIT",
                     sources=("vbtest-parts-b",), package="vbtest_parts_b",
                     files=(ModelFile("p3.bin", len(PARTS[2]), sha(PARTS[2])),))
    paths = ModelPaths(tmp_path / "home")
    assert paths.ready(in_place) == site / "vbtest_parts_b"
    (site / "vbtest_parts_b" / "p3.bin").write_bytes(b"THE END")
    with pytest.raises(ModelError, match="reinstall the package 'vbtest-parts-b'"):
        paths.ready(in_place)
    with pytest.raises(ModelError, match=sha(b"THE END")):
        paths.install([in_place])


def test_voices_are_checked_array_by_array(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {name: rng.standard_normal((3, 1, 4)).astype(np.float32) for name in ("a", "b")}
    archive = VoiceArchive("voices.npz", "kokoro-js@0", tuple(
        (name, sha(array.tobytes())) for name, array in arrays.items()), shape=(3, 1, 4))
    model = Model(key="voices", name="Voices", role=Role.FRENCH_VOICE, licence="MIT",
                  sources=("npm:kokoro-js@0",), home="voices", files=(archive,))
    target = tmp_path / "home" / "voices" / "voices.npz"
    target.parent.mkdir(parents=True)
    np.savez(target, **arrays)
    paths = ModelPaths(tmp_path / "home")
    assert "SHA-256 ok" in paths.install([model])[0]  # present and right: npm not needed
    assert paths.record.trusts(target, archive.digest)
    arrays["b"][0, 0, 0] += 1
    np.savez(target, **arrays)
    status = paths.status(model)
    assert status.state is State.WRONG_HASH
    assert f"voice b has SHA-256 {sha(arrays['b'].tobytes())}" in status.problems[0]


def test_an_unreadable_record_counts_as_empty(tmp_path, site):
    paths = ModelPaths(tmp_path / "home")
    model = joined_model()
    paths.install([model])
    paths.record.path.write_text("{not json")
    assert not VerifiedFiles(tmp_path / "home").trusts(
        tmp_path / "home" / "joined" / "model.bin", sha(WHOLE))
    assert paths.status(model).state is State.OK  # hashed again, and recorded again
    assert paths.record.trusts(tmp_path / "home" / "joined" / "model.bin", sha(WHOLE))


def test_progress_off_a_terminal_is_one_line_at_the_start_and_one_at_the_end(tmp_path, site):
    stream = io.StringIO()
    paths = ModelPaths(tmp_path / "home")
    paths.install([joined_model()], progress=Progress(stream))
    assert stream.getvalue().splitlines() == [
        "assembling joined: 0.0 MB...",
        "assembling joined: 0.0 MB, SHA-256 ok",
    ]
    stream.truncate(0)
    stream.seek(0)
    paths.install([joined_model()], progress=Progress(stream))
    assert stream.getvalue() == ""  # verified before: nothing to report


def test_progress_on_a_terminal_redraws_one_line():
    stream = io.StringIO()
    progress = Progress(stream, tty=True)
    progress.begin("assembling big", 10_000_000)
    for _ in range(10):
        progress.advance(1_000_000)
    progress.end("SHA-256 ok")
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith(" SHA-256 ok\n")
    frames = [frame for frame in text.split("\r") if frame]
    assert frames[0].endswith("0.0 MB / 10.0 MB   0%")
    assert "5.0 MB / 10.0 MB  50%" in frames[5]
    assert frames[-1].endswith("10.0 MB / 10.0 MB 100% SHA-256 ok\n")


def test_a_record_that_cannot_be_written_costs_a_rehash_only(tmp_path, site, monkeypatch,
                                                             caplog):
    def refuse(*args, **kwargs):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(digests_module.tempfile, "mkstemp", refuse)
    target = tmp_path / "home" / "joined" / "model.bin"
    target.parent.mkdir(parents=True)
    target.write_bytes(WHOLE)  # assembled elsewhere (a build step), record lost
    paths = ModelPaths(tmp_path / "home")
    assert paths.ready(joined_model()) == target.parent
    assert "cannot write the record of verified models" in caplog.text
    assert not paths.record.path.exists()


def test_install_points_at_the_same_model_under_a_former_name(tmp_path, site):
    model = dataclasses.replace(joined_model(), former_names=("old-name.bin",))
    former = tmp_path / "home" / "joined" / "old-name.bin"
    former.parent.mkdir(parents=True)
    former.write_bytes(WHOLE)
    paths = ModelPaths(tmp_path / "home")
    report = paths.install([model])
    assert f"{former} is the same model under a former name" in report[1]
    assert former.exists()  # pointed at, never deleted
    assert paths.status(model).former_files == (former,)
