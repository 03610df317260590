"""Files the service writes for itself (caches of trained weights and vectors)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np


def save_npz(path: Path, **arrays: np.ndarray) -> None:
    """Write ``arrays`` to one ``.npz`` file atomically: readers see the old file or the
    new one, never half of it. Readable by all (the service may run as another user)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
        os.chmod(tmp_name, 0o644)  # mkstemp makes it 0600
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
