"""ASGI middleware: request size limit, security headers and an access log without ids.

Pure ASGI (no BaseHTTPMiddleware) so the hot recommendation path pays microseconds. The log
names the route *template* (`/v1/users/{user_id}/recommendations`), never the raw path,
query or body, so user ids and other personal data stay out of the logs.

Every answer carries a Content-Security-Policy (own origin only, never framed),
`X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` and `Referrer-Policy:
no-referrer`; API answers (`/v1/...`, personal data among them) also `Cache-Control:
no-store`.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.exceptions import HTTPException

log = logging.getLogger("seamline.api.access")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI starts from an inline script and sets inline styles.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
_COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]
_NO_STORE = (b"cache-control", b"no-store")


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    """The headers added to every answer for `path`."""
    out = [*_COMMON, (b"content-security-policy", (DOCS_CSP if path == "/docs" else CSP).encode())]
    if path.startswith("/v1/"):
        out.append(_NO_STORE)
    return out


def enable_access_log(stream: Any = None) -> None:
    """Log each request once, to `stream` (stderr by default): one handler of our own and
    no propagation to the root logger, which the CLI also gives a handler."""
    log.setLevel(logging.INFO)
    log.propagate = False
    if not any(getattr(h, "_seamline_access", False) for h in log.handlers):
        handler = logging.StreamHandler(stream)
        handler._seamline_access = True  # type: ignore[attr-defined]
        log.addHandler(handler)


Scope = dict[str, Any]
Message = dict[str, Any]


class _TooLarge(HTTPException):
    """Raised while a body is read: the app's exception layer answers 413."""

    def __init__(self, detail: str) -> None:
        super().__init__(413, detail)


async def _reply(send: Any, status: int, detail: str, path: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *security_headers(path),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ServiceMiddleware:
    def __init__(self, app: Any, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        limit = self.max_body_bytes
        too_large = f"request body over {limit:,} bytes; send smaller batches"
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _reply(send, 400, "bad Content-Length header", scope["path"])
                    return
                if declared > limit:
                    await _reply(send, 413, too_large, scope["path"])
                    self._log(scope, 413, started)
                    return
        received = 0
        status = [500]

        async def counted_receive() -> Message:
            nonlocal received
            message: Message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # a chunked body has no declared length
                    raise _TooLarge(too_large)
            return message

        extra = security_headers(scope.get("path", ""))

        async def tracked_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _TooLarge:
            status[0] = 413
            await _reply(send, 413, too_large, scope["path"])
        finally:
            self._log(scope, status[0], started)

    @staticmethod
    def _log(scope: Scope, status: int, started: float) -> None:
        if not log.isEnabledFor(logging.INFO):
            return
        route = scope.get("route")
        path = getattr(route, "path", None) or "(unmatched)"
        key = scope.get("state", {}).get("key_id", "-")
        log.info(
            "%s %s %d %.1fms key=%s",
            scope["method"],
            path,
            status,
            (time.perf_counter() - started) * 1000,
            key,
        )
