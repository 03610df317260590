"""SIP phones for the tests: baresip in the rig's chroot, driven over its ``ctrl_tcp``
interface (netstring-framed JSON commands in, call events out).

A phone sends a WAV file (G.711 u-law, RFC 4733 keypad digits) and records what it
hears to another. ``place_call`` is a whole call from the ``caller`` endpoint; an
``agent`` phone auto-answers at the port Asterisk's ``agent`` endpoint points to.
"""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import subprocess
import threading
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tests.sip.rig import Asterisk, free_port, spawn, stop_process
from tests.sip.sound import FRAME, levels, spans

RATE = 8000
Audio = Path | Sequence[tuple[float, Path]]


def write_caller_audio(audio: Audio, seconds: float, path: Path) -> Path:
    """``audio`` (one WAV, or WAVs each at an offset in seconds) as 8 kHz mono 16-bit
    PCM, padded with silence to ``seconds``: baresip hangs up when its file ends."""
    from tests.conftest import read_wav

    segments = [(0.0, audio)] if isinstance(audio, Path) else list(audio)
    clips = [(offset, read_wav(wav, RATE)) for offset, wav in segments]
    length = max([int(seconds * RATE), *(int(o * RATE) + len(c) for o, c in clips)])
    out = np.zeros(length, dtype=np.float32)
    for offset, clip in clips:
        start = int(offset * RATE)
        out[start:start + len(clip)] += clip
    pcm = (np.clip(out, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pcm.tobytes())
    return path


class PhoneError(RuntimeError):
    """baresip would not start, refused a command, or an awaited event never came."""


@dataclass
class Phone:
    """One baresip user agent (``user``@127.0.0.1:``sip_port``).

    ``play`` is what it sends on every call (8 kHz mono WAV, long enough: see
    ``write_caller_audio``); ``record_to`` gets what it hears (8 kHz mono WAV,
    rewritten at each call). ``auto_answer`` answers incoming calls at once.
    """

    directory: Path
    user: str
    play: Path
    record_to: Path
    sip_port: int = 0
    auto_answer: bool = False
    events: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sip_port = self.sip_port or free_port(socket.SOCK_DGRAM)
        self.ctrl_port = free_port()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._process: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._responses: queue.Queue[dict] = queue.Queue()
        self._events: queue.Queue[dict] = queue.Queue()
        self._token = 0

    @property
    def log_path(self) -> Path:
        return self.directory / "baresip.log"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, timeout: float = 10) -> Phone:
        """Starts baresip and connects to its control port."""
        (self.directory / "config").write_text(self._config())
        answer = "auto" if self.auto_answer else "manual"
        (self.directory / "accounts").write_text(
            f"<sip:{self.user}@127.0.0.1>;regint=0;answermode={answer};"
            "audio_codecs=PCMU/8000/1\n")
        # baresip -f DIR reads DIR/config and DIR/accounts, at the same path in the chroot.
        self._process = spawn(
            ["baresip", "-f", str(self.directory.resolve())],
            [self.directory, self.play.parent, self.record_to.parent], self.log_path)
        deadline = time.monotonic() + timeout
        while self._sock is None:
            if self._process.poll() is not None:
                raise PhoneError(f"baresip exited ({self._process.returncode}):\n{self.log()}")
            try:
                self._sock = socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=1)
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise PhoneError(
                        f"baresip's control port never opened:\n{self.log()}") from None
                time.sleep(0.05)
        self._sock.settimeout(None)
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def stop(self) -> None:
        """Quits baresip (hanging up any call) and waits for it to end."""
        if self._process is None:
            return
        if self._sock is not None:
            with contextlib.suppress(OSError, PhoneError):
                self.command("quit", timeout=2)
            self._sock.close()
            self._sock = None
        stop_process(self._process, 5)
        self._process = None

    def command(self, name: str, params: str = "", timeout: float = 5) -> dict:
        """One ctrl_tcp command (a menu command such as ``dial``); its response."""
        if self._sock is None:
            raise PhoneError("the phone is not started")
        self._token += 1
        body = json.dumps({"command": name, "params": params, "token": str(self._token)})
        data = body.encode()
        self._sock.sendall(b"%d:%s," % (len(data), data))
        try:
            response = self._responses.get(timeout=timeout)
        except queue.Empty:
            raise PhoneError(f"no response to {name} {params}:\n{self.log()}") from None
        if not response.get("ok", False):
            raise PhoneError(f"{name} {params} refused: {response}")
        return response

    def wait_event(self, *types: str, timeout: float = 10) -> dict:
        """The next call event among ``types`` (e.g. CALL_ESTABLISHED, CALL_CLOSED)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                event = self._events.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise PhoneError(f"no {'/'.join(types)} in {timeout} s; events: "
                                 f"{[e.get('type') for e in self.events]}\n{self.log()}") from None
            if event.get("type") in types:
                return event

    def dial(self, uri: str) -> None:
        self.command("dial", uri)

    def hangup(self) -> None:
        self.command("hangup")

    def send_digits(self, digits: str, gap: float = 0.25) -> None:
        """Keypad digits, as RFC 4733 events (``sndcode``), ``gap`` seconds apart."""
        for digit in digits:
            self.command("sndcode", digit)
            time.sleep(gap)

    def _config(self) -> str:
        return f"""poll_method epoll
