"""Moving a live call from the bot to a person, and the fallback when nobody comes.

``Transfer`` is what the call session needs; ``TwilioTransfer`` does it through
Twilio's REST API by replacing the call's TwiML (``POST .../Calls/{CallSid}.json``
with ``Twiml=``), which also ends the media stream. An Asterisk transfer would
implement the same two methods.

In conference mode the caller holds in a conference of the hand-off's own, and
``TwilioTransfer`` is also the ``AgentCaller`` of ``voicebot.handoff.connect``: it
places the call to the agent who accepted (``POST .../Calls.json``) and ends it
when the caller is gone first.

``FallbackPolicy`` watches a waiting hand-off: if no agent accepts it in time,
it marks the packet ``fallback`` and moves the caller out of the queue to a
message that offers a callback and takes a message, so nobody waits forever.
"In time" is on the injected clock, so a test passes the minute instead of waiting it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

import httpx

from voicebot.clock import Clock, SystemClock
from voicebot.errors import ConfigError, EngineError
from voicebot.handoff import twiml
from voicebot.handoff.agents import AgentAddress, Reach
from voicebot.handoff.packet import HandoffPacket
from voicebot.handoff.store import HandoffError, HandoffStateError, HandoffStore, Subscription

log = logging.getLogger(__name__)

_SID = re.compile(r"^[A-Za-z0-9]{2,64}$")
# Twilio's error for updating a call that has already ended.
CALL_NOT_IN_PROGRESS = 21220


@dataclass(frozen=True)
class TransferResult:
    handoff_id: str
    call_sid: str
    action: str  # "enqueue", "dial", "conference" or "fallback"
    twiml: str
    status_code: int
    call_status: str | None  # the call's status in the carrier's answer
    elapsed_ms: float
    watch: bool  # whether the service should run the no-agent fallback timer


@runtime_checkable
class Transfer(Protocol):
    async def transfer(self, packet: HandoffPacket, *, call_sid: str) -> TransferResult:
        """Take the call from the bot to the agents. Raises EngineError."""
        ...

    async def fallback(self, packet: HandoffPacket, *, call_sid: str) -> TransferResult:
        """Nobody took it: offer a callback / take a message. Raises EngineError."""
        ...


class TwilioError(EngineError):
    """Twilio refused or could not be reached; ``code`` is Twilio's error code."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None,
                 retryable: bool | None = None) -> None:
        super().__init__(message, retryable=retryable)
        self.status = status
        self.code = code


