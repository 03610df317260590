"""Hand-offs on Asterisk: the Asterisk REST Interface (ARI) moves the caller to a person.

The service cannot move a call that reaches it over AudioSocket or chan_websocket: it
only holds the media. What it can do is hang up its leg, and the dialplan goes on
after ``AudioSocket()`` (or ``Dial(WebSocket/...)``). There the dialplan hands the
caller to the service's Stasis application, naming the call::

    same => n,AudioSocket(${ID},127.0.0.1:9092)
    same => n,Stasis(voicebot,${ID})
    same => n,Hangup()

When the session hands off it tells this module first (``transfer``: the call id is
expected), then hangs up its leg. The caller arrives in Stasis (``StasisStart`` with
the call id as its argument) and:

- ``agent`` mode (the default): the caller hears ringing while the packet waits on the
  desktop. The agent who accepts it is called at their Asterisk address
  (``alice:PJSIP/alice`` in ``VOICEBOT_AGENT_ADDRESSES``), into the same application;
  when the agent answers, both are put in a bridge of the hand-off's own. The agent not
  answering, busy or declining puts the packet back for another agent; nobody taking it
  in ``VOICEBOT_HANDOFF_FALLBACK_SECONDS`` sends the caller on to the fallback.
- ``queue`` mode: the caller goes on at once to the operator's queue
  (``VOICEBOT_ASTERISK_QUEUE``, a ``context,extension,priority``), with the hand-off's
  id in the channel variable ``VOICEBOT_HANDOFF``; the queue's own timeout is the
  fallback.

Every caller leaving the application on the service's word carries ``VOICEBOT_HANDOFF``
and ``VOICEBOT_HANDOFF_RESULT`` (``queue``, ``fallback``, ``none`` for a call that
ended without a hand-off): the fallback is the dialplan after ``Stasis()``, or
``VOICEBOT_ASTERISK_FALLBACK``, where a voicemail or a message takes over.

The agent's call is the connector's (``voicebot.handoff.connect``): this module is its
``AgentCaller`` and reports the agent's answer and hang-up, and the caller's hang-up, to
it as Twilio's webhooks do in conference mode.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus, WebSocketException

from voicebot.clock import Clock, SystemClock
from voicebot.errors import ConfigError, EngineError
from voicebot.handoff.agents import AgentAddress, Reach
from voicebot.handoff.connect import AgentConnector
from voicebot.handoff.packet import HandoffPacket
from voicebot.handoff.store import HandoffError, HandoffStore
from voicebot.handoff.transfer import TransferResult

log = logging.getLogger(__name__)

HANDOFF_VARIABLE = "VOICEBOT_HANDOFF"
RESULT_VARIABLE = "VOICEBOT_HANDOFF_RESULT"
AGENT_ARG = "agent"
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
_LOCATION = re.compile(r"^[A-Za-z0-9_.+-]{1,80}(,[A-Za-z0-9_.+#*-]{1,80}(,[0-9]{1,5}|,"
                       r"[A-Za-z_][A-Za-z0-9_]{0,40})?)?$")
# Q.850 causes for an agent's call that ended before it was answered.
_UNANSWERED = {17: "busy", 18: "no-answer", 19: "no-answer", 21: "busy"}
RECONNECT_SECONDS = (0.5, 1, 2, 5)
# A caller expected in Stasis who has not arrived by then never will.
NEVER_ARRIVED_SECONDS = 600.0


class AriError(EngineError):
    """Asterisk refused an ARI request or could not be reached."""

    def __init__(self, message: str, *, status: int | None = None,
                 retryable: bool | None = None) -> None:
        super().__init__(message, retryable=retryable)
        self.status = status


@dataclass(frozen=True)
class DialplanLocation:
    """``context[,extension[,priority or label]]``: where a caller goes on."""

    context: str
    extension: str | None = None
    priority: str | None = None

    @classmethod
    def parse(cls, text: str, setting: str) -> DialplanLocation:
        text = text.strip()
        if not _LOCATION.match(text):
            raise ConfigError(f"{setting}: {text!r} is not context[,extension[,priority]] "
                              "(e.g. agents,s,1)")
        context, extension, priority = [*text.split(","), None, None][:3]
        return cls(context, extension, priority)

    def params(self) -> dict[str, str]:
        out = {"context": self.context}
        if self.extension:
            out["extension"] = self.extension
        if self.priority:
            out["label" if not self.priority.isdigit() else "priority"] = self.priority
        return out


class AriClient:
    """The few ARI requests the hand-offs need, and the application's event stream."""

    def __init__(self, url: str, user: str, password: str, app: str, *,
                 timeout: float = 5.0, client: httpx.AsyncClient | None = None) -> None:
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"VOICEBOT_ASTERISK_ARI_URL {url!r} is not http(s)://host:port/ari")
        self.url = url.rstrip("/")
        self.app = app
        self._auth = (user, password)
        self._client = client or httpx.AsyncClient(timeout=timeout)
        self._owned = client is None

    @property
    def events_url(self) -> str:
        scheme, rest = self.url.split("://", 1)
        return (f"{'wss' if scheme == 'https' else 'ws'}://{rest}/events?app={self.app}"
                "&subscribeAll=false")

    def authorization(self) -> str:
        token = base64.b64encode(":".join(self._auth).encode()).decode()
        return f"Basic {token}"

    async def request(self, method: str, path: str, **params: str) -> httpx.Response:
        try:
            response = await self._client.request(method, f"{self.url}{path}", params=params,
                                                  auth=self._auth)
        except httpx.HTTPError as exc:
            raise AriError(f"could not reach Asterisk's ARI for {method} {path}: "
                           f"{type(exc).__name__}: {exc}", retryable=True) from exc
        if response.is_success:
            return response
        detail = response.text[:200]
        with contextlib.suppress(ValueError, AttributeError):
            detail = response.json().get("message") or detail
        raise AriError(f"ARI {method} {path}: HTTP {response.status_code}: {detail}",
                       status=response.status_code, retryable=response.status_code >= 500)

    async def ping(self) -> None:
        await self.request("GET", "/asterisk/ping")

    async def aclose(self) -> None:
        if self._owned:
            await self._client.aclose()


