"""Who may see debtor data, and which webhooks really come from Twilio.

Agents: each has a token (``alice:s3cret,bob:t0ken`` or a file of ``name:token``
lines). The API takes ``Authorization: Bearer <token>``; the desktop page logs
in with a form and gets a session cookie (HttpOnly, SameSite=Strict, Secure over
https) signed with HMAC-SHA256. Requests that change something with the cookie
must also carry the page's CSRF token. Every comparison of a secret is constant
time; nothing about a debtor is served without an agent.

Every request body is capped (``BodyLimit``, 64 kB): nothing here takes uploads.

Twilio: ``X-Twilio-Signature`` is the base64 HMAC-SHA1 (or SHA-256 with a
shared key) of the URL Twilio requested followed by the sorted POST parameters,
keyed with the auth token. Behind a proxy the URL is rebuilt from the public
URL or from ``X-Forwarded-Proto`` and ``X-Forwarded-Host``/``Host``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlsplit, urlunsplit

from fastapi import HTTPException, Request, Response, WebSocket, WebSocketException
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from voicebot.errors import ConfigError
from voicebot.handoff.agents import AGENT_NAME

log = logging.getLogger(__name__)

SESSION_COOKIE = "voicebot_agent"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SESSION_VERSION = "v1"


# -- agent tokens ----------------------------------------------------------------------


def parse_agent_tokens(spec: str | Iterable[str]) -> dict[str, str]:
    """``"alice:s3cret,bob:t0ken"`` (or lines of ``name:token``) -> {agent: token}.

    Blank lines and ``#`` comments are skipped; a name or token given twice is
    an error (a token must say who is using it).
    """
    items = spec.replace("\n", ",").split(",") if isinstance(spec, str) else list(spec)
    tokens: dict[str, str] = {}
    for number, raw in enumerate(items, 1):
        item = raw.strip()
        if not item or item.startswith("#"):
            continue
        name, sep, token = item.partition(":")
        name, token = name.strip(), token.strip()
        if not sep or not token:
            raise ConfigError(f"agent token entry {number} is not name:token")
        if not AGENT_NAME.match(name):
            raise ConfigError(f"agent name {name!r} must be letters, digits and ._@- "
                              "(at most 64)")
        if name in tokens:
            raise ConfigError(f"agent {name!r} is listed twice")
        if token in tokens.values():
            raise ConfigError(f"agent {name!r} has the same token as another agent")
        if len(token) < 12:
            log.warning("agent %s has a token of %d characters; use at least 16 random ones",
                        name, len(token))
        tokens[name] = token
    return tokens


def load_agent_tokens(path: str | Path) -> dict[str, str]:
    """A file of ``name:token`` lines (comments with ``#``)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the agent tokens file {path}: {exc}") from exc
    return parse_agent_tokens(text.splitlines())


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class AgentAuth:
    """Agent tokens, signed session cookies, CSRF tokens and login throttling."""

    def __init__(
        self,
        tokens: Mapping[str, str],
        *,
        secret: bytes | str | None = None,
        session_seconds: int = 8 * 3600,
        cookie_name: str = SESSION_COOKIE,
        secure_cookie: bool | None = None,
        max_failures: int = 5,
        lockout_seconds: float = 300.0,
        trust_forwarded: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._tokens = dict(tokens)
        self.trust_forwarded = trust_forwarded  # X-Forwarded-Proto/-Host from a proxy
        if not self._tokens:
            log.warning("no agent tokens configured: the agent desktop and the hand-off API "
                        "refuse everyone")
        if secret is None:
            log.info("no agent session secret set: sessions end when the service restarts")
            secret = secrets.token_bytes(32)
        self._secret = secret.encode("utf-8") if isinstance(secret, str) else secret
        if len(self._secret) < 16:
            raise ConfigError("the agent session secret must have at least 16 characters")
        self.session_seconds = session_seconds
        self.cookie_name = cookie_name
        self.secure_cookie = secure_cookie  # None: Secure when the request came over https
        self.max_failures = max_failures
        self.lockout_seconds = lockout_seconds
        self._clock = clock
        self._throttle = LoginThrottle(max_failures, lockout_seconds)
        self._revoked: dict[str, float] = {}  # session nonce -> expiry
        self._lock = threading.Lock()

    @property
    def agents(self) -> list[str]:
        return sorted(self._tokens)

    @property
    def enabled(self) -> bool:
        return bool(self._tokens)

    # -- tokens --------------------------------------------------------------------

    def agent_for_token(self, token: str) -> str | None:
        """The agent whose token this is; every token compared, in constant time."""
        given = _digest(token)
        found = None
        for agent, expected in self._tokens.items():
            if hmac.compare_digest(given, _digest(expected)):
                found = agent
        return found

    def check_login(self, agent: str, token: str) -> bool:
        expected = self._tokens.get(agent)
        # Compare even for an unknown agent, so timing does not tell names apart.
        ok = hmac.compare_digest(_digest(token), _digest(expected or "\0unknown"))
        return ok and expected is not None

    # -- sessions ------------------------------------------------------------------

    def _mac(self, message: str) -> str:
        return _b64(hmac.new(self._secret, message.encode("utf-8"), hashlib.sha256).digest())

    def _fingerprint(self, agent: str) -> str:
        # Changing an agent's token ends their sessions.
        return self._mac(f"token|{agent}|{self._tokens.get(agent, '')}")[:16]

    def issue_session(self, agent: str) -> str:
        if agent not in self._tokens:
            raise ValueError(f"unknown agent {agent!r}")
        expires = int(self._clock()) + self.session_seconds
        nonce = _b64(secrets.token_bytes(12))
        fingerprint = self._fingerprint(agent)
        body = f"{_SESSION_VERSION}.{_b64(agent.encode())}.{expires}.{nonce}.{fingerprint}"
        return f"{body}.{self._mac(body)}"

    def session_agent(self, cookie: str | None) -> str | None:
        """The agent a session cookie belongs to, if it is genuine, current and not revoked."""
        if not cookie or len(cookie) > 512:
            return None
        body, _, mac = cookie.rpartition(".")
        if not body or not hmac.compare_digest(mac.encode(), self._mac(body).encode()):
            return None
        try:
            version, agent_b64, expires, nonce, fingerprint = body.split(".")
            agent = _unb64(agent_b64).decode("utf-8")
            expiry = int(expires)
        except (ValueError, UnicodeDecodeError):
            return None
        if version != _SESSION_VERSION or expiry < self._clock() or agent not in self._tokens:
            return None
        if not hmac.compare_digest(fingerprint, self._fingerprint(agent)):
            return None
        with self._lock:
            if nonce in self._revoked:
                return None
        return agent

    def revoke_session(self, cookie: str | None) -> None:
        if self.session_agent(cookie) is None:
            return
        assert cookie is not None
        _, _, expires, nonce, _ = cookie.rpartition(".")[0].split(".")
        now = self._clock()
        with self._lock:
            self._revoked = {n: e for n, e in self._revoked.items() if e >= now}
            self._revoked[nonce] = float(expires)

    def csrf_token(self, cookie: str) -> str:
        return self._mac(f"csrf|{cookie}")[:32]

    def set_session_cookie(self, response: Response, request: Request, agent: str) -> str:
        value = self.issue_session(agent)
        response.set_cookie(
            self.cookie_name, value, max_age=self.session_seconds, path="/", httponly=True,
            samesite="strict", secure=self._secure(request),
        )
        return value

    def clear_session_cookie(self, response: Response, request: Request) -> None:
        response.delete_cookie(self.cookie_name, path="/", httponly=True, samesite="strict",
                               secure=self._secure(request))

    def _secure(self, request: Request) -> bool:
        if self.secure_cookie is not None:
            return self.secure_cookie
        return request_origin(request, self.trust_forwarded)[0] == "https"

    # -- login throttling -------------------------------------------------------------

    def login_allowed(self, address: str, agent: str) -> bool:
        return self._throttle.allowed(address, agent, self._clock())

    def login_failed(self, address: str, agent: str) -> None:
        self._throttle.failed(address, agent, self._clock())

    def login_succeeded(self, address: str, agent: str) -> None:
        self._throttle.succeeded(address, agent)

    # -- FastAPI dependencies -------------------------------------------------------------

    def request_agent(self, request: Request) -> str | None:
        """The agent behind a request (Bearer token or session cookie), CSRF checked."""
        header = request.headers.get("authorization", "")
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            return self.agent_for_token(credentials.strip())
        cookie = request.cookies.get(self.cookie_name)
        agent = self.session_agent(cookie)
        if agent is None:
            return None
        if request.method in UNSAFE_METHODS:
            assert cookie is not None
            given = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(given.encode(), self.csrf_token(cookie).encode()):
                raise HTTPException(403, "missing or wrong CSRF token")
        return agent

    async def api_agent(self, request: Request) -> str:
        """Dependency for ``/api/*``: the agent, or 401."""
        agent = self.request_agent(request)
        if agent is None:
            raise HTTPException(401, "agent authentication required",
                                headers={"WWW-Authenticate": 'Bearer realm="voicebot"'})
        request.state.agent = agent
        return agent

    async def page_agent(self, request: Request) -> str:
        """Dependency for the desktop page: the agent, or a redirect to the login form."""
        agent = self.session_agent(request.cookies.get(self.cookie_name))
        if agent is None:
            raise HTTPException(303, "login required",
                                headers={"Location": "/agent/login?next=" + request.url.path})
        request.state.agent = agent
        return agent


def request_origin(conn: HTTPConnection, trust_forwarded: bool) -> tuple[str, str]:
    """(scheme, host) of a request as its client saw them.

    ``X-Forwarded-Proto`` and ``X-Forwarded-Host`` are anyone's to send: they
    count only when the service is told it sits behind a proxy that sets them.
    """
    scheme = conn.url.scheme
    host = conn.headers.get("host", "")
    if trust_forwarded:
        scheme = conn.headers.get("x-forwarded-proto", scheme).split(",")[0].strip()
        host = conn.headers.get("x-forwarded-host", host).split(",")[0].strip()
    return {"ws": "http", "wss": "https"}.get(scheme, scheme), host


class LoginThrottle:
    """Failed sign-ins per address and name, in a table that cannot be flushed.

    A name that failed ``max_failures`` times within ``window`` seconds is
    refused from that address (per address and name: behind a proxy every agent
    shares one address, and one agent's typos must not lock out the others). An
    address that failed under ``max_names`` different names is refused under
    every name: spraying names is an attack, and it adds nothing to the table.
    At most ``max_addresses`` addresses are remembered. To make room the table
    forgets an address whose failures have all expired, else the address that
    failed longest ago among those not refused; a refused address is never
    forgotten before its window ends. When every address near the front of the
    table is refused, sign-ins from new addresses are refused too (and logged)
    until some expire: failing closed beats forgetting an attack.
    """

    def __init__(self, max_failures: int = 5, window: float = 300.0, *, max_names: int = 10,
                 max_addresses: int = 10_000, scan: int = 64) -> None:
        self.max_failures = max_failures
        self.window = window
        self.max_names = max_names
        self.max_addresses = max_addresses
        self._scan = scan
        # address -> name -> failure times; least recently failed address first.
        self._table: OrderedDict[str, dict[str, list[float]]] = OrderedDict()
        self._lock = threading.Lock()
        self._full_since: float | None = None

    def __len__(self) -> int:
        return len(self._table)

    def allowed(self, address: str, name: str, now: float) -> bool:
        with self._lock:
            names = self._table.get(address)
            if names is None:
                return self._room(now)
            self._expire(names, now)
            if len(names) >= self.max_names:
                return False
            return len(names.get(name, ())) < self.max_failures

    def failed(self, address: str, name: str, now: float) -> None:
        with self._lock:
            names = self._table.get(address)
            if names is None:
                if not self._room(now):
                    return  # refused already (allowed() said so); nothing new to keep
                names = self._table[address] = {}
            self._table.move_to_end(address)
            self._expire(names, now)
            if name in names or len(names) < self.max_names:
                times = names.setdefault(name, [])
                times.append(now)
                del times[:-self.max_failures]  # the newest are all that matter

    def succeeded(self, address: str, name: str) -> None:
        with self._lock:
            names = self._table.get(address)
            if names is not None:
                names.pop(name, None)
                if not names:
                    del self._table[address]

    def _expire(self, names: dict[str, list[float]], now: float) -> None:
        for name in list(names):
            recent = [t for t in names[name] if now - t < self.window]
            if recent:
                names[name] = recent
            else:
                del names[name]

    def _refused(self, names: dict[str, list[float]]) -> bool:
        return len(names) >= self.max_names or any(
            len(times) >= self.max_failures for times in names.values())

    def _room(self, now: float) -> bool:
        """Whether a new address can be remembered, making room if need be."""
        if len(self._table) < self.max_addresses:
            return True
        for address in list(self._table)[: self._scan]:
            names = self._table[address]
            self._expire(names, now)
            if not names or not self._refused(names):
                del self._table[address]
                self._full_since = None
                return True
        if self._full_since is None:
            self._full_since = now
            log.warning("login throttle full of refused addresses: refusing sign-ins from "
                        "new addresses until some expire")
        return False


# -- request bodies ----------------------------------------------------------------------

MAX_BODY_BYTES = 64 * 1024  # forms and JSON; nothing here takes uploads


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over the {limit // 1024} kB limit")


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` gets 413, on every route.

    A declared ``Content-Length`` over the limit is refused before a byte of the
    body is read; a body without one is counted as it arrives and refused as soon
    as it passes the limit, so no route ever holds more than the limit in memory.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and (not declared.isdecimal() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        log.warning("refused a request body over %d bytes to %s", self.max_bytes,
                    scope.get("path", "?"))
        response = JSONResponse({"detail": f"request body over the {self.max_bytes // 1024} kB "
                                           "limit"}, status_code=413,
                                headers={"Connection": "close"})
        await response(scope, receive, send)


# -- Twilio webhook signatures ---------------------------------------------------------------

HMAC_SHA1 = "HMAC_SHA1"
HMAC_SHA256 = "HMAC_SHA256"
_HASHES = {HMAC_SHA1: hashlib.sha1, HMAC_SHA256: hashlib.sha256}


def twilio_signature(key: str, url: str, params: Mapping[str, str | list[str]] | None = None,
                     algorithm: str = HMAC_SHA1) -> str:
    """What Twilio puts in ``X-Twilio-Signature`` for ``url`` and POST ``params``."""
    data = url
    for name in sorted(set(params or {})):
        value = (params or {})[name]
        for item in sorted(set(value if isinstance(value, list) else [value])):
            data += name + item
    mac = hmac.new(key.encode("utf-8"), data.encode("utf-8"), _HASHES[algorithm.upper()])
    return base64.b64encode(mac.digest()).decode("ascii")


def _url_variants(url: str) -> list[str]:
    """The URL without and with its default port: Twilio signs either form."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    prefix = f"{userinfo}@" if userinfo else ""
    port = parts.port or (443 if parts.scheme in ("https", "wss") else 80)
    without = urlunsplit(parts._replace(netloc=prefix + host))
    with_port = urlunsplit(parts._replace(netloc=f"{prefix}{host}:{port}"))
    return [url] + [u for u in (without, with_port) if u != url]


class TwilioSignatureCheck:
    """FastAPI dependency: 403 unless ``X-Twilio-Signature`` matches.

    With no auth token configured it lets everything through (and says so once),
    so development without Twilio keeps working. ``shared_keys`` maps the key
    ids of ``X-Twilio-Webhooks-Signature-Settings`` to their secrets.
    """

    def __init__(self, auth_token: str | None, *, public_url: str | None = None,
                 trust_forwarded: bool = False,
                 shared_keys: Mapping[str, str] | None = None) -> None:
        self.auth_token = auth_token
        self.public_url = public_url.rstrip("/") if public_url else None
        self.trust_forwarded = trust_forwarded
        self.shared_keys = dict(shared_keys or {})
        if not auth_token:
            log.warning("no Twilio auth token: webhook signatures are not checked")

    @property
    def enabled(self) -> bool:
        return bool(self.auth_token)

    def signed_url(self, conn: HTTPConnection) -> str:
        """The URL as Twilio requested it, from outside any proxy (http/https form)."""
        raw_path = conn.scope.get("raw_path")
        path = raw_path.decode("latin-1") if raw_path else conn.url.path
        path = path.split("?", 1)[0]
        query = conn.url.query
        tail = path + (f"?{query}" if query else "")
        if self.public_url:
            base = self.public_url
        else:
            proto, host = request_origin(conn, self.trust_forwarded)
            base = f"{proto}://{host}"
        return base + tail

    async def websocket(self, websocket: WebSocket) -> None:
        """Dependency for the Media Streams WebSocket: Twilio signs its handshake too.

        The signed URL is the ``<Stream url>`` (``wss://``) with no parameters;
        the ``https://`` form is accepted as well. Refused handshakes get 403.
        """
        if not self.auth_token:
            return
        signature = websocket.headers.get("x-twilio-signature", "")
        url = self.signed_url(websocket)
        scheme, rest = url.split("://", 1)
        secure = {"https": "wss", "http": "ws"}.get(scheme, scheme)
        candidates = _url_variants(url) + _url_variants(f"{secure}://{rest}")
        if signature and any(
            hmac.compare_digest(twilio_signature(self.auth_token, u).encode(), signature.encode())
            for u in candidates
        ):
            return
        log.warning("rejected a media stream with a missing or bad Twilio signature")
        raise WebSocketException(code=1008, reason="bad Twilio signature")

    async def __call__(self, request: Request) -> None:
        if not self.auth_token:
            return
        signature = request.headers.get("x-twilio-signature", "")
        if not signature:
            raise HTTPException(403, "missing X-Twilio-Signature")
        key, algorithm = self._key(request.headers.get("x-twilio-webhooks-signature-settings"))
        if key is None:
            raise HTTPException(403, "unknown Twilio signing key or algorithm")
        url = self.signed_url(request)
        params: dict[str, list[str]] = {}
        if request.method == "POST":
            body = await request.body()
            query = parse_qs(urlsplit(url).query)
            if "bodySHA256" in query:  # JSON bodies are signed by their hash
                digest = hashlib.sha256(body).hexdigest()
                if not hmac.compare_digest(digest, query["bodySHA256"][0]):
                    raise HTTPException(403, "body does not match bodySHA256")
            else:
                for name, value in parse_qsl(body.decode("utf-8", "replace"),
                                             keep_blank_values=True):
                    params.setdefault(name, []).append(value)
        for candidate in _url_variants(url):
            expected = twilio_signature(key, candidate, params, algorithm)
            if hmac.compare_digest(expected.encode(), signature.encode()):
                return
        log.warning("rejected a webhook with a bad Twilio signature for %s", url)
        raise HTTPException(403, "bad Twilio signature")

    def _key(self, settings: str | None) -> tuple[str | None, str]:
        if not settings:
            return self.auth_token, HMAC_SHA1
        fields = dict(part.strip().partition("=")[::2] for part in settings.split(","))
        algorithm = (fields.get("algorithm") or HMAC_SHA1).upper()
        if algorithm not in _HASHES:
            return None, algorithm
        key_id = fields.get("key")
        if key_id:
            return self.shared_keys.get(key_id), algorithm
        return self.auth_token, algorithm


# -- media streams bound to their webhook ------------------------------------------------------

CALL_TOKEN_PARAMETER = "token"


class CallTokens:
    """Binds a media stream to the voice webhook that asked for it.

    A handshake signature covers only the stream's URL, which is the same for
    every call: captured once, it replays forever, and the ``callSid`` of
    ``start`` (which a transfer then moves through Twilio's REST API) would be
    whatever the client says. So the voice webhook, whose signature covers the
    ``CallSid``, puts a token in the TwiML parameters: an HMAC of that callSid,
    the other parameters and an expiry. ``start`` must carry it, with the same
    callSid and parameters, before the expiry, and only once.
    """

    def __init__(self, key: str | bytes, *, lifetime: float = 120.0,
                 clock: Callable[[], float] = time.time) -> None:
        key = key.encode("utf-8") if isinstance(key, str) else key
        # Never the auth token itself: a key derived for this one use.
        self._key = hmac.new(key, b"voicebot media stream token v1", hashlib.sha256).digest()
        self.lifetime = lifetime
        self._clock = clock
        self._used: dict[str, float] = {}  # token -> expiry
        self._lock = threading.Lock()

    def _mac(self, call_sid: str, expires: int, parameters: Mapping[str, str]) -> str:
        fields = sorted((k, v) for k, v in parameters.items()
                        if k != CALL_TOKEN_PARAMETER and v)
        message = "\x1f".join([call_sid, str(expires), *(f"{k}\x1e{v}" for k, v in fields)])
        return _b64(hmac.new(self._key, message.encode("utf-8"), hashlib.sha256).digest())

    def issue(self, call_sid: str, parameters: Mapping[str, str]) -> str:
        expires = int(self._clock() + self.lifetime)
        return f"{expires}.{self._mac(call_sid, expires, parameters)}"

    def check(self, call_sid: str, parameters: Mapping[str, str]) -> str | None:
        """Why this ``start`` is refused, or None when its token is good (and now spent)."""
        token = parameters.get(CALL_TOKEN_PARAMETER, "")
        if not token:
            return "no call token in the stream's parameters"
        expires_text, _, mac = token.partition(".")
        if not expires_text.isdecimal() or len(token) > 128:
            return "a malformed call token"
        expires = int(expires_text)
        if not call_sid or not hmac.compare_digest(
                mac.encode(), self._mac(call_sid, expires, parameters).encode()):
            return "a call token that does not match the callSid and parameters"
        now = self._clock()
        if expires < now:
            return "an expired call token"
        with self._lock:
            self._used = {t: e for t, e in self._used.items() if e >= now}
            if token in self._used:
                return "a call token already used"
            self._used[token] = expires
        return None