sip_listen 127.0.0.1:{self.sip_port}
sip_transports udp
net_interface 127.0.0.1
call_max_calls 4
audio_player aufile,{self.record_to.resolve()}
audio_source aufile,{self.play.resolve()}
audio_alert aufile,/dev/null
ausrc_srate {RATE}
auplay_srate {RATE}
ausrc_channels 1
auplay_channels 1
audio_buffer 20-160
rtp_ports 30000-39999
rtp_timeout 0
jitter_buffer_type fixed
jitter_buffer_delay 1-4
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module_tmp account.so
module_app menu.so
statmode_default off
module_app ctrl_tcp.so
ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}
"""

    def _read(self) -> None:
        """Splits the control stream into responses and events."""
        buf = b""
        while self._sock is not None:
            try:
                chunk = self._sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while b":" in buf:
                head, _, rest = buf.partition(b":")
                size = int(head)
                if len(rest) < size + 1:
                    break
                message = json.loads(rest[:size])
                buf = rest[size + 1:]
                if message.get("response"):
                    self._responses.put(message)
                elif message.get("event"):
                    message["at"], message["wall"] = time.monotonic(), time.time()
                    self.events.append(message)
                    self._events.put(message)


@dataclass(frozen=True)
class CallResult:
    """How a call went, from the caller's side."""

    established: bool
    hung_up_by: str  # "caller" or "remote"
    reason: str  # baresip's reason for the close, e.g. "Connection reset by user"
    duration: float  # from answer to close, in seconds
    heard: Path  # what the caller heard
    events: list[dict]
    sent: Path | None = None  # what the caller said (the same timeline as ``heard``)


