"""HTTP hardening: security headers on every response, bounded request bodies, the write token.

The dashboard shows text written by strangers, so the browser is told to run
only the app's own script files (no inline script, no ``on*`` attributes, no
eval), never to sniff types, never to be framed, and to send no referrer. The
API docs page (Swagger UI) needs inline styles and data: images and gets a
policy of its own; it renders no stored text.
"""
from __future__ import annotations

import hmac
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
#: For stored raw inputs: shown as text, and even if a browser tried to render them, nothing runs.
RAW_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"

BASE_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]


def security_headers() -> dict[str, str]:
    """The headers of every response, for a response made outside the middleware (a 500 is made by
    Starlette's error middleware, which sits outside every other)."""
    return {k.decode(): v.decode() for k, v in BASE_HEADERS} | {"content-security-policy": CSP}


class SecurityHeaders:
    """Adds the headers above to every response (a response's own CSP wins)."""

    def __init__(self, app: ASGIApp, docs_paths: tuple[str, ...] = ("/docs",)):
        self.app = app
        self.docs_paths = docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = DOCS_CSP if scope["path"] in self.docs_paths else CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for k, v in BASE_HEADERS:
                    if k not in present:
                        headers.append((k, v))
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", csp.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies over a limit with 413 before the app sees them.

    ``limits`` maps (method, path) to a larger limit (the ingest endpoint);
    everything else gets ``default``. The body is read here, at most limit + 1
    bytes of it, and replayed to the app, so a chunked upload with no
    Content-Length is bounded too.
    """

    def __init__(self, app: ASGIApp, default: int = 64 * 1024, limits: dict[tuple[str, str], int] | None = None):
        self.app = app
        self.default = default
        self.limits = limits or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limits.get((scope["method"], scope["path"].rstrip("/") or "/"), self.default)
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _too_large(send, limit, "invalid Content-Length")
                    return
                if declared > limit:
                    await _too_large(send, limit)
                    return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await _too_large(send, limit)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        whole = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": whole, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _too_large(send: Send, limit: int, why: str | None = None) -> None:
    await _error(send, 413, "payload_too_large", why or f"request body over the limit of {limit} bytes", close=True)


async def _error(send: Send, status: int, code: str, message: str, *, close: bool = False) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class TrustedHosts:
    """Answers only requests whose Host header names this server (``allowed``, without port).

    A web page whose domain is made to resolve to 127.0.0.1 (DNS rebinding) sends its own host
    name: it is refused, so it cannot read a store served on this machine.
    """

    def __init__(self, app: ASGIApp, allowed: list[str]):
        self.app = app
        self.allowed = {h.lower().strip("[]") for h in allowed}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = ""
        for key, value in scope.get("headers", []):
            if key == b"host":
                host = value.decode("latin-1").strip().lower()
                break
        name = host[1:].split("]", 1)[0] if host.startswith("[") else host.rsplit(":", 1)[0] if host.count(":") == 1 \
            else host
        if name not in self.allowed:
            await _error(send, 400, "bad_host", "this server does not answer to that host name")
            return
        await self.app(scope, receive, send)


def token_matches(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; no configured token means no write is ever allowed."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
