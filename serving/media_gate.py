"""Streamlit's /media/… addresses, open only to the browser session each file was made for.

Streamlit serves its media store (downloads, and pictures given to st.image by bytes) to any request that names
a file, with no sign-in. Haven sends its pictures inside the page (data: addresses) and records each download it
hands out (serving/handouts.py); this middleware, in front of Streamlit's routes, answers a /media/ request only
when the file was handed to the browser session of the request's sign-in cookie, and that session is still
signed in, not idle past the limit, and its account active. Anything else gets 404, the answer for an address
that does not exist, so nobody learns that a file is there. What is served is marked not to be kept in the
browser's cache.
"""
from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services import browser_sessions
from serving import handouts

NOT_FOUND_HEADERS = {"Cache-Control": "no-store"}


def media_pattern(base_url_path: str | None) -> re.Pattern[str]:
    """The paths Streamlit's media route answers, under the app's base URL path (server.baseUrlPath)."""
    base = "/" + base_url_path.strip("/") if base_url_path and base_url_path.strip("/") else ""
    return re.compile(re.escape(base) + r"/media/(?P<file>.*)", re.DOTALL)


def _base_url_path() -> str:
    from streamlit import config

    return config.get_option("server.baseUrlPath") or ""


def _stored_content(file_name: str) -> bytes | None:
    """The bytes Streamlit's media store holds under this name, or None."""
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return None
    manager = Runtime.instance().media_file_mgr
    if not manager.can_read_files:
        return None
    stored = manager.read_file(file_name)
    return stored.content if stored is not None else None


def may_fetch(haven, content: bytes | None, cookies: dict[str, str]) -> bool:
    """Whether a request with these cookies may have this media file: handed to the cookie's browser session,
    which is still signed in (not ended, not idle past the limit, account active)."""
    if content is None:
        return False
    receivers = handouts.handed_to(handouts.digest_of(content))
    if not receivers:
        return False
    cookie = browser_sessions.presented_cookie(cookies)
    if cookie is None:
        return False
    resumed = browser_sessions.resume(haven, cookie.value, secure_name=cookie.secure_name)
    return resumed is not None and resumed.session_id in receivers


class MediaGate:
    """ASGI middleware: every request for a /media/ path passes `may_fetch` or gets 404."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._pattern: re.Pattern[str] | None = None

    def _media_file(self, scope: Scope) -> str | None:
        """The media file a request names (as Streamlit's route reads it), or None for any other path."""
        if self._pattern is None:
            self._pattern = media_pattern(_base_url_path())
        root = scope.get("root_path", "")
        path = scope.get("path", "")
        route_path = path[len(root):] if root and path.startswith(root) else path
        match = self._pattern.fullmatch(route_path) or self._pattern.fullmatch(path)
        return match["file"] if match else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        file_name = self._media_file(scope) if scope["type"] == "http" else None
        if file_name is None:
            await self.app(scope, receive, send)
            return
        from serving.session_routes import haven_instance

        request = Request(scope)
        content = _stored_content(file_name)
        allowed = await run_in_threadpool(may_fetch, haven_instance(), content, dict(request.cookies))
        if not allowed:
            await Response(status_code=404, headers=NOT_FOUND_HEADERS)(scope, receive, send)
            return

        async def send_uncached(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", b"no-store, private")]}
            await send(message)

        await self.app(scope, receive, send_uncached)