class TwilioTransfer:
    """Queue (``<Enqueue>``), dial (``<Dial>``) or hold in a conference for the agent who
    accepts (``conference``), by updating the live call.

    ``status_callback_url`` is the absolute base of the hand-off webhooks (e.g.
    ``https://bot.example.com/twilio/handoff``, see ``build_handoff_webhooks``):
    with it Twilio reports the queue or dial result, the wait music plays and
    a message can be recorded; dial and conference modes need it.
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        api_base: str = "https://api.twilio.com",
        mode: Literal["enqueue", "dial", "conference"] = "enqueue",
        queue_name: str = "voicebot-handoffs",
        dial_number: str | None = None,
        dial_timeout: int = 30,
        caller_id: str | None = None,
        status_callback_url: str | None = None,
        workflow_sid: str | None = None,
        hold_music_url: str | None = None,
        hold_message: bool = True,
        max_message_seconds: int = 120,
        timeout: float = 10.0,
        retries: int = 1,
        client: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
    ) -> None:
        """``clock`` paces the retries (the system clock by default)."""
        if not account_sid or not auth_token:
            raise ConfigError("a Twilio transfer needs the account SID and the auth token")
        if mode not in ("enqueue", "dial", "conference"):
            raise ConfigError(f"transfer mode must be enqueue, dial or conference, not {mode!r}")
        if mode == "dial" and not dial_number:
            raise ConfigError("dial mode needs the number (or sip:/client: address) to dial")
        if mode in ("dial", "conference") and not status_callback_url:
            raise ConfigError(f"{mode} mode needs status_callback_url (the public https:// base "
                              "of /twilio/handoff) to learn whether an agent answered")
        if status_callback_url and not status_callback_url.startswith(("https://", "http://")):
            raise ConfigError("status_callback_url must be absolute (Twilio error 15004)")
        if len(queue_name) > 64:
            raise ConfigError("a Twilio queue name has at most 64 characters")
        self.account_sid = account_sid
        self._auth = (account_sid, auth_token)
        self.api_base = api_base.rstrip("/")
        self.mode = mode
        self.queue_name = queue_name
        self.dial_number = dial_number
        self.dial_timeout = dial_timeout
        self.caller_id = caller_id
        self.callbacks = status_callback_url.rstrip("/") if status_callback_url else None
        self.workflow_sid = workflow_sid
        self.hold_music_url = hold_music_url
        self.hold_message = hold_message
        self.max_message_seconds = max_message_seconds
        self.retries = retries
        self._clock = clock or SystemClock()
        self._owned = client is None
        self._client = client or httpx.AsyncClient(timeout=timeout)

    # -- TwiML ---------------------------------------------------------------------

    def _url(self, path: str, packet: HandoffPacket) -> str | None:
        if not self.callbacks:
            return None
        return twiml.callback_url(self.callbacks, path, packet.id, language=packet.language)

    def transfer_twiml(self, packet: HandoffPacket) -> str:
        if self.mode == "conference":
            assert self.callbacks is not None
            return twiml.conference_hold(
                packet.id, language=packet.language,
                action_url=self._url("conference-result", packet) or "",
                events_url=twiml.callback_url(self.callbacks, "conference-events", packet.id),
                wait_url=self._url("wait", packet) if self.hold_music_url else None,
                hold_message=self.hold_message)
        if self.mode == "dial":
            assert self.dial_number is not None
            return twiml.dial(self.dial_number, language=packet.language,
                              timeout=self.dial_timeout,
                              action_url=self._url("dial-result", packet) or "",
                              whisper_url=self._url("whisper", packet),
                              caller_id=self.caller_id, hold_message=self.hold_message)
        return twiml.enqueue(
            self.queue_name, packet.id, language=packet.language, call_id=packet.call_id,
            reason=packet.reason, action_url=self._url("queue-result", packet),
            wait_url=self._url("wait", packet) if self.hold_music_url else None,
            workflow_sid=self.workflow_sid, hold_message=self.hold_message)

    def fallback_twiml(self, packet: HandoffPacket) -> str:
        return twiml.fallback(language=packet.language,
                              record_action_url=self._url("message", packet),
                              max_message_seconds=self.max_message_seconds)

    # -- the Transfer protocol -----------------------------------------------------------

    async def transfer(self, packet: HandoffPacket, *, call_sid: str) -> TransferResult:
        result = await self._update(packet, call_sid, self.mode, self.transfer_twiml(packet))
        where = {"enqueue": f"queue {self.queue_name}", "dial": "dialled agent",
                 "conference": "its hold conference"}[self.mode]
        log.info("hand-off %s: call %s moved to %s in %.0f ms", packet.id, call_sid, where,
                 result.elapsed_ms)
        return result

    async def fallback(self, packet: HandoffPacket, *, call_sid: str) -> TransferResult:
        result = await self._update(packet, call_sid, "fallback", self.fallback_twiml(packet))
        log.info("hand-off %s: call %s moved to the fallback message", packet.id, call_sid)
        return result

    async def update_call(self, call_sid: str, document: str) -> httpx.Response:
        """Replace the live call's TwiML; the answer, or TwilioError."""
        if len(document) > twiml.MAX_TWIML_CHARS:
            raise TwilioError(f"TwiML of {len(document)} characters is over Twilio's "
                              f"{twiml.MAX_TWIML_CHARS}", retryable=False)
        return await self._post_call(call_sid, {"Twiml": document})

    # -- the agent who accepted (conference mode) ------------------------------------------

    @property
    def calls_agents(self) -> bool:
        """Whether the agent who accepts a waiting hand-off is called by the service."""
        return self.mode == "conference"

    def agent_call_form(self, packet: HandoffPacket, address: AgentAddress,
                        attempt: str) -> dict[str, str | list[str]]:
        """``POST .../Calls.json``'s form to call ``address`` for ``packet``: Twilio asks
        ``agent-answer`` for its TwiML when the agent picks up (the summary, then the
        caller's conference) and reports the call's progress to ``agent-status``."""
        assert self.callbacks is not None
        query = {"attempt": attempt}
        if address.reach is Reach.PHONE:
            if not self.caller_id:
                raise TwilioError(f"agent {address.agent} is at a phone number: calling it "
                                  "needs a caller id (a Twilio number)", retryable=False)
            sender = self.caller_id
        elif address.reach is Reach.CLIENT:
            sender = self.caller_id or AGENT_CALLER_CLIENT
        else:
            sender = self.caller_id or AGENT_CALLER_NAME
        return {
            "To": address.to(packet.id),
            "From": sender,
            "Url": twiml.callback_url(self.callbacks, "agent-answer", packet.id, **query),
            "Method": "POST",
            "StatusCallback": twiml.callback_url(self.callbacks, "agent-status", packet.id,
                                                 **query),
            "StatusCallbackMethod": "POST",
            "StatusCallbackEvent": list(AGENT_CALL_EVENTS),  # one parameter each
            "Timeout": str(int(self.dial_timeout)),
        }

    async def call_agent(self, packet: HandoffPacket, address: AgentAddress,
                         attempt: str) -> str:
        """Call the agent who accepted ``packet``; their call's SID, or TwilioError.

        A new call is not idempotent: it is tried again only when Twilio surely did
        not take the first request (no connection, or 429/503 "try later")."""
        url = f"{self.api_base}/2010-04-01/Accounts/{self.account_sid}/Calls.json"
        response = await self._post(url, self.agent_call_form(packet, address, attempt),
                                    what=f"call agent {address.agent}", idempotent=False)
        sid = None
        with contextlib.suppress(ValueError, AttributeError):
            sid = response.json().get("sid")
        if not isinstance(sid, str) or not _SID.match(sid):
            raise TwilioError(f"Twilio's answer to calling agent {address.agent} has no call "
                              "SID", retryable=False)
        log.info("hand-off %s: calling agent %s (%s), call %s", packet.id, address.agent,
                 address.reach, sid)
        return sid

    async def end_agent_call(self, call_sid: str, *, ringing: bool, language: str) -> None:
        """The caller is gone: stop the agent's call (cancel it while it rings; once
        answered, tell the agent and hang up). A call already over is not an error."""
        data = ({"Status": "canceled"} if ringing else
                {"Twiml": twiml.goodbye(language, "agent_caller_gone")})
        try:
            await self._post_call(call_sid, data)
        except TwilioError as exc:
            if exc.code != CALL_NOT_IN_PROGRESS and exc.status != 404:
                raise

    async def _post_call(self, call_sid: str, data: dict[str, str | list[str]]
                         ) -> httpx.Response:
        if not _SID.match(call_sid or ""):
            raise TwilioError(f"not a Twilio call SID: {call_sid!r}", retryable=False)
        url = f"{self.api_base}/2010-04-01/Accounts/{self.account_sid}/Calls/{call_sid}.json"
        return await self._post(url, data, what=f"update call {call_sid}", call_sid=call_sid)

    async def _post(self, url: str, data: dict[str, str | list[str]], *,
                    what: str, call_sid: str = "", idempotent: bool = True) -> httpx.Response:
        """POST ``data`` to Twilio, trying again (``retries`` times) when that may help."""
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._client.post(url, data=data,
                                                   auth=self._auth,
                                                   headers={"Accept": "application/json"})
            except httpx.HTTPError as exc:
                sent = not isinstance(exc, httpx.ConnectError)
                error = TwilioError(f"could not reach Twilio to {what}: "
                                    f"{type(exc).__name__}: {exc}",
                                    retryable=idempotent or not sent)
            else:
                if response.is_success:
                    return response
                error = _error_from(response, call_sid)
                if not idempotent and response.status_code not in (429, 503):
                    error.retryable = False
            if not error.retryable or attempt > self.retries:
                raise error
            log.warning("%s; trying again", error)
            await self._clock.sleep(0.25 * attempt)

    async def _update(self, packet: HandoffPacket, call_sid: str, action: str,
                      document: str) -> TransferResult:
        started = time.perf_counter()
        response = await self.update_call(call_sid, document)
        call_status = None
        with contextlib.suppress(ValueError, AttributeError):
            call_status = response.json().get("status")
        return TransferResult(
            handoff_id=packet.id, call_sid=call_sid, action=action, twiml=document,
            status_code=response.status_code, call_status=call_status,
            elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
            watch=action in ("enqueue", "conference"),
        )

    async def aclose(self) -> None:
        if self._owned:
            await self._client.aclose()


