"""The two HTTP routes Haven adds beside Streamlit's: they set and clear the sign-in cookie.

Streamlit's Python talks to the browser over a WebSocket and cannot send Set-Cookie, and a cookie written by
JavaScript could be read by JavaScript. So app.py serves Haven as `st.App` with these routes, and the page
(after a sign-in) posts its one-time hand-off code here; the answer sets the cookie with HttpOnly (no script
can read it), SameSite=Strict (no other site's page or link sends it) and, over HTTPS, Secure under the
`__Host-` prefix. Both routes answer only same-origin requests.
"""
from __future__ import annotations

from functools import lru_cache

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services import browser_sessions
from services.instance import Haven, open_instance

BEGIN_PATH = "/_haven/session"
END_PATH = "/_haven/session/end"
MAX_BODY = 200


@lru_cache(maxsize=1)
def haven_instance() -> Haven:
    return open_instance()


def _same_origin(request: Request) -> bool:
    """Browsers say where a request comes from; a page of another site can never pass this."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site != "same-origin":
        return False
    origin = request.headers.get("origin")
    if origin is not None:
        expected = f"{request.url.scheme}://{request.headers.get('host', '')}"
        if origin != expected:
            return False
    return site is not None or origin is not None


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _plain(status: int) -> Response:
    return Response(status_code=status, headers={"Cache-Control": "no-store"})


async def begin_session(request: Request) -> Response:
    """Exchanges a one-time hand-off code (the request body) for the sign-in cookie."""
    if not _same_origin(request):
        return _plain(403)
    body = (await request.body())[:MAX_BODY].decode("ascii", errors="replace").strip()
    secure = _secure(request)
    value = await run_in_threadpool(lambda: browser_sessions.redeem(haven_instance(), body, secure=secure))
    if value is None:
        return _plain(403)
    response = _plain(204)
    response.set_cookie(browser_sessions.SECURE_COOKIE_NAME if secure else browser_sessions.COOKIE_NAME, value,
                        max_age=browser_sessions.ABSOLUTE_HOURS * 3600, path="/", secure=secure, httponly=True,
                        samesite="strict")
    return response


async def end_session(request: Request) -> Response:
    """Ends the browser session of the cookie sent (if any) and tells the browser to drop the cookie."""
    if not _same_origin(request):
        return _plain(403)
    for name in (browser_sessions.SECURE_COOKIE_NAME, browser_sessions.COOKIE_NAME):
        cookie = request.cookies.get(name)
        if cookie:
            await run_in_threadpool(browser_sessions.end_by_cookie, haven_instance(), cookie)
    response = _plain(204)
    secure = _secure(request)
    for name in ((browser_sessions.SECURE_COOKIE_NAME,) if secure else ()) + (browser_sessions.COOKIE_NAME,):
        response.delete_cookie(name, path="/", secure=secure or name.startswith("__Host-"), httponly=True,
                               samesite="strict")
    return response


def session_routes() -> list[Route]:
    return [Route(BEGIN_PATH, begin_session, methods=["POST"]), Route(END_PATH, end_session, methods=["POST"])]
