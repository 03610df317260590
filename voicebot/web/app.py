"""The FastAPI application factory. Routes are thin; the work is elsewhere."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Request, Response, WebSocket
from fastapi.responses import JSONResponse

from voicebot import __version__
from voicebot.call.phrases import prerender, service_phrases
from voicebot.call.record import summary_of
from voicebot.call.recording import CallContext, RecordsRecorder, file_digest, instance_name
from voicebot.call.session import CallControl, CallSession
from voicebot.call.tasks import cancel, spawn
from voicebot.clock import Clock, SystemClock
from voicebot.data import Database, Records, default_url
from voicebot.dialogue.manager import NegotiationDialogue
from voicebot.dialogue.prompts import Prompts, load_prompts
from voicebot.engines.registry import Engines
from voicebot.errors import ConfigError, VoicebotError
from voicebot.handoff import FallbackPolicy, HandoffJournal, HandoffPacket, HandoffService
from voicebot.policy import Account, Policy, load_accounts, load_policies
from voicebot.settings import Settings
from voicebot.telephony.events import CallStarted, Carrier
from voicebot.telephony.twiml import connect_stream
from voicebot.text.xml import xml_safe
from voicebot.web.agent import API_HEADERS, build_agent_router
from voicebot.web.asterisk_calls import AnnouncedCalls
from voicebot.web.asterisk_media import build_asterisk_router
from voicebot.web.audiosocket_server import AudioSocketServer
from voicebot.web.continuation import continuation
from voicebot.web.handoff_webhooks import build_handoff_webhooks
from voicebot.web.handoffs import (
    Desk,
    build_agent_auth,
    build_asterisk_handoffs,
    build_handoff_service,
    secret,
)
from voicebot.web.metrics import ErrorCounter, ServiceMetrics
from voicebot.web.security import (
    CALL_TOKEN_PARAMETER,
    BodyLimit,
    CallTokens,
    TwilioSignatureCheck,
    request_origin,
)
from voicebot.web.twilio_stream import (
    CLOSE_TRY_AGAIN_LATER,
    CallSlots,
    serve_stream,
)

log = logging.getLogger(__name__)
READY_TIMEOUT = 2.0  # seconds a dependency has to answer a readiness check
# Stopping: after the drain deadline, the longest the last sentence and the transfer take.
LAST_WORDS_SECONDS = 20.0
LANGUAGES = ("en", "fr")


class ServiceState:
    """What the routes share: settings, engines, prompts, live calls and the clock."""

    def __init__(self, settings: Settings, engines: Engines | None,
                 data_dir: Path | None = None, clock: Clock | None = None) -> None:
        """``data_dir`` holds the records and the hand-off journal (default: the home
        directory); a replay keeps its own apart from the live service's. ``clock``
        (the system clock by default) is the one calls, hand-offs, records and agent
        sessions take their time and dates from; a media stream's own limits (how fast
        it may send, how long it may stay silent) stay on the system clock with the
        socket's timeouts."""
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        data = data_dir or settings.data_home
        self.engines = engines
        self.prompts: dict[str, Prompts] = {
            lang: load_prompts(settings.prompts_dir, lang) for lang in LANGUAGES
        }
        # Broken policy files stop the service at start-up, every problem listed.
        self.policies: dict[str, Policy] = load_policies(settings.policies_dir)
        for port, defaults in settings.audiosocket_listeners():
            if defaults.get("creditor", self.settings.default_creditor) not in self.policies:
                raise ConfigError(f"AudioSocket port {port}: no policy for creditor "
                                  f"{defaults.get('creditor')!r} (known: "
                                  f"{', '.join(sorted(self.policies))})")
        accounts_file = settings.policies_dir / "accounts.yaml"
        self.accounts: dict[str, Account] = (
            load_accounts(accounts_file, self.policies) if accounts_file.is_file() else {}
        )
        # Live calls by the server's own stream id; every open stream holds a slot.
        self.calls = CallSlots(settings.max_calls)
        self.metrics = ServiceMetrics()
        self.metrics.watch(lambda: len(self.calls), self._engine_queues)
        self.finished: deque[dict[str, object]] = deque(maxlen=100)
        # The records: the schema is brought up to date before any call is taken.
        self.database = Database(settings.records_url or default_url(data))
        self.database.upgrade()
        self.records = Records(self.database, instance=instance_name(), clock=self.clock)
        # Calls older than the longest allowed are over: a process that stopped left
        # them open. Their turns are kept; their end is marked as unknown.
        stale = self.records.close_unfinished(
            self.clock.wall() - dt.timedelta(seconds=settings.max_call_seconds + 60),
            "unfinished: the service stopped during the call")
        if stale:
            log.warning("%d call(s) left open by an earlier run marked unfinished", stale)
        self.policy_hashes = policy_digests(settings.policies_dir)
        self.draining = False  # stopping: no new calls, those in progress handed over
        self.handoffs = build_handoff_service(settings, self.database, self.clock)
        self.desk = Desk(self.handoffs, HandoffJournal(data / "handoff-journal.jsonl"),
                         advise=self.callback_advice)
        self.desk.journal.replay(self.handoffs.store)
        # The same store and journal without a carrier transfer: calls that cannot be moved
        # (Asterisk's without ARI) leave their hand-off waiting for a call-back.
        self.callback_desk = Desk(HandoffService(self.handoffs.store), self.desk.journal,
                                  advise=self.callback_advice, promise_call_back=True)
        # Asterisk's callers go to a person through ARI, when it is set up.
        self.asterisk = build_asterisk_handoffs(settings, self.handoffs.store, self.clock)
        self.asterisk_desk: Desk | None = None
        if self.asterisk is not None:
            store = self.handoffs.store
            self.asterisk_desk = Desk(
                HandoffService(store, self.asterisk,
                               FallbackPolicy(store, self.asterisk, clock=self.clock,
                                              timeout=settings.handoff_fallback_seconds),
                               self.asterisk.connector),
                self.desk.journal, advise=self.callback_advice, on_open=self.asterisk.expect,
                promise_call_back=True)
            self.handoffs.routes.append((self.asterisk.owns, self.asterisk.connector))
        # With a Twilio auth token, a stream must bring the token its voice webhook made.
        token = secret(settings.twilio_auth_token)
        self.call_tokens = (CallTokens(token, lifetime=settings.call_token_seconds,
                                       clock=lambda: self.clock.wall().timestamp())
                            if token else None)
        # AudioSocket calls the dialplan announced (POST /asterisk/calls), by UUID.
        self.announced = AnnouncedCalls(settings.asterisk_call_seconds, self.clock)

    def _engine_queues(self) -> dict[str, int]:
        if self.engines is None:
            return {}
        return {"stt": self.engines.stt_pool.pending, "tts": self.engines.tts_pool.pending}

    def admit(self, started: CallStarted) -> str | None:
        """Why a stream's ``start`` is refused, or None (see ``CallTokens``)."""
        if self.call_tokens is None:
            return None
        return self.call_tokens.check(started.call_id, started.parameters)

    async def make_fixed_phrases(self) -> None:
        """Make the audio of the prompt files' fixed phrases while no call is in progress.

        ``voicebot phrases make`` (run by the set-up) has usually made them all.
        """
        assert self.engines is not None
        started = time.perf_counter()
        wanted = service_phrases(self.prompts, self.policies.values())
        made = 0
        for language, pieces in wanted.items():
            if language in self.engines.voices:
                made += await prerender(self.engines.voice(language), pieces,
                                        self.engines.tts_pool, busy=lambda: bool(self.calls))
        log.info("fixed phrases ready: %d made, %d in all, in %.1f s", made,
                 sum(len(p) for p in wanted.values()), time.perf_counter() - started)

    def creditor_name(self, creditor_id: str) -> str:
        policy = self.policies.get(creditor_id)
        if policy is not None:
            return policy.name
        log.warning("no policy for creditor %r; greeting with its id", creditor_id)
        return " ".join(part.capitalize() for part in creditor_id.replace("_", "-").split("-"))

    def call_language(self, params: dict[str, str]) -> str:
        """The caller's language: asked for, else the account's, else the creditor's first."""
        account = self.accounts.get(params.get("account", ""))
        policy = self.policies.get(params.get("creditor", ""))
        language = (
            params.get("language")
            or (account.language if account else None)
            or (policy.languages[0] if policy else None)
            or self.settings.default_language
        ).lower()[:2]
        if language not in LANGUAGES:
            log.warning("unsupported language %r requested; using %s", language,
                        self.settings.default_language)
            language = self.settings.default_language
        return language

    def callback_advice(self, packet: HandoffPacket, at: dt.datetime | None = None
                        ) -> str | None:
        """When the contact rules of the account's jurisdiction allow the call-back the
        caller accepted (their consent lifts the frequency limits, never the calling
        hours or a flag), from the records' ledger and flags."""
        from voicebot.compliance import can_call, rules_for_policy
        from voicebot.compliance.ledger import history_from_records
        from voicebot.compliance.records import Consent

        reference = (packet.account or {}).get("reference")
        account = self.accounts.get(reference or "")
        policy = self.policies.get((packet.creditor or {}).get("id", ""))
        if account is None or policy is None or not (packet.account or {}).get("verified"):
            return None
        at = at or self.clock.wall()
        history, flags = history_from_records(self.records, policy.id, account.reference)
        history.append(Consent(at=at, account=account.reference))
        decision = can_call(account, at, history, flags, rules_for_policy(policy))
        if decision.allowed:
            return f"Call-back allowed now by the contact rules ({decision.reason})."
        if decision.next_allowed is None:
            return f"Do not call back: {decision.reason}."
        local = decision.next_allowed.astimezone(account.zone)
        return (f"Call back no earlier than {local:%Y-%m-%d %H:%M} {account.timezone} "
                f"({decision.rule.value}: {decision.reason}).")

    def account_flags(self, creditor: str) -> Mapping[str, tuple[str, ...]]:
        """The creditor's flagged accounts; if the records cannot be read, every account
        counts as flagged (a person takes the call rather than the bot collecting from an
        account that may have asked it to stop)."""
        try:
            return self.records.flagged_accounts(creditor)
        except Exception:
            log.exception("records unavailable: every account is handled by a person")
            return _EveryAccount(("records_unavailable",))

    def new_dialogue(self, params: dict[str, str], account_flags: Mapping[
            str, tuple[str, ...]] | None = None, clock: Clock | None = None
                     ) -> tuple[NegotiationDialogue, str]:
        """The dialogue for a call with these custom parameters, and its language;
        "today" is the date in the account's zone on ``clock`` (the service's)."""
        assert self.engines is not None
        creditor = params["creditor"] = params.get("creditor") or self.settings.default_creditor
        language = self.call_language(params)
        policy = self.policies.get(creditor)
        if policy is None:
            log.error("no policy for creditor %r; using %s", creditor,
                      self.settings.default_creditor)
            policy = self.policies[self.settings.default_creditor]
        reference = params.get("account") or None
        account = self.accounts.get(reference or "")
        zone = ZoneInfo(account.timezone) if account else dt.UTC
        flags = self.account_flags(policy.id) if account_flags is None else account_flags
        dialogue = NegotiationDialogue(
            prompts=self.prompts, policy=policy, accounts=self.accounts,
            today=(clock or self.clock).today(zone), language=language, llm=self.engines.llm,
            llm_timeout=self.settings.llm_timeout_seconds, known_reference=reference,
            classifier=self.engines.intents, account_flags=flags,
        )
        return dialogue, language

    def make_session(self, started: CallStarted, control: CallControl,
                     clock: Clock | None = None) -> CallSession:
        assert self.engines is not None
        params = dict(started.parameters)
        params.pop(CALL_TOKEN_PARAMETER, None)
        clock = clock or self.clock
        dialogue, language = self.new_dialogue(params, clock=clock)
        policy = dialogue.policy
        call_id = started.call_id or started.stream_id
        recorder = RecordsRecorder(self.records, CallContext(
            carrier=started.carrier.value, stream_id=started.stream_id,
            policy_hash=self.policy_hashes.get(policy.id)))
        self.metrics.carrier_call(started.carrier.value)
        # Twilio moves its calls; Asterisk's go to a person through ARI when it is set up,
        # else their hand-off is kept for a call-back and the call ends after its last words.
        desk = (self.desk if started.carrier is Carrier.TWILIO
                else self.asterisk_desk or self.callback_desk)
        session = CallSession(call_id=call_id, language=language, settings=self.settings,
                              engines=self.engines, dialogue=dialogue, control=control,
                              clock=clock, desk=desk, recorder=recorder,
                              observer=self.metrics)
        return session

    async def readiness(self) -> dict[str, str]:
        """Each dependency of a call, "ok" or what is wrong ("none": not configured)."""
        checks = {"models": "ok" if self.engines is not None else "loading"}
        try:
            await asyncio.wait_for(asyncio.to_thread(self.database.ping), READY_TIMEOUT)
            checks["database"] = "ok"
        except (VoicebotError, TimeoutError) as exc:
            checks["database"] = str(exc) or "no answer in time"
        llm = self.engines.llm if self.engines is not None else None
        if llm is None:
            checks["llm"] = "none" if self.settings.llm_backend == "none" or \
                self.engines is not None else "loading"
        else:
            try:
                await llm.ping(READY_TIMEOUT)
                checks["llm"] = "ok"
            except VoicebotError as exc:
                checks["llm"] = str(exc)
        if self.asterisk is not None:
            checks["asterisk"] = self.asterisk.status()
        return checks

    async def drain(self, seconds: float) -> None:
        """Stop taking calls and hand over the ones in progress: each finishes its
        exchange, then goes to a person (or a call-back) with its packet, within
        ``seconds`` and the time to say that last sentence and move the call."""
        self.draining = True
        log.warning("stopping: no new calls; %d in progress get %.0f s to finish their "
                    "exchange before a person takes them", len(self.calls), seconds)
        deadline = self.clock.now() + seconds
        stop_at = deadline + LAST_WORDS_SECONDS
        winding: dict[str, asyncio.Task[None]] = {}
        while self.calls.held and self.clock.now() < stop_at:
            for slot_id in list(self.calls):
                if slot_id not in winding:  # a stream that started its call meanwhile too
                    try:
                        session = self.calls[slot_id]
                    except KeyError:
                        continue
                    winding[slot_id] = spawn(
                        session.wind_down(max(0.0, deadline - self.clock.now())),
                        f"{session.call_id}-wind-down")
            await self.clock.sleep(0.1)
        for task in winding.values():
            await cancel(task)
        if self.calls.held:
            log.error("stopping with %d stream(s) still open", self.calls.held)
        else:
            log.warning("every call handed over or ended; stopping")

    def session_ended(self, session: CallSession) -> None:
        """List the finished call (redacted text only); its hand-off was settled by the call."""
        self.finished.append({
            **summary_of(session.record()),
            "timings": session.timings.summary(),
            "transfer_after_last_word_ms": session.transfer_after_last_word_ms(),
            "turns": [{"text": t.text, "stages_ms": t.stages()} for t in session.timings.turns],
        })


