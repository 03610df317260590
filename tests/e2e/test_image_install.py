"""The service installed as the image installs it, and run as the image runs it.

No container engine runs here, so the test does what the Dockerfile does, step by step:
builds the wheel, installs it (not editable) into a fresh virtualenv, gives it a models
home it cannot write and a data directory it owns, and runs ``voicebot serve`` as the
unprivileged uid 10001 from another directory, with the image's environment. Then the
service must be live and ready, take a call, serve the agent desktop and keep the hand-off
the call made, in its own data directory.

The packages the wheel depends on are those of the test's own environment, seen through
a ``.pth`` file, rather than installed again (gigabytes of models): what is checked is
the wheel itself and a process that cannot read the source tree or write the models.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import (
    AGENT,
    TWILIO_ACCOUNT,
    TWILIO_TOKEN,
    Server,
    free_port,
    wait_until_healthy,
)
from tests.e2e.helpers import call, dialogue
from tests.e2e.test_call import turn
from voicebot.settings import PROJECT_ROOT, Settings

pytestmark = [pytest.mark.e2e, pytest.mark.models]

UID = 10001  # the image's service user
GREETING = [{"wait": 2.0}, {"wait_for": {"event": "quiet", "timeout": 30}}]


def _run(*command: str | Path, **kwargs) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True,
                          check=False, **kwargs)
    assert done.returncode == 0, f"{command}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _link_tree(source: Path, target: Path) -> None:
    """``source`` copied as hard links (same file system) or bytes, readable by all."""
    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link, dirs_exist_ok=True)
    for folder, _dirs, _files in os.walk(target):
        os.chmod(folder, 0o755)


@pytest.fixture(scope="module")
def image(model_paths, twilio_recorder):
    """A wheel-installed service run as uid 10001; yields (server, data directory)."""
    # Not under pytest's temporary directory: that one is private to root.
    root = Path(tempfile.mkdtemp(prefix="voicebot-image-"))
    os.chmod(root, 0o755)
    try:
        wheels = root / "dist"
        _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, PROJECT_ROOT)
        [wheel] = wheels.glob("voicebot-*.whl")
        venv = root / "venv"
        _run(sys.executable, "-m", "venv", "--without-pip", venv)
        _run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install",
             "-q", "--no-deps", "--no-index", wheel)
        target = Path(_run(venv / "bin" / "python", "-c",
                           "import sysconfig; print(sysconfig.get_paths()['purelib'])"
                           ).stdout.strip())
        (target / "zz-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

        # The image's home: models, voice phrases and the trained classifier, baked by
        # root at build time; the service reads them and cannot write them.
        home = root / "home"
        built = Settings.from_env()
        for part in ("models", "phrases", "intents"):
            if (built.home / part).is_dir():
                _link_tree(built.home / part, home / part)
        data, workdir = root / "data", root / "app"
        for folder in (data, workdir):
            folder.mkdir()
            os.chown(folder, UID, UID)
            os.chmod(folder, 0o700)

        port = free_port()
        env = {
            "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(workdir), "LANG": "C.UTF-8",
            "VOICEBOT_HOME": str(home), "VOICEBOT_DATA_DIR": str(data),
            "VOICEBOT_HOST": "127.0.0.1", "VOICEBOT_PORT": str(port),
            "VOICEBOT_AGENT_TOKENS": ":".join(AGENT),
            "VOICEBOT_TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT,
            "VOICEBOT_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "VOICEBOT_TWILIO_API_BASE": twilio_recorder.url,
            "VOICEBOT_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "VOICEBOT_VERIFY_STREAM_SIGNATURE": "false",
        }
        log_path = root / "server.log"
        with log_path.open("wb") as log_file:
            process = subprocess.Popen(
                ["setpriv", f"--reuid={UID}", f"--regid={UID}", "--clear-groups",
                 str(venv / "bin" / "voicebot"), "serve"],
                stdout=log_file, stderr=subprocess.STDOUT, cwd=workdir, env=env)
        srv = wait_until_healthy(Server(port, log_path, process), timeout=180)
        try:
            yield srv, data, venv
        finally:
            srv.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_the_installed_service_runs_from_the_wheel_as_the_service_user(image):
    srv, data, venv = image
    [line] = [p for p in Path(f"/proc/{srv.process.pid}/status").read_text().splitlines()
              if p.startswith("Uid:")] or [""]
    # setpriv replaced itself with the service: the process is uid 10001.
    assert line.split()[1:2] == [str(UID)], line
    code = _run(venv / "bin" / "python", "-c",
                "import voicebot, voicebot.settings as s; print(voicebot.__file__); "
                "print(s.Settings().prompts_dir)", cwd=data.parent).stdout
    assert str(venv) in code and str(PROJECT_ROOT) not in code, code
    assert httpx.get(f"{srv.http}/livez", timeout=5).status_code == 200
    deadline = time.monotonic() + 60
    while (ready := httpx.get(f"{srv.http}/readyz", timeout=10)).status_code != 200:
        assert time.monotonic() < deadline, ready.text
        time.sleep(0.5)


def test_the_agent_desktop_is_served_from_the_installed_package(image):
    srv, _, _ = image
    with httpx.Client(base_url=srv.http, timeout=5, follow_redirects=True) as agent:
        page = agent.post("/agent/login", data={"agent": AGENT[0], "token": AGENT[1],
                                                  "next": "/agent"})
    assert page.status_code == 200 and "/agent/static/desktop.js" in page.text, page.text
    for name, kind in (("desktop.js", "javascript"), ("desktop.css", "css"),
                       ("favicon.svg", "svg")):
        asset = httpx.get(f"{srv.http}/agent/static/{name}", timeout=5)
        assert asset.status_code == 200 and kind in asset.headers["content-type"], name
        assert len(asset.content) > 100


async def test_a_call_is_taken_and_its_hand_off_kept_in_the_data_directory(image):
    srv, data, _ = image
    # A caller in distress goes straight to a person: a call, a hand-off and its packet.
    await call(srv.ws, [*GREETING, *turn("fr_oui.wav"), {"say": "fr_marie_suicidaire.wav"},
                        {"wait": 24}],
               {"creditor": "northwind-energy", "account": "300400"})
    for _ in range(120):
        if calls := srv.api("/api/calls/recent"):
            break
        await asyncio.sleep(0.25)
    [record] = calls
    assert record["handoff"] == "vulnerability", dialogue(record)
    [packet] = srv.api("/api/handoffs")["handoffs"]
    assert packet["call_id"] == record["call_id"] and packet["reason"] == "vulnerability"
    # Written by the service user, in the data directory, nowhere else.
    database = data / "voicebot.db"
    assert database.stat().st_uid == UID
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM calls").fetchone()[0] == 1
    assert "unable to open database file" not in srv.log()
