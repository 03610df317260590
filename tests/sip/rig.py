"""Asterisk 22 in the Debian sid chroot that ``scripts/asterisk-rig`` installs, run
for one test session.

Each process in the chroot (Asterisk, ``asterisk -rx``, a baresip phone) starts in
its own mount and PID namespaces (``unshare``): /proc and the host's temporary
directory are mounted there only, so nothing stays mounted after it, and when the
process ends everything it started ends with it. The temporary directory (pytest's
``tmp_path`` lives there) is at the same path inside the chroot as outside, so a path
means the same thing to the tests, Asterisk and the phones. Needs root (chroot, mounts),
as ``scripts/setup test`` does.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
from websockets.sync.client import ClientConnection, connect

from tests.sip.asterisk_conf import AsteriskConf

CHROOT = Path(os.environ.get("VOICEBOT_TEST_SIP_CHROOT", "/var/lib/voicebot-test/asterisk-sid"))
STAMP = CHROOT / ".voicebot-rig"
TMP = Path(tempfile.gettempdir()).resolve()
_MOUNT_POINTS: list[Path] = []

# Runs as the new PID namespace's first process: mounts /proc and the bind-mounted
# directories (inside the chroot, at their own paths), then becomes the command.
_ENTER = (
    'root=$1; shift; mount -t proc proc "$root/proc" || exit 125; '
    'while [ "$1" != -- ]; do mount --bind "$1" "$root$1" || exit 125; shift; done; shift; '
    'exec chroot "$root" "$@"'
)


def missing() -> str | None:
    """Why the rig cannot run here, or None when it can."""
    if os.geteuid() != 0:
        return "the SIP rig needs root (chroot and mounts)"
    if not STAMP.exists():
        return f"the SIP rig is not installed in {CHROOT}: run scripts/asterisk-rig"
    return None


def chroot_argv(argv: list[str], paths: Sequence[Path] = ()) -> list[str]:
    """``argv`` run in the chroot, in fresh mount and PID namespaces, where the host's
    temporary directory and ``paths`` (host directories) are at their own paths."""
    return ["unshare", "--mount", "--pid", "--fork", "--kill-child", "--propagation",
            "private", "--", "sh", "-c", _ENTER, "enter", str(CHROOT),
            *[str(b) for b in _binds(paths)], "--", *argv]


def _binds(paths: Sequence[Path]) -> list[Path]:
    """The host directories to bind-mount: the temporary directory (where pytest's
    directories are) and any of ``paths`` outside it, each with a mount point in the
    chroot. A mount point is never removed while anything may use it: removing a
    directory detaches what other mount namespaces mounted on it."""
    wanted = {TMP, *(p.resolve() for p in paths)}
    outermost = [p for p in wanted if not any(o != p and p.is_relative_to(o) for o in wanted)]
    for path in outermost:
        point = CHROOT / path.relative_to("/")
        if not point.is_dir():
            point.mkdir(parents=True)
            _MOUNT_POINTS.append(point)
    return sorted(outermost)


@atexit.register
def _remove_mount_points() -> None:
    # At exit every rig process has ended (the fixtures stop them; the rest die with
    # this process): the mount points this process made go, and their empty parents.
    for point in reversed(_MOUNT_POINTS):
        while point.parent != CHROOT:
            try:
                point.rmdir()
            except OSError:
                break
            point = point.parent


def _die_with_parent() -> None:
    # If the test process dies, so does the namespace (and all that runs in it).
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def spawn(argv: list[str], paths: Sequence[Path], log: Path) -> subprocess.Popen[bytes]:
    """A long-running process in the chroot (see ``chroot_argv``), its output to ``log``.
    It is killed when the thread that spawned it ends (PR_SET_PDEATHSIG): spawn from
    a thread that outlives it, such as the test's own."""
    with log.open("ab") as out:
        return subprocess.Popen(chroot_argv(argv, paths), stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT,
                                preexec_fn=_die_with_parent)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 5) -> None:
    """Waits for ``process`` to end, then kills its namespace if it has not."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()  # unshare --kill-child: the namespace's first process goes too
        process.wait(timeout=5)


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """A loopback port free now, TCP or UDP."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def module_dir() -> str:
    """Asterisk's module directory inside the chroot."""
    found = sorted(CHROOT.glob("usr/lib/*/asterisk/modules"))
    if not found:
        raise RuntimeError(f"no Asterisk modules under {CHROOT}/usr/lib")
    return "/" + str(found[0].relative_to(CHROOT))


class AsteriskError(RuntimeError):
    """Asterisk would not start, or a CLI command failed."""


