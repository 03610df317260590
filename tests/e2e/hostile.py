"""A crowd of hostile clients, from 127.0.0.2, until time is up or it is stopped.

- ``silent``: open a stream and say nothing (or only ``connected``), reopen when closed;
- ``forged``: ``start`` without its webhook's token, then media as fast as the socket goes;
- ``junk``: broken JSON, binary, oversized and deeply nested frames;
- ``webhooks``: unsigned voice webhooks and bodies over the size limit.

Run as its own process (``python -m tests.e2e.hostile URL SECONDS REPORT.json``); it
writes what the server answered (close codes, HTTP statuses) to REPORT.json.
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

SOURCE = "127.0.0.2"
CONNECTED = json.dumps({"event": "connected", "protocol": "Call", "version": "1.0.0"})
PAYLOAD = base64.b64encode(b"\xff" * 160).decode()


def forged_start(n: int) -> str:
    sid = f"MZhostile{n:06d}"
    return json.dumps({
        "event": "start", "sequenceNumber": "1", "streamSid": sid,
        "start": {"streamSid": sid, "accountSid": "AC" + "e" * 32, "callSid": f"CA{n:032d}",
                  "tracks": ["inbound"],
                  "customParameters": {"creditor": "acme-telecom", "account": "100200",
                                       "token": f"{int(time.time()) + 60}.forged"},
                  "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000,
                                  "channels": 1}}})


def media(n: int) -> str:
    return json.dumps({"event": "media", "streamSid": "MZhostile",
                       "media": {"track": "inbound", "chunk": str(n), "timestamp": str(20 * n),
                                 "payload": PAYLOAD}})


JUNK: list[str | bytes] = ["{this is not json", b"\x00\x01\x02", "[" * 5000 + "]" * 5000,
                           json.dumps({"event": "media", "media": {"payload": "A" * 30_000}}),
                           json.dumps({"event": ["start"]}), "null"]


class Crowd:
    def __init__(self, url: str, until: float) -> None:
        self.url = url
        self.http = url.replace("ws://", "http://", 1).removesuffix("/twilio/stream")
        self.until = until
        self.report: dict[str, collections.Counter] = collections.defaultdict(
            collections.Counter)
        self.n = 0

    async def stream(self, kind: str, body) -> None:  # type: ignore[no-untyped-def]
        while time.monotonic() < self.until:
            self.n += 1
            try:
                async with connect(self.url, max_size=None, open_timeout=5,
                                   local_addr=(SOURCE, 0)) as ws:
                    self.report[kind]["opened"] += 1
                    await body(ws, self.n)
            except ConnectionClosed as closed:
                self.report[kind][str(closed.rcvd.code if closed.rcvd else None)] += 1
            except (InvalidStatus, OSError, TimeoutError) as exc:
                self.report[kind][type(exc).__name__] += 1
            except Exception as exc:  # whatever the server did, the crowd goes on
                self.report[kind][type(exc).__name__] += 1
            await asyncio.sleep(0.05)

    async def silent(self, ws, n: int) -> None:  # type: ignore[no-untyped-def]
        if n % 2:
            await ws.send(CONNECTED)
        await ws.recv()  # until the server closes it

    async def forged(self, ws, n: int) -> None:  # type: ignore[no-untyped-def]
        await ws.send(CONNECTED)
        await ws.send(forged_start(n))
        for i in range(100_000):
            await ws.send(media(i))

    async def junk(self, ws, n: int) -> None:  # type: ignore[no-untyped-def]
        await ws.send(CONNECTED)
        await ws.send(JUNK[n % len(JUNK)])
        await ws.recv()

    async def webhooks(self) -> None:
        transport = httpx.AsyncHTTPTransport(local_address=SOURCE)
        async with httpx.AsyncClient(transport=transport, timeout=5) as client:
            while time.monotonic() < self.until:
                try:
                    forged = await client.post(f"{self.http}/twilio/voice",
                                               data={"CallSid": "CA1", "From": "+15550000000"},
                                               headers={"X-Twilio-Signature": "Zm9yZ2Vk"})
                    self.report["webhooks"][str(forged.status_code)] += 1
                    big = await client.post(f"{self.http}/agent/login",
                                            content=b"agent=x&token=" + b"A" * 200_000,
                                            headers={"Content-Type":
                                                     "application/x-www-form-urlencoded"})
                    self.report["bodies"][str(big.status_code)] += 1
                except httpx.HTTPError as exc:
                    self.report["webhooks"][type(exc).__name__] += 1
                await asyncio.sleep(0.05)

    async def run(self, out: str) -> None:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, lambda: (self.save(out), sys.exit(0)))
        tasks = [self.stream("silent", self.silent) for _ in range(12)]
        tasks += [self.stream("forged", self.forged) for _ in range(3)]
        tasks += [self.stream("junk", self.junk) for _ in range(3)]
        tasks += [self.webhooks()]
        await asyncio.gather(*tasks)
        self.save(out)

    def save(self, out: str) -> None:
        with open(out, "w") as fh:
            json.dump({k: dict(v) for k, v in self.report.items()}, fh)


def main() -> None:
    url, seconds, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    asyncio.run(Crowd(url, time.monotonic() + seconds).run(out))


if __name__ == "__main__":
    main()
