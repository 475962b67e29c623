"""ASGI middleware around the web app and the API: same-origin checks, security headers, request timeouts."""

from __future__ import annotations

import asyncio

_STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


class SameOriginGuard:
    """ASGI middleware against DNS rebinding and cross-site requests: served on a loopback address, a request
    whose ``Host`` is not a loopback name is refused (an attacker's domain resolving to 127.0.0.1 would otherwise
    reach an open installation); and a state-changing request (POST, PUT, PATCH, DELETE) carrying an ``Origin``
    other than the host it was sent to is refused (another site's page cannot delete a source). Scripts and
    curl send no Origin and pass."""

    def __init__(self, app, loopback: bool):
        self.app, self.loopback = app, loopback

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
            host = headers.get("host", "")
            hostname = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
            why = None
            if self.loopback and hostname and hostname not in _LOOPBACK_NAMES and not hostname.startswith("127."):
                why = f"拒绝访问：本机模式只接受 localhost 或 127.0.0.1 的请求（收到 Host: {host}）。"
            elif scope.get("method") in _STATE_CHANGING and (origin := headers.get("origin")) is not None \
                    and origin.split("://", 1)[-1].rstrip("/") != host:  # "null" (a sandboxed frame) is foreign too
                why = f"拒绝跨站请求：来源 {origin} 与本服务 {host} 不同。"
            if why:
                from starlette.responses import JSONResponse

                await JSONResponse({"error": why, "kind": "ForbiddenError"}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


# What a page of the app may load: images, audio and video only from this server (or data:/blob: URLs), forms
# posted only here, no plugins, no foreign <base>, not framed by another site. Document text is escaped wherever
# it is shown; this is the second wall should an escape ever be missed.
CSP = ("img-src 'self' data: blob:; media-src 'self' data: blob:; form-action 'self'; object-src 'none'; "
       "base-uri 'self'; frame-ancestors 'self'")


class SecurityHeaders:
    """ASGI middleware adding the content-security policy and ``X-Content-Type-Options: nosniff`` to every
    response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"content-security-policy"]
                headers += [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class RequestTimeout:
    """Every API request is answered within ``seconds``: a handler that has not started its response by then is
    abandoned and the client gets 504 with a message (a streamed answer starts its response at once and is not cut;
    an upload that waits for its ingest is excluded: ``wait=false`` runs it as a job). The handler's thread may run
    on to its end; the input bounds (``ingest.*``, ``answer.max_question_chars``) keep that end near."""

    def __init__(self, app, seconds: float, prefix: str = "/api/", exclude: tuple[tuple[str, str], ...] = ()):
        self.app, self.seconds, self.prefix, self.exclude = app, seconds, prefix, exclude

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(self.prefix) or \
                any(scope.get("method") == m and path.rstrip("/").endswith(p) for m, p in self.exclude):
            await self.app(scope, receive, send)
            return
        started = asyncio.Event()

        async def watched(message):
            if message["type"] == "http.response.start":
                started.set()
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, watched))
        waiter = asyncio.ensure_future(started.wait())
        try:
            await asyncio.wait({task, waiter}, timeout=self.seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if task.done() or started.is_set():
            await task
            return
        task.cancel()
        from starlette.responses import JSONResponse

        await JSONResponse({"error": f"处理超过 {self.seconds:g} 秒，已放弃。请缩短问题或稍后再试；上传大文件请用 wait=false 后台导入。",
                            "kind": "TimeoutError"}, status_code=504)(scope, receive, send)
