"""The ``audiosocket`` and ``websocket`` extensions the service's adapters are tested
through, against minimal peers written here that echo what they receive: the
dialplan, AudioSocket's framing and chan_websocket's connection are right before any
adapter is."""

from __future__ import annotations

import socket
import struct
import threading
import time

import pytest
from websockets.sync.server import serve

from tests.sip.conftest import JANE, heard
from tests.sip.phone import place_call
from tests.sip.rig import Asterisk, free_port, missing

pytestmark = pytest.mark.sip


class AudioSocketEcho:
    """A TCP peer for AudioSocket: records the frame kinds, sends the audio back, and
    hangs up (frame 0x00) after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.kinds: list[int] = []
        self.uuid = b""
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            ends = time.monotonic() + self.seconds
            while time.monotonic() < ends:
                head = _read(conn, 3)
                if not head:
                    return
                kind, size = head[0], struct.unpack(">H", head[1:])[0]
                payload = _read(conn, size)
                self.kinds.append(kind)
                if kind == 0x01:
                    self.uuid = payload
                elif kind == 0x10:
                    conn.sendall(head + payload)
                elif kind in (0x00, 0xFF):
                    return
            conn.sendall(b"\x00\x00\x00")


def _read(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            return b""
        data += chunk
    return data


class WebSocketEcho:
    """A websocket peer for chan_websocket: keeps the text lines, sends the u-law back,
    and says HANGUP after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.port = free_port()
        self.texts: list[str] = []
        self.path = ""
        self.audio_bytes = 0
        self.server = serve(self._handle, "127.0.0.1", self.port, subprotocols=["media"])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handle(self, ws) -> None:  # type: ignore[no-untyped-def]
        self.path = ws.request.path
        ends = time.monotonic() + self.seconds
        while (left := ends - time.monotonic()) > 0:
            try:
                message = ws.recv(timeout=left)
            except TimeoutError:
                break
            if isinstance(message, str):
                self.texts.append(message)
            else:
                self.audio_bytes += len(message)
                ws.send(message)
        ws.send("HANGUP")


@pytest.fixture
def peers(tmp_path):
    if reason := missing():
        pytest.skip(reason)
    audiosocket, websocket = AudioSocketEcho(4), WebSocketEcho(4)
    pbx = Asterisk(tmp_path / "pbx", audiosocket_port=audiosocket.port,
                   websocket_uri=f"ws://127.0.0.1:{websocket.port}/media").start()
    yield pbx, audiosocket, websocket
    pbx.stop()
    websocket.server.shutdown()
    audiosocket.server.close()


def test_audiosocket_extension(peers, tmp_path, recognizer):
    pbx, peer, _ = peers
    result = place_call(pbx, "audiosocket", JANE, tmp_path / "heard.wav", 15)
    assert result.established and result.hung_up_by == "remote", (result, pbx.log()[-3000:])
    assert len(peer.uuid) == 16 and peer.kinds[0] == 0x01, peer.kinds[:3]
    assert peer.kinds.count(0x10) > 150  # 20 ms frames, for about 4 s
    assert "jane" in heard(recognizer, result.heard)
    assert pbx.wait_no_channels() == []


def test_websocket_extension(peers, tmp_path, recognizer):
    pbx, _, peer = peers
    result = place_call(pbx, "websocket", JANE, tmp_path / "heard.wav", 15)
    assert result.established and result.hung_up_by == "remote", (result, pbx.log()[-3000:])
    assert peer.texts and peer.texts[0].startswith("MEDIA_START"), peer.texts
    assert "format:ulaw" in peer.texts[0]
    assert peer.path.startswith("/media?channel="), peer.path  # the caller's ARI channel id
    assert peer.audio_bytes > 150 * 160
    assert "jane" in heard(recognizer, result.heard)
    assert pbx.wait_no_channels() == []
