"""The agents' side: the hand-off REST API, its live event stream, and the desktop page.

``build_agent_router(store, auth)`` gives every route; nothing here serves
debtor data without an agent (Bearer token for the API, session cookie for the
page and its scripts' calls). The page is plain HTML, CSS and JavaScript from
``voicebot/web/static``: no build step, nothing from elsewhere.
"""

# No ``from __future__ import annotations``: the routes' ``Annotated`` aliases are
# local variables, which FastAPI can only see when annotations are evaluated here.
import asyncio
import html
import inspect
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.background import BackgroundTask

from voicebot.handoff.connect import AgentCallError
from voicebot.handoff.packet import MAX_NOTES_CHARS, STATUSES, HandoffPacket, iso
from voicebot.handoff.store import (
    HandoffNotFound,
    HandoffStateError,
    HandoffStore,
)
from voicebot.web.security import AgentAuth, request_origin

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_TYPES = {
    "desktop.js": "text/javascript; charset=utf-8",
    "desktop.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
# Everything the page needs comes from here; nothing inline, nothing from elsewhere.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # no-referrer would make Origin "null"
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
API_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
OPEN_STATUSES = ("waiting", "active", "fallback", "abandoned")


class NotesBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    notes: Annotated[str, Field(max_length=MAX_NOTES_CHARS)] = ""


def build_agent_router(
    store: HandoffStore,
    auth: AgentAuth,
    *,
    keepalive_seconds: float = 15.0,
    max_stream_seconds: float = 600.0,
    max_streams_per_agent: int = 4,
    static_dir: Path = STATIC_DIR,
    accept: Callable[[str, str], Awaitable[HandoffPacket]] | None = None,
) -> APIRouter:
    """``/api/handoffs*``, ``/agent``, ``/agent/login``, ``/agent/logout``, ``/agent/static/*``.

    ``accept`` takes a hand-off for an agent (``HandoffService.accept``: in conference
    mode it also calls the agent to take the caller); the store's accept by default.

    The snapshot and every event carry the service's time (the store's clock): the
    page counts waiting times from it, not from the agent's own computer's clock.
    The event stream ends after ``max_stream_seconds`` and the browser
    reconnects at once; an agent has at most ``max_streams_per_agent`` open (a
    few tabs), as each holds a connection and a subscription to the store.
    uvicorn waits for open streams when it stops: run it with
    ``timeout_graceful_shutdown`` of a few seconds.
    """
    router = APIRouter()
    take = accept or store.accept
    streams = StreamCap(max_streams_per_agent)
    api_agent = Annotated[str, Depends(auth.api_agent)]
    page_agent = Annotated[str, Depends(auth.page_agent)]

    def packet_json(packet: HandoffPacket, status_code: int = 200) -> JSONResponse:
        return JSONResponse(packet.to_dict(), status_code=status_code, headers=API_HEADERS)

    async def run(change, *args: Any) -> HandoffPacket:  # type: ignore[no-untyped-def]
        try:
            result = change(*args)
            return await result if inspect.isawaitable(result) else result
        except HandoffNotFound as exc:
            raise HTTPException(404, str(exc)) from exc
        except HandoffStateError as exc:
            raise HTTPException(409, str(exc)) from exc
        except AgentCallError as exc:
            raise HTTPException(502, str(exc)) from exc

    # -- the REST API -------------------------------------------------------------------

    @router.get("/api/handoffs")
    async def list_handoffs(
        agent: api_agent,
        status: Annotated[list[str] | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> JSONResponse:
        wanted = [s for item in status or [] for s in item.split(",") if s]
        unknown = [s for s in wanted if s not in STATUSES]
        if unknown:
            raise HTTPException(422, f"unknown status {', '.join(unknown)}; "
                                     f"expected {', '.join(STATUSES)}")
        packets = store.list(wanted or None, limit)
        return JSONResponse({"now": iso(store.clock.wall()),
                             "handoffs": [p.to_dict() for p in packets]}, headers=API_HEADERS)

    @router.get("/api/handoffs/events", response_model=None)
    async def handoff_events(agent: api_agent,
                             request: Request) -> StreamingResponse | JSONResponse:
        """Server-sent events: a ``snapshot`` first, then a ``handoff`` per change."""
        lease = streams.open(agent)
        if lease is None:
            log.warning("agent %s already has %d event streams open; refusing another", agent,
                        streams.per_agent)
            return JSONResponse(
                {"detail": f"at most {streams.per_agent} event streams per agent"},
                status_code=429, headers={**API_HEADERS, "Retry-After": "10"})
        try:
            subscription = store.subscribe()
        except BaseException:
            lease.release()
            raise
        loop = asyncio.get_running_loop()

        async def stream() -> AsyncIterator[str]:
            started = loop.time()
            try:
                yield "retry: 2000\n\n"
                snapshot = store.list(OPEN_STATUSES, 500) + store.list("completed", 25)
                yield _sse("snapshot", {"agent": agent, "now": iso(store.clock.wall()),
                                        "handoffs": [p.to_dict() for p in snapshot]})
                while loop.time() - started < max_stream_seconds:
                    try:
                        event = await subscription.get(keepalive_seconds)
                    except StopAsyncIteration:
                        break  # dropped (too slow) or the store closed: the browser reloads
                    if event is None:
                        yield ": keep-alive\n\n"
                    else:
                        yield _sse("handoff", event.to_dict(), event_id=str(event.seq))
            finally:
                subscription.close()
                lease.release()

        log.info("agent %s watching hand-offs", agent)
        # The background task frees the slot even when the stream never started.
        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={**API_HEADERS, "X-Accel-Buffering": "no"},
                                 background=BackgroundTask(lease.release))

    @router.get("/api/handoffs/{handoff_id}")
    async def get_handoff(handoff_id: str, agent: api_agent) -> JSONResponse:
        return packet_json(await run(store.get, handoff_id))

    @router.post("/api/handoffs/{handoff_id}/accept")
    async def accept(handoff_id: str, agent: api_agent) -> JSONResponse:
        packet = await run(take, handoff_id, agent)
        log.info("hand-off %s accepted by %s", handoff_id, agent)
        return packet_json(packet)

    @router.post("/api/handoffs/{handoff_id}/complete")
    async def complete(handoff_id: str, agent: api_agent,
                       body: NotesBody | None = None) -> JSONResponse:
        packet = await run(store.complete, handoff_id, agent, body.notes if body else None)
        log.info("hand-off %s completed by %s", handoff_id, agent)
        return packet_json(packet)

    @router.put("/api/handoffs/{handoff_id}/notes")
    async def set_notes(handoff_id: str, agent: api_agent, body: NotesBody) -> JSONResponse:
        return packet_json(await run(store.set_notes, handoff_id, agent, body.notes))

    # -- the desktop page ---------------------------------------------------------------------

    @router.get("/agent", response_class=HTMLResponse)
    async def desktop(agent: page_agent, request: Request) -> HTMLResponse:
        cookie = request.cookies.get(auth.cookie_name, "")
        page = (static_dir / "desktop.html").read_text(encoding="utf-8")
        page = page.replace("{{agent}}", html.escape(agent)).replace(
            "{{csrf}}", html.escape(auth.csrf_token(cookie)))
        return HTMLResponse(page, headers=PAGE_HEADERS)

    @router.get("/agent/static/{name}")
    async def static(name: str) -> Response:
        if name not in STATIC_TYPES:
            raise HTTPException(404, "no such file")
        return Response((static_dir / name).read_bytes(), media_type=STATIC_TYPES[name],
                        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})

    @router.get("/agent/login", response_class=HTMLResponse)
    async def login_form(request: Request, next: str = "/agent") -> Response:
        if auth.session_agent(request.cookies.get(auth.cookie_name)):
            return RedirectResponse(_safe_next(next), status_code=303)
        return _login_page(_safe_next(next))

    @router.post("/agent/login")
    async def login(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace"),
                                             keep_blank_values=True).items()}
        target = _safe_next(form.get("next", "/agent"))
        if not _same_origin(request, auth.trust_forwarded):
            return _login_page(target, "Sign in from this desktop's own page.", 403)
        client = request.client.host if request.client else "?"
        agent = form.get("agent", "").strip()[:64]
        if not auth.login_allowed(client, agent):
            log.warning("login throttled for %s", client)
            return _login_page(target, "Too many failed attempts. Wait a few minutes.", 429)
        if not auth.check_login(agent, form.get("token", "")):
            auth.login_failed(client, agent)
            log.warning("failed agent login from %s", client)
            return _login_page(target, "That name and token do not match.", 401)
        auth.login_succeeded(client, agent)
        response = RedirectResponse(target, status_code=303)
        auth.set_session_cookie(response, request, agent)
        log.info("agent %s logged in from %s", agent, client)
        return response

    @router.post("/agent/logout")
    async def logout(request: Request) -> Response:
        auth.revoke_session(request.cookies.get(auth.cookie_name))
        response = RedirectResponse("/agent/login", status_code=303)
        auth.clear_session_cookie(response, request)
        return response

    return router