# The agent's call reports each step: ringing, answered, and how it ended.
AGENT_CALL_EVENTS = ("initiated", "ringing", "answered", "completed")
# Who calls an agent when no caller id is set: a client name, or a SIP user.
AGENT_CALLER_CLIENT = "client:voicebot"
AGENT_CALLER_NAME = "voicebot"


def _error_from(response: httpx.Response, call_sid: str) -> TwilioError:
    status = response.status_code
    code: int | None = None
    detail = response.text[:200]
    with contextlib.suppress(ValueError, AttributeError):
        body = response.json()
        code = body.get("code")
        detail = body.get("message") or detail
    if status in (401, 403):
        what = "Twilio rejected the account SID or auth token"
    elif status == 404 and call_sid:
        what = f"Twilio has no call {call_sid} on this account"
    elif not call_sid:
        what = "Twilio refused to place the call"
    elif code == CALL_NOT_IN_PROGRESS:
        what = f"call {call_sid} has already ended"
    else:
        what = f"Twilio refused to update call {call_sid}"
    suffix = f" (HTTP {status}{f', error {code}' if code else ''}): {detail}"
    retryable = status == 429 or status >= 500
    return TwilioError(what + suffix, status=status, code=code, retryable=retryable)


class FallbackPolicy:
    """After ``timeout`` seconds without an agent, move the caller to the fallback.

    ``start`` runs ``watch`` as a task the policy owns (``aclose`` cancels them).
    The packet is marked ``fallback`` before the call is touched, so an agent who
    accepts at the last moment keeps the call and the fallback does not happen.
    The seconds are counted on ``clock`` (the store's unless given): the deadline
    passes when that clock says so, and a change in the store ends the wait early.

    In conference mode an accepted packet is taken only once its agent joins the
    caller: while the agent's phone rings the watch goes on, past the deadline if need
    be, and if the agent does not take the call (the packet waits again) a deadline
    already passed sends the caller to the fallback at once.
    """

    def __init__(self, store: HandoffStore, transfer: Transfer, *, timeout: float = 60.0,
                 poll: float = 5.0,
                 on_outcome: Callable[[str, str], Awaitable[None] | None] | None = None,
                 clock: Clock | None = None) -> None:
        self._store = store
        self._transfer = transfer
        self.timeout = timeout
        self._poll = poll
        self._clock = clock or store.clock
        self._on_outcome = on_outcome
        self._tasks: dict[str, asyncio.Task[str]] = {}

    def start(self, handoff_id: str, call_sid: str) -> asyncio.Task[str]:
        task = asyncio.create_task(self.watch(handoff_id, call_sid),
                                   name=f"handoff-fallback-{handoff_id}")
        self._tasks[handoff_id] = task
        task.add_done_callback(lambda t: self._tasks.pop(handoff_id, None))
        return task

    async def watch(self, handoff_id: str, call_sid: str) -> str:
        """``accepted``, ``abandoned``, ``fallback``, ``fallback_failed`` or ``missing``."""
        outcome = await self._watch(handoff_id, call_sid)
        log.info("hand-off %s: %s", handoff_id, outcome)
        if self._on_outcome is not None:
            maybe = self._on_outcome(handoff_id, outcome)
            if maybe is not None:
                await maybe
        return outcome

    async def _watch(self, handoff_id: str, call_sid: str) -> str:
        deadline = self._clock.now() + self.timeout
        sub = self._store.subscribe()
        try:
            while True:
                try:
                    packet = self._store.get(handoff_id)
                except HandoffError:
                    return "missing"
                if packet.status != "waiting" and not packet.agent_on_the_way:
                    return _outcome(packet.status)
                remaining = deadline - self._clock.now()
                if remaining <= 0 and packet.status == "waiting":
                    break
                await self._change_or_time(sub, min(remaining, self._poll) if remaining > 0
                                           else self._poll)
        finally:
            sub.close()
        try:
            packet = self._store.mark(handoff_id, "fallback")
        except HandoffStateError:
            return _outcome(self._store.get(handoff_id).status)
        try:
            await self._transfer.fallback(packet, call_sid=call_sid)
        except EngineError as exc:
            if isinstance(exc, TwilioError) and exc.code == CALL_NOT_IN_PROGRESS:
                self._store.annotate(handoff_id, "[voicebot] The caller hung up before the "
                                                 "fallback message.")
            else:
                log.error("hand-off %s: fallback failed: %s", handoff_id, exc)
                self._store.annotate(handoff_id, f"[voicebot] Fallback failed: {exc}")
            return "fallback_failed"
        return "fallback"

    async def _change_or_time(self, sub: Subscription, seconds: float) -> None:
        """Until the store publishes a change or ``seconds`` pass on the clock; a dropped
        subscription leaves the clock alone (the next look at the store is the poll)."""
        if sub.closed:
            await self._clock.sleep(seconds)
            return
        change = asyncio.ensure_future(sub.get())
        timer = asyncio.ensure_future(self._clock.sleep(seconds))
        try:
            await asyncio.wait((change, timer), return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
            change.cancel()
            if change.done() and not change.cancelled():
                change.exception()  # StopAsyncIteration when dropped: the poll takes over

    @property
    def watching(self) -> int:
        return len(self._tasks)

    async def aclose(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _outcome(status: str) -> str:
    return {"active": "accepted", "completed": "accepted"}.get(status, status)
