"""The real models, as assembled in the models home and as their packages install them,
have the catalogue's sizes and SHA-256 hashes.

Read only: nothing is joined and no record is written (the files may be in use). A
language model assembled before it had its right name is checked under that name.
"""

from __future__ import annotations

import pytest

from voicebot.engines.models.catalogue import CATALOGUE, ModelFile
from voicebot.engines.models.digests import sha256_file
from voicebot.engines.models.paths import ModelPaths
from voicebot.engines.models.voices import voices_problem
from voicebot.settings import Settings

pytestmark = pytest.mark.models


@pytest.mark.parametrize("model", CATALOGUE, ids=lambda m: m.key)
def test_each_file_has_the_catalogue_hash(model):
    paths = ModelPaths(Settings.from_env().models_dir)
    folder = paths.folder(model)
    assert folder is not None, f"{model.sources[0]} is not installed"
    for entry in model.files:
        candidates = [folder / entry.name, *(folder / name for name in model.former_names)]
        path = next((p for p in candidates if p.is_file()), None)
        assert path is not None, f"{folder / entry.name} is missing: run voicebot models install"
        if isinstance(entry, ModelFile):
            assert path.stat().st_size == entry.size, path
            assert sha256_file(path) == entry.sha256, path
        else:
            assert voices_problem(path, entry) == ""