@dataclass
class _Caller:
    """A caller handed to Stasis (or expected there) for a hand-off."""

    handoff_id: str
    call_id: str
    channel: str | None = None  # the ARI channel id, once arrived
    released: bool = False  # sent on by the service: its StasisEnd is no hang-up
    agent_channel: str | None = None  # the agent bridged with the caller
    expected_at: float = 0.0  # on the hand-offs' clock
    ringing: bool = False  # the caller hears ringing
    bridged: bool = False  # the hand-off's bridge exists

    @property
    def bridge(self) -> str:
        return f"voicebot-{self.handoff_id}"


class AsteriskHandoffs:
    """The ``Transfer`` of Asterisk calls and the ``AgentCaller`` of their connector."""

    def __init__(self, ari: AriClient, store: HandoffStore,
                 addresses: Mapping[str, AgentAddress], *,
                 mode: Literal["agent", "queue"] = "agent",
                 queue: DialplanLocation | None = None,
                 fallback_to: DialplanLocation | None = None,
                 dial_timeout: int = 30, caller_id: str = "voicebot",
                 clock: Clock | None = None) -> None:
        if mode == "queue" and queue is None:
            raise ConfigError("VOICEBOT_ASTERISK_HANDOFF=queue needs VOICEBOT_ASTERISK_QUEUE "
                              "(context,extension,priority of the agents' queue)")
        reachable = {name: a for name, a in addresses.items() if a.reach is Reach.ASTERISK}
        if mode == "agent" and not reachable:
            raise ConfigError("Asterisk hand-offs call the agent who accepts: set "
                              "VOICEBOT_AGENT_ADDRESSES with Asterisk dial strings, e.g. "
                              '"alice:PJSIP/alice", or VOICEBOT_ASTERISK_HANDOFF=queue')
        self.ari = ari
        self.store = store
        self.mode = mode
        self.queue = queue
        self.fallback_to = fallback_to
        self.dial_timeout = dial_timeout
        self.caller_id = caller_id
        self._clock = clock or SystemClock()
        self.connector = AgentConnector(store, self, reachable)
        self._by_call: dict[str, _Caller] = {}  # the session's call id -> caller
        self._by_handoff: dict[str, _Caller] = {}
        self._agents: dict[str, tuple[str, str]] = {}  # agent channel -> (hand-off, attempt)
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self.last_error: str | None = None

    # -- running ----------------------------------------------------------------------------

    def start(self) -> None:
        """Listen to the application's events (reconnecting for as long as it runs)."""
        if self._task is None:
            self._task = asyncio.create_task(self._listen(), name="asterisk-ari-events")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.ari.aclose()

    def owns(self, handoff_id: str) -> bool:
        """Whether ``handoff_id``'s caller came through Asterisk (this run)."""
        return handoff_id in self._by_handoff

    def status(self) -> str:
        return "ok" if self.connected.is_set() else (self.last_error or "connecting")

    async def _listen(self) -> None:
        failures = 0
        while True:
            try:
                async with connect(self.ari.events_url, open_timeout=10,
                                   additional_headers={"Authorization":
                                                       self.ari.authorization()}) as ws:
                    failures = 0
                    self.connected.set()
                    self.last_error = None
                    log.info("ARI: application %s registered at %s", self.ari.app, self.ari.url)
                    await self.adopt_orphans()
                    async for message in ws:
                        try:
                            event = json.loads(message)
                        except (json.JSONDecodeError, TypeError):
                            log.warning("ARI: an event that is not JSON: %.80r", message)
                            continue
                        if isinstance(event, dict):
                            await self.on_event(event)
            except asyncio.CancelledError:
                raise
            except (OSError, WebSocketException, TimeoutError) as exc:
                detail = (f"HTTP {exc.response.status_code}" if isinstance(exc, InvalidStatus)
                          else f"{type(exc).__name__}: {exc}")
                self.last_error = f"ARI events: {detail}"
                if failures == 0:
                    log.warning("ARI: no event stream from %s (%s); retrying", self.ari.url,
                                detail)
            except Exception:
                self.last_error = "ARI events: unexpected failure"
                log.exception("ARI: the event stream failed")
            self.connected.clear()
            await self._clock.sleep(RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)])
            failures += 1

    async def adopt_orphans(self) -> None:
        """Callers left in the application by an earlier run of the service (it stopped
        while they held) are sent on to the fallback; agents' calls it left are hung up.
        Nobody is left ringing for a hand-off this run knows nothing of."""
        try:
            response = await self.ari.request("GET", f"/applications/{self.ari.app}")
            held = response.json().get("channel_ids") or []
        except (AriError, ValueError, AttributeError) as exc:
            log.warning("ARI: could not list the application's channels: %s", exc)
            return
        known = {c.channel for c in self._by_handoff.values()} | set(self._agents)
        for channel in (str(c) for c in held if str(c) not in known):
            try:
                if channel.startswith("voicebot-agent-"):
                    await self._hang_up(channel)
                else:
                    await self._set(channel, RESULT_VARIABLE, "fallback")
                    await self.ari.request("POST", f"/channels/{channel}/continue",
                                           **(self.fallback_to.params() if self.fallback_to
                                              else {}))
                log.warning("ARI: channel %s was left in %s by an earlier run; sent on",
                            channel, self.ari.app)
            except AriError as exc:
                log.warning("ARI: channel %s left by an earlier run: %s", channel, exc)

    # -- the Transfer protocol ------------------------------------------------------------------

    def expect(self, handoff_id: str, call_id: str) -> None:
        """A hand-off was opened for ``call_id`` (its last words are being said): an agent
        who accepts it from now on is called for that caller."""
        now = self._clock.now()
        for stale in [c for c in self._by_handoff.values()
                      if c.channel is None and now - c.expected_at > NEVER_ARRIVED_SECONDS]:
            self._forget(stale)  # hung up during the bot's last words: never in Stasis
        if handoff_id not in self._by_handoff:
            caller = _Caller(handoff_id, call_id, expected_at=now)
            self._by_call[call_id] = caller
            self._by_handoff[handoff_id] = caller

    async def transfer(self, packet: HandoffPacket, *, call_sid: str) -> TransferResult:
        """The caller is expected in Stasis once the session hangs up its leg."""
        started = time.perf_counter()
        self.expect(packet.id, call_sid)
        log.info("hand-off %s: call %s expected in Stasis(%s) (%s)", packet.id, call_sid,
                 self.ari.app, self.mode)
        return TransferResult(
            handoff_id=packet.id, call_sid=call_sid, action=f"asterisk-{self.mode}", twiml="",
            status_code=202, call_status=None,
            elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
            watch=self.mode == "agent")

    async def fallback(self, packet: HandoffPacket, *, call_sid: str) -> TransferResult:
        """Nobody took the caller: they go on in the dialplan (``VOICEBOT_HANDOFF_RESULT``
        is ``fallback``)."""
        started = time.perf_counter()
        caller = self._by_handoff.get(packet.id)
        if caller is None or caller.channel is None:
            if caller is not None:
                self._forget(caller)
            raise AriError(f"the caller of hand-off {packet.id} never reached Stasis"
                           f"({self.ari.app}): does the dialplan run it after the bot?",
                           retryable=False)
        await self._send_on(caller, "fallback", self.fallback_to)
        log.info("hand-off %s: caller %s sent on to the fallback", packet.id, caller.channel)
        return TransferResult(
            handoff_id=packet.id, call_sid=call_sid, action="fallback", twiml="",
            status_code=204, call_status=None,
            elapsed_ms=round((time.perf_counter() - started) * 1000, 1), watch=False)

    # -- the AgentCaller protocol ---------------------------------------------------------------

    async def call_agent(self, packet: HandoffPacket, address: AgentAddress,
                         attempt: str) -> str:
        if address.reach is not Reach.ASTERISK:
            raise AriError(f"agent {address.agent} has no Asterisk address", retryable=False)
        channel = f"voicebot-agent-{attempt}"
        self._agents[channel] = (packet.id, attempt)
        try:
            await self.ari.request(
                "POST", "/channels", endpoint=address.target, app=self.ari.app,
                appArgs=f"{AGENT_ARG},{packet.id},{attempt}", channelId=channel,
                timeout=str(self.dial_timeout), callerId=self.caller_id)
        except AriError:
            self._agents.pop(channel, None)
            raise
        log.info("hand-off %s: calling agent %s at %s (channel %s)", packet.id, address.agent,
                 address.target, channel)
        return channel

    async def end_agent_call(self, call_sid: str, *, ringing: bool, language: str) -> None:
        await self._hang_up(call_sid)

    # -- events -----------------------------------------------------------------------------------

    async def on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        channel = event.get("channel") if isinstance(event.get("channel"), dict) else {}
        channel_id = str(channel.get("id", ""))
        try:
            if kind == "StasisStart":
                args = [str(a) for a in event.get("args") or []]
                if args[:1] == [AGENT_ARG]:
                    await self._agent_answered(channel_id, args[1:])
                else:
                    await self._caller_arrived(channel_id, args)
            elif kind in ("StasisEnd", "ChannelDestroyed"):
                cause = event.get("cause")
                await self._gone(channel_id, cause if isinstance(cause, int) else None)
        except AriError as exc:
            log.warning("ARI: %s while handling %s of %s", exc, kind, channel_id or "-")

    async def _caller_arrived(self, channel: str, args: list[str]) -> None:
        key = args[0] if args else channel
        caller = self._by_call.get(key) or self._by_call.get(channel)
        if caller is None:
            # A call that ended without a hand-off: the dialplan goes on.
            await self._set(channel, RESULT_VARIABLE, "none")
            await self.ari.request("POST", f"/channels/{channel}/continue")
            return
        caller.channel = channel
        await self._set(channel, HANDOFF_VARIABLE, caller.handoff_id)
        log.info("hand-off %s: caller %s in Stasis", caller.handoff_id, channel)
        if self.mode == "queue":
            await self._send_on(caller, "queue", self.queue)
            return
        packet = self._packet(caller.handoff_id)
        if packet is not None and packet.status in ("fallback", "abandoned", "completed"):
            await self._send_on(caller, "fallback", self.fallback_to)
            return
        await self.ari.request("POST", f"/channels/{channel}/ring")
        caller.ringing = True
        # An agent who answered before the caller got here waits in the bridge.
        await self._bridge(caller)

    async def _agent_answered(self, channel: str, args: list[str]) -> None:
        handoff_id, attempt = [*args, "", ""][:2]
        self._agents.setdefault(channel, (handoff_id, attempt))
        leg = self.connector.answered(handoff_id, attempt)
        caller = self._by_handoff.get(handoff_id)
        if leg.action == "stale" or caller is None or caller.released:
            log.info("hand-off %s: agent channel %s answered, but the caller is not waiting "
                     "for it (%s)", handoff_id, channel, leg.action)
            await self._hang_up(channel)
            return
        if leg.action == "caller_gone":
            await self._hang_up(channel)
            return
        caller.agent_channel = channel
        await self._bridge(caller)

    async def _bridge(self, caller: _Caller) -> None:
        """Both in the hand-off's bridge once both are here; the agent is connected."""
        if caller.channel is None or caller.agent_channel is None:
            return
        await self.ari.request("POST", "/bridges", type="mixing", bridgeId=caller.bridge,
                               name=caller.bridge)
        caller.bridged = True
        await self.ari.request("POST", f"/bridges/{caller.bridge}/addChannel",
                               channel=f"{caller.channel},{caller.agent_channel}")
        await self._stop_ringing(caller)
        self.connector.joined(caller.handoff_id, caller.agent_channel)
        log.info("hand-off %s: caller %s bridged with agent channel %s", caller.handoff_id,
                 caller.channel, caller.agent_channel)

    async def _gone(self, channel: str, cause: int | None) -> None:
        if channel in self._agents:
            handoff_id, attempt = self._agents.pop(channel)
            caller = self._by_handoff.get(handoff_id)
            connected = caller is not None and caller.agent_channel == channel
            status = "completed" if connected or cause is None else \
                _UNANSWERED.get(cause, "completed" if cause == 16 else "failed")
            self.connector.call_status(handoff_id, attempt, status, channel)
            if connected and caller is not None:
                caller.agent_channel = None
                if caller.channel is not None and not caller.released:
                    caller.released = True  # the conversation is over: so is the call
                    await self._hang_up(caller.channel)
                await self._end(caller)
            return
        caller = next((c for c in self._by_handoff.values() if c.channel == channel), None)
        if caller is None:
            return
        if not caller.released:
            caller.released = True
            packet = self._packet(caller.handoff_id)
            call_id = packet.call_id if packet is not None else caller.call_id
            await self.connector.left(caller.handoff_id, call_id)
            if caller.agent_channel is not None:
                await self._hang_up(caller.agent_channel)
        await self._end(caller)

    # -- helpers ----------------------------------------------------------------------------------

    async def _send_on(self, caller: _Caller, result: str,
                       where: DialplanLocation | None) -> None:
        assert caller.channel is not None
        caller.released = True
        await self._set(caller.channel, RESULT_VARIABLE, result)
        await self._stop_ringing(caller)
        await self.ari.request("POST", f"/channels/{caller.channel}/continue",
                               **(where.params() if where else {}))
        await self._end(caller)

    async def _end(self, caller: _Caller) -> None:
        """The hand-off's bridge goes; the caller is forgotten once nothing follows."""
        if caller.bridged:
            caller.bridged = False
            with contextlib.suppress(AriError):
                await self.ari.request("DELETE", f"/bridges/{caller.bridge}")
        if caller.agent_channel is None:
            # Gone from Stasis with nobody bridged: nothing is left for this module to do
            # (an agent who accepts it now calls the person back).
            self._forget(caller)

    def _forget(self, caller: _Caller) -> None:
        if self._by_call.get(caller.call_id) is caller:
            del self._by_call[caller.call_id]
        if self._by_handoff.get(caller.handoff_id) is caller:
            del self._by_handoff[caller.handoff_id]

    async def _stop_ringing(self, caller: _Caller) -> None:
        if caller.ringing and caller.channel is not None:
            caller.ringing = False
            with contextlib.suppress(AriError):
                await self.ari.request("DELETE", f"/channels/{caller.channel}/ring")

    async def _set(self, channel: str, variable: str, value: str) -> None:
        await self.ari.request("POST", f"/channels/{channel}/variable", variable=variable,
                               value=value)

    async def _hang_up(self, channel: str) -> None:
        try:
            await self.ari.request("DELETE", f"/channels/{channel}", reason="normal")
        except AriError as exc:
            if exc.status != 404:
                raise

    def _packet(self, handoff_id: str) -> HandoffPacket | None:
        try:
            return self.store.get(handoff_id)
        except HandoffError:
            return None


def parse_location(text: str | None, setting: str) -> DialplanLocation | None:
    return DialplanLocation.parse(text, setting) if text else None
