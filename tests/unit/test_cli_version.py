"""``voicebot --version``: what an operator checks first on a deployed machine."""

import subprocess
import sys
from importlib.metadata import version


def test_version_names_the_installed_package():
    done = subprocess.run([sys.executable, "-m", "voicebot", "--version"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"voicebot {version('voicebot')}"