class _StreamLease:
    """One open event stream; ``release`` may be called any number of times."""

    def __init__(self, on_release: Callable[[], None]) -> None:
        self._on_release: Callable[[], None] | None = on_release

    def release(self) -> None:
        on_release, self._on_release = self._on_release, None
        if on_release is not None:
            on_release()


class StreamCap:
    """Open event streams per agent, each held through a lease released exactly once."""

    def __init__(self, per_agent: int) -> None:
        self.per_agent = per_agent
        self._open: dict[str, int] = {}

    def count(self, agent: str) -> int:
        return self._open.get(agent, 0)

    def open(self, agent: str) -> _StreamLease | None:
        if self.count(agent) >= self.per_agent:
            return None
        self._open[agent] = self.count(agent) + 1
        return _StreamLease(lambda: self._close(agent))

    def _close(self, agent: str) -> None:
        left = self.count(agent) - 1
        if left > 0:
            self._open[agent] = left
        else:
            self._open.pop(agent, None)


def _sse(event: str, data: Any, event_id: str | None = None) -> str:
    lines = [f"event: {event}"]
    if event_id:
        lines.append(f"id: {event_id}")
    # json.dumps never emits a raw newline, so one data line is enough.
    lines.append("data: " + json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return "\n".join(lines) + "\n\n"


def _same_origin(request: Request, trust_forwarded: bool) -> bool:
    """A form posted from another site (login CSRF) carries its own Origin."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request_origin(request, trust_forwarded)[1]


def _safe_next(target: str) -> str:
    """Only a path on this desktop: never another site (open redirect)."""
    if target.startswith("/agent") and not target.startswith("//") and "\\" not in target:
        return target
    return "/agent"


def _login_page(next_path: str, error: str | None = None, status: int = 200) -> HTMLResponse:
    alert = (f'<p class="error" role="alert" id="login-error">{html.escape(error)}</p>'
             if error else "")
    described = ' aria-describedby="login-error"' if error else ""
    page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · voicebot agent desktop</title>
<link rel="stylesheet" href="/agent/static/desktop.css">
<link rel="icon" href="/agent/static/favicon.svg" type="image/svg+xml">
</head>
<body class="login">
<main class="login-box">
<h1>Agent desktop</h1>
{alert}
<form method="post" action="/agent/login"{described}>
<input type="hidden" name="next" value="{html.escape(next_path)}">
<label for="agent">Agent name</label>
<input id="agent" name="agent" autocomplete="username" required autofocus>
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
"""
    return HTMLResponse(page, status_code=status, headers=PAGE_HEADERS)