def create_app(settings: Settings | None = None, engines: Engines | None = None,
               clock: Clock | None = None) -> FastAPI:
    """The service; ``clock`` (the system clock by default) as ``ServiceState`` uses it."""
    settings = settings or Settings.from_env()
    refuse_insecure_exposure(settings)
    state = ServiceState(settings, engines, clock=clock)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = state.engines is None
        if owned:
            state.engines = await asyncio.to_thread(Engines.load, settings)
            await prime_language_model(state.engines, state.prompts.values())
        phrases = spawn(state.make_fixed_phrases(), "fixed-phrases")
        errors = ErrorCounter(state.metrics)
        logging.getLogger("voicebot").addHandler(errors)
        listeners = [AudioSocketServer(state, settings.audiosocket_host, port,
                                       defaults=defaults)
                     for port, defaults in settings.audiosocket_listeners()]
        for listener in listeners:
            await listener.start()
        app.state.audiosocket_listeners = listeners
        if state.asterisk is not None:
            state.asterisk.start()
        try:
            yield
        finally:
            for listener in listeners:
                await listener.close()
            if state.asterisk_desk is not None:
                await state.asterisk_desk.service.aclose_transfer()
            logging.getLogger("voicebot").removeHandler(errors)
            await cancel(phrases)
            await state.handoffs.aclose()
            if owned and state.engines is not None:
                await state.engines.aclose()

    docs = settings.api_docs
    app = FastAPI(title="voicebot", version=__version__, lifespan=lifespan,
                  docs_url="/docs" if docs else None, redoc_url="/redoc" if docs else None,
                  openapi_url="/openapi.json" if docs else None)
    app.add_middleware(BodyLimit)  # 64 kB on every route: forms and JSON only
    app.state.service = state
    auth = build_agent_auth(settings, state.clock)
    verify = TwilioSignatureCheck(secret(settings.twilio_auth_token),
                                  public_url=settings.public_url,
                                  trust_forwarded=settings.trust_forwarded_headers)
    stream_checks = [Depends(verify.websocket)] if settings.verify_stream_signature else []
    app.include_router(build_agent_router(state.handoffs.store, auth,
                                          accept=state.handoffs.accept))
    app.include_router(build_asterisk_router(state))
    if state.handoffs.transfer is not None:
        app.include_router(build_handoff_webhooks(
            state.handoffs.store, state.handoffs.transfer.fallback_twiml, verify=verify,
            hold_music_url=settings.handoff_hold_music_url,
            connector=state.handoffs.connector,
            callbacks_url=f"{settings.public_url}/twilio/handoff" if settings.public_url
            else None))

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        ready = state.engines is not None and not state.draining
        return JSONResponse(
            {
                "status": "draining" if state.draining else "ok" if ready else "loading",
                "version": __version__,
                "active_calls": len(state.calls),
                "stt_model": state.engines.stt_model if ready else None,
                "voices": sorted(state.engines.voices) if ready else [],
                "llm": settings.llm_backend,
                "intents": ("classifier" if ready and state.engines.intents is not None
                            else "rules"),
                "prompt_versions": {k: v.version for k, v in state.prompts.items()},
            },
            status_code=200 if ready else 503,
        )

    @app.get("/livez")
    async def livez() -> JSONResponse:
        """The process is up and its event loop turns (restart it if this fails)."""
        return JSONResponse({"status": "alive", "version": __version__})

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        """Whether to send calls here: models loaded, the records database reachable,
        the language model answering (when there is one)."""
        checks = await state.readiness()
        ready = all(v in ("ok", "none") for v in checks.values()) and not state.draining
        status = "draining" if state.draining else "ready" if ready else "not ready"
        return JSONResponse({"status": status, "checks": checks},
                            status_code=200 if ready else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus metrics: aggregates only, nothing about any caller."""
        body, content_type = state.metrics.render()
        return Response(body, media_type=content_type)

    @app.api_route("/twilio/voice", methods=["GET", "POST"], dependencies=[Depends(verify)],
                   include_in_schema=False)
    async def twilio_voice(request: Request) -> Response:
        """Answer an incoming call with TwiML that connects it to the media stream."""
        if state.draining:
            # Stopping: the carrier's fallback URL (another instance) takes new calls.
            return Response("stopping: no new calls", status_code=503,
                            headers={"Retry-After": "5"}, media_type="text/plain")
        form: dict[str, str] = {}
        if request.method == "POST":
            body = (await request.body()).decode("utf-8", "replace")
            form = {k: v[0] for k, v in parse_qs(body).items()}
        query = request.query_params
        creditor = xml_safe(query.get("creditor") or settings.default_creditor)[:64]
        account = xml_safe(query.get("account", ""))[:64]
        params = {
            "creditor": creditor,
            "account": account,
            "language": state.call_language(
                {"creditor": creditor, "account": account, "language": query.get("language", "")}
            ),
            "caller": xml_safe(form.get("From", ""))[:32],
        }
        if state.call_tokens is not None:
            call_sid = form.get("CallSid") or query.get("CallSid", "")
            params[CALL_TOKEN_PARAMETER] = state.call_tokens.issue(call_sid, params)
        return Response(connect_stream(stream_url(request, settings), params,
                                       then=continue_url(request, settings)),
                        media_type="application/xml")

    @app.post("/twilio/continue", dependencies=[Depends(verify)], include_in_schema=False)
    async def twilio_continue(request: Request) -> Response:
        """The call's stream has ended: hang up a call the bot ended, hand any other to a
        person (``voicebot.web.continuation``)."""
        body = (await request.body()).decode("utf-8", "replace")
        call_sid = xml_safe((parse_qs(body).get("CallSid") or [""])[0])[:64]
        return Response(await continuation(state, call_sid), media_type="application/xml")

    @app.websocket("/twilio/stream", dependencies=stream_checks)
    async def twilio_stream(ws: WebSocket) -> None:
        await ws.accept()
        peer = ws.client.host if ws.client else ""
        slot = state.calls.reserve(peer) if state.engines is not None else None
        if slot is None:
            log.warning("refusing stream: %d streams open, %d without a call (limits %d, %d)",
                        state.calls.held, state.calls.waiting, state.calls.max_calls,
                        state.calls.max_waiting)
            await ws.close(code=CLOSE_TRY_AGAIN_LATER, reason="busy")
            return
        await serve_stream(ws, state.make_session, settings.max_frame_bytes,
                           on_session_end=state.session_ended, slot=slot, admit=state.admit)

    @app.get("/api/calls/recent", dependencies=[Depends(auth.api_agent)])
    async def recent_calls() -> JSONResponse:
        return JSONResponse(list(state.finished), headers=API_HEADERS)

    @app.get("/api/calls", dependencies=[Depends(auth.api_agent)])
    async def list_calls(creditor: str | None = None, account: str | None = None,
                         limit: int = 100) -> JSONResponse:
        return JSONResponse(await asyncio.to_thread(
            state.records.calls, creditor=creditor, account=account, limit=limit),
            headers=API_HEADERS)

    @app.get("/api/calls/{call_id}", dependencies=[Depends(auth.api_agent)])
    async def show_call(call_id: str) -> JSONResponse:
        """One call's record (the desktop shows it with the call's hand-off)."""
        call = await asyncio.to_thread(state.records.call, call_id)
        if call is None:
            return JSONResponse({"error": f"no call {call_id!r}"}, status_code=404,
                                headers=API_HEADERS)
        return JSONResponse(call, headers=API_HEADERS)

    @app.get("/api/arrangements", dependencies=[Depends(auth.api_agent)])
    async def list_arrangements(creditor: str | None = None, account: str | None = None,
                                limit: int = 100) -> JSONResponse:
        return JSONResponse(await asyncio.to_thread(
            state.records.arrangements, creditor=creditor, account=account, limit=limit),
            headers=API_HEADERS)

    return app


class _EveryAccount(Mapping[str, tuple[str, ...]]):
    """The same flags for any account."""

    def __init__(self, found: tuple[str, ...]) -> None:
        self._found = found

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return self._found

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def policy_digests(directory) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """sha256 of each policy file as loaded, by creditor id (what a record cites)."""
    from voicebot.policy.loading import load_policy, policy_files

    return {load_policy(path).id: file_digest(path.read_bytes())
            for path in policy_files(directory)}


def refuse_insecure_exposure(settings: Settings) -> None:
    """Stop here when a non-loopback address would be served without its locks."""
    problems = settings.exposure_problems()
    if not problems:
        return
    if not settings.insecure_dev:
        what = (f"refusing to serve {settings.host}, which other machines can reach"
                if not settings.loopback_only else "refusing to start")
        fix = "Set them, listen on 127.0.0.1" if not settings.loopback_only else \
            "Listen on 127.0.0.1"
        raise ConfigError(
            f"{what}: " + "; ".join(problems) + f". {fix}, or set "
            "VOICEBOT_INSECURE_DEV=1 for development on a trusted network only")
    log.warning("INSECURE development mode on %s: %s", settings.host, "; ".join(problems))


async def prime_language_model(engines: Engines, prompts: Iterable[Prompts]) -> None:
    """Have the model read the system prompts now, so no caller waits for it."""
    prime = getattr(engines.llm, "prime", None)
    if prime is None:
        return
    started = time.perf_counter()
    try:
        await prime([p.system for p in prompts])
    except VoicebotError as exc:
        log.warning("could not prime the language model (%s); first turns may be slower", exc)
        return
    log.info("language model primed in %.1f s", time.perf_counter() - started)


def _public_base(request: Request, settings: Settings) -> str:
    if settings.public_url:
        return settings.public_url
    proto, host = request_origin(request, settings.trust_forwarded_headers)
    return f"{'https' if proto == 'https' else 'http'}://{host or 'localhost'}"


def stream_url(request: Request, settings: Settings) -> str:
    """The wss:// URL Twilio should open, as seen from outside any proxy."""
    scheme, rest = _public_base(request, settings).split("://", 1)
    return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/twilio/stream"


def continue_url(request: Request, settings: Settings) -> str:
    """Where Twilio asks what next once the stream has ended (absolute, as signed)."""
    return f"{_public_base(request, settings)}/twilio/continue"
