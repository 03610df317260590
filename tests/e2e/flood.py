"""A hostile Media Streams client: one stream at a time, media frames as fast as the
socket takes them, every other frame declaring a two-second timestamp gap. When
the server closes the stream it comes back with a new one, until time is up.

Run as its own process (``python -m tests.e2e.flood URL SECONDS REPORT.json``) so
that its busy loop does not slow the honest caller it is tested against.
"""

from __future__ import annotations

import asyncio
import base64
import collections
import json
import signal
import sys
import time

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.e2e.helpers import twiml_parameters

PAYLOAD = base64.b64encode(b"\xff" * 160).decode()
GAP_MS = 2000  # the longest gap the listener used to fill, on every other frame


def frames(stream_sid: str, count: int) -> list[str]:
    out, timestamp = [], 0
    for n in range(count):
        timestamp += 20 + (GAP_MS if n % 2 else 0)
        out.append(json.dumps({"event": "media", "sequenceNumber": str(n + 2),
                               "streamSid": stream_sid,
                               "media": {"track": "inbound", "chunk": str(n + 1),
                                         "timestamp": str(timestamp), "payload": PAYLOAD}}))
    return out


def start(stream_sid: str, call_sid: str, parameters: dict[str, str]) -> str:
    return json.dumps({
        "event": "start", "sequenceNumber": "1", "streamSid": stream_sid,
        "start": {"streamSid": stream_sid, "accountSid": "AC" + "f" * 32, "callSid": call_sid,
                  "tracks": ["inbound"], "customParameters": parameters,
                  "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000,
                                  "channels": 1}}})


async def one_stream(url: str, n: int, until: float, report: dict) -> None:
    sid = f"MZflood{n:06d}"
    batch = frames(sid, 5000)
    try:
        async with connect(url, max_size=None, open_timeout=10) as ws:
            report["connections"] += 1
            await ws.send(json.dumps({"event": "connected", "protocol": "Call",
                                      "version": "1.0.0"}))
            # A call the webhook admitted: the flood is inside a real call's stream.
            call_sid = f"CAflood{n:026d}"
            params = await twiml_parameters(url, call_sid, {"creditor": "acme-telecom"})
            await ws.send(start(sid, call_sid, params))
            while time.monotonic() < until:
                for frame in batch:
                    await ws.send(frame)
                    report["frames"] += 1
                    report["bytes"] += len(frame)
    except ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd else None
        report["close_codes"][str(code)] += 1
    except (InvalidStatus, OSError, TimeoutError, httpx.HTTPError) as exc:
        report["errors"][type(exc).__name__] += 1


async def flood(url: str, seconds: float, out: str) -> None:
    report: dict = {"connections": 0, "frames": 0, "bytes": 0,
                    "close_codes": collections.Counter(), "errors": collections.Counter()}
    # Stopped early (the test is done with us): say what happened so far.
    asyncio.get_running_loop().add_signal_handler(
        signal.SIGTERM, lambda: (save(report, out), sys.exit(0)))
    until = time.monotonic() + seconds
    n = 0
    while time.monotonic() < until:
        await one_stream(url, n, until, report)
        n += 1
        await asyncio.sleep(0.2)  # and straight back
    save(report, out)


def save(report: dict, out: str) -> None:
    with open(out, "w") as fh:
        json.dump(report, fh)


def main() -> None:
    url, seconds, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    asyncio.run(flood(url, seconds, out))


if __name__ == "__main__":
    main()