class Call:
    """A call from the ``caller`` endpoint to ``extension``, step by step (``place_call``
    does it all at once). Use as a context manager: the caller's phone quits on exit.

    ``play`` (one WAV, or WAVs at offsets in seconds) is sent from the answer on, padded
    with silence to ``seconds`` plus a margin; ``record_to`` gets what the caller hears.
    """

    def __init__(self, asterisk: Asterisk, extension: str, play: Audio, record_to: Path,
                 seconds: float = 60, directory: Path | None = None) -> None:
        self.directory = directory or record_to.parent / f"caller-{record_to.stem}"
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = write_caller_audio(play, seconds + 5, self.directory / "caller.wav")
        self.phone = Phone(self.directory, "caller", sent, record_to)
        self.sent = sent
        self.uri = asterisk.uri(extension)
        self.record_to = record_to
        self.answered_at: float | None = None
        self.closed: CallResult | None = None
        self._hung_up = False

    def __enter__(self) -> Call:
        self.phone.start()
        try:
            self.phone.dial(self.uri)
        except BaseException:
            self.phone.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.phone.stop()

    def wait_answered(self, timeout: float = 20) -> bool:
        """True once answered; False if the call ended unanswered."""
        event = self.phone.wait_event("CALL_ESTABLISHED", "CALL_CLOSED", timeout=timeout)
        if event["type"] == "CALL_CLOSED":
            self._closed(event)
            return False
        self.answered_at = event["at"]
        return True

    def send_digits(self, digits: str, gap: float = 0.25) -> None:
        """Keypad digits, RFC 4733."""
        self.phone.send_digits(digits, gap)

    def seconds(self) -> float:
        """Seconds since the answer: the time of the sent and heard files."""
        assert self.answered_at is not None, "not answered"
        return time.monotonic() - self.answered_at

    def wait_for_words(self, after: float, quiet: float = 0.8,
                       timeout: float = 30) -> tuple[float, float]:
        """Waits until the other side has said something that starts at second ``after``
        of the call or later, then been quiet for ``quiet`` seconds; returns when that
        was (start, end), in the call's seconds. PhoneError if the call ends first, or
        ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.closed is None:
            level = levels(self.record_to)
            said = [s for s in spans(level, gap=quiet) if s[0] >= after]
            if said and len(level) * FRAME - said[-1][1] >= quiet:
                return said[0][0], said[-1][1]
            if self.phone.events and self.phone.events[-1]["type"] == "CALL_CLOSED":
                break
            time.sleep(0.05)
        raise PhoneError(f"nothing said after {after:.1f} s of the call, then {quiet} s of "
                         f"quiet (heard: {spans(levels(self.record_to))})")

    def hangup(self) -> CallResult:
        """Hangs up from the caller's side; the call's result."""
        if self.closed is None:
            self._hung_up = True
            self.phone.hangup()
        return self.wait_closed(5)

    def wait_closed(self, timeout: float) -> CallResult:
        """The result, once the call has ended; PhoneError if it has not in ``timeout``."""
        if self.closed is None:
            self._closed(self.phone.wait_event("CALL_CLOSED", timeout=timeout))
        assert self.closed is not None
        return self.closed

    def _closed(self, event: dict) -> None:
        answered = self.answered_at
        self.closed = CallResult(
            established=answered is not None,
            hung_up_by="caller" if self._hung_up else "remote",
            reason=event.get("param", ""),
            duration=0.0 if answered is None else event["at"] - answered,
            heard=self.record_to, events=list(self.phone.events), sent=self.sent)


def place_call(asterisk: Asterisk, extension: str, play: Audio, record_to: Path,
               seconds: float, *, dtmf: Sequence[tuple[float, str]] = (),
               directory: Path | None = None) -> CallResult:
    """A whole call from the ``caller`` endpoint to ``extension``: plays ``play`` (a WAV,
    or WAVs at offsets), keys each ``(offset, digits)`` of ``dtmf`` (seconds after the
    answer), records what it hears to ``record_to``, and hangs up ``seconds`` after the
    answer unless the other side hangs up first."""
    with Call(asterisk, extension, play, record_to, seconds, directory) as call:
        if not call.wait_answered():
            return call.wait_closed(0)
        assert call.answered_at is not None
        for offset, digits in sorted(dtmf):
            time.sleep(max(0.0, call.answered_at + offset - time.monotonic()))
            if call.phone.events[-1]["type"] == "CALL_CLOSED":
                break
            call.send_digits(digits)
        try:
            return call.wait_closed(max(0.0, call.answered_at + seconds - time.monotonic()))
        except PhoneError:
            return call.hangup()


def agent_phone(asterisk: Asterisk, directory: Path, play: Audio | None = None,
                seconds: float = 120) -> Phone:
    """The human agent's phone, not yet started: it auto-answers what Asterisk's
    ``agent`` endpoint rings, sends ``play`` (silence by default) and records what it
    hears to ``directory/heard.wav`` (each call rewrites it)."""
    directory.mkdir(parents=True, exist_ok=True)
    sent = write_caller_audio(play if play is not None else [], seconds, directory / "agent.wav")
    return Phone(directory, "agent", sent, directory / "heard.wav",
                 sip_port=asterisk.agent_port, auto_answer=True)