class Asterisk:
    """One Asterisk for a test session: ``start()``, then calls, then ``stop()``.

    ``directory`` holds its configuration (``etc/``), log (``log/full``), control
    socket, and the rig's sounds and recordings. ``dialplan`` is added to the
    ``from-caller`` context; ``audiosocket_port`` and ``websocket_uri`` add the
    ``audiosocket`` and ``websocket`` extensions that send calls to the service
    (``websocket_password``: the Basic password chan_websocket's connection sends).
    """

    def __init__(self, directory: Path, *, agent_port: int | None = None,
                 audiosocket_port: int | None = None, websocket_uri: str | None = None,
                 websocket_password: str | None = None, dialplan: str = "") -> None:
        self.dir = directory.resolve()
        self.conf = AsteriskConf(
            rig_dir=self.dir, module_dir=module_dir(),
            sip_port=free_port(socket.SOCK_DGRAM), http_port=free_port(),
            agent_port=agent_port or free_port(socket.SOCK_DGRAM),
            ari_user="voicebot", ari_password=secrets.token_urlsafe(16),
            audiosocket_port=audiosocket_port, websocket_uri=websocket_uri,
            websocket_password=websocket_password, dialplan=dialplan,
        )
        self.process: subprocess.Popen[bytes] | None = None

    # What the tests and the adapters use.
    @property
    def sip_port(self) -> int:
        return self.conf.sip_port

    @property
    def agent_port(self) -> int:
        return self.conf.agent_port

    @property
    def ari_url(self) -> str:
        """ARI's base URL, e.g. ``{ari_url}/channels``."""
        return f"http://127.0.0.1:{self.conf.http_port}/ari"

    @property
    def ari_auth(self) -> tuple[str, str]:
        return (self.conf.ari_user, self.conf.ari_password)

    @property
    def log_path(self) -> Path:
        return self.dir / "log" / "full"

    def uri(self, extension: str) -> str:
        """The SIP URI a caller dials to reach ``extension``."""
        return f"sip:{extension}@127.0.0.1:{self.sip_port}"

    def log(self) -> str:
        """Asterisk's log (and its console output), for assertions and failures."""
        parts = [p.read_text(errors="replace") for p in (self.log_path, self.dir / "console.log")
                 if p.exists()]
        return "\n".join(parts)

    def start(self, timeout: float = 30) -> Asterisk:
        """Writes the configuration and starts Asterisk; returns once fully booted."""
        for sub in ("etc", "db", "keys", "spool", "run", "log", "sounds", "recordings"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        for name, text in self.conf.files().items():
            (self.conf.etc / name).write_text(text)
        control = self.dir / "run" / "asterisk.ctl"
        if len(str(control)) > 100:
            raise AsteriskError(f"path too long for a Unix socket: {control}")
        self.process = spawn(
            ["asterisk", "-f", "-n", "-C", str(self.conf.etc / "asterisk.conf")],
            [self.dir], self.dir / "console.log")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AsteriskError(f"Asterisk exited ({self.process.returncode}):\n{self.log()}")
            if control.exists() and self._rx("core waitfullybooted", 10).returncode == 0:
                return self
            time.sleep(0.05)
        self.stop()
        raise AsteriskError(f"Asterisk did not boot in {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        """Stops Asterisk (``core stop now``: calls in progress are hung up)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self._rx("core stop now", 10)
        stop_process(self.process, 10)
        self.process = None

    def cli(self, command: str, timeout: float = 10) -> str:
        """``asterisk -rx command``: its output; AsteriskError if it fails."""
        done = self._rx(command, timeout)
        if done.returncode != 0:
            raise AsteriskError(f"{command!r} failed ({done.returncode}): {done.stdout}")
        return done.stdout

    def channels(self) -> list[str]:
        """The channels up now (``core show channels concise``)."""
        return [line.split("!")[0] for line in self.cli("core show channels concise").splitlines()
                if "!" in line]

    def wait_no_channels(self, timeout: float = 5) -> list[str]:
        """Waits for every channel to be gone; returns those left."""
        deadline = time.monotonic() + timeout
        while (left := self.channels()) and time.monotonic() < deadline:
            time.sleep(0.1)
        return left

    def wait_for_log(self, text: str, timeout: float = 10) -> str:
        """The first log line holding ``text``, once it is there; AssertionError if not."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.log().splitlines():
                if text in line:
                    return line
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not in Asterisk's log:\n{self.log()[-4000:]}")
            time.sleep(0.1)

    def ari(self, method: str, path: str, **params: str) -> httpx.Response:
        """One ARI request (``path`` after /ari), with the rig's credentials."""
        return httpx.request(method, f"{self.ari_url}{path}", params=params,
                             auth=self.ari_auth, timeout=10)

    @contextlib.contextmanager
    def ari_events(self, app: str) -> Iterator[ClientConnection]:
        """ARI's event websocket for the Stasis application ``app`` (registered while
        open): ``json.loads(ws.recv(timeout))`` is the next event."""
        user, password = self.ari_auth
        url = (f"ws://127.0.0.1:{self.conf.http_port}/ari/events?app={app}"
               f"&api_key={user}:{password}")
        with connect(url, open_timeout=10) as ws:
            yield ws

    def _rx(self, command: str, timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            chroot_argv(["asterisk", "-C", str(self.conf.etc / "asterisk.conf"), "-rx", command],
                        [self.dir]),
            capture_output=True, text=True, timeout=timeout, check=False)
