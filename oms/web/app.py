"""The web application: security on every request, then the pages (`oms.web.pages`) and the API (`oms.web.api`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from oms.config import ConfigError, Settings
from oms.logging import get_logger
from oms.ports import BrokerUnavailable
from oms.store import Ledger
from oms.web import api, pages
from oms.web.context import CSP, SESSION_COOKIE, WebContext, client_of, context_of
from oms.web.security import LoginLimiter, Signer, Tokens
from oms.web.settings import ServeSettings

HERE = Path(__file__).resolve().parent
log = get_logger("oms.serve")
PUBLIC_PATHS = ("/login",)
PUBLIC_PREFIXES = ("/static/",)  # our own CSS and script, the same for everyone; no data


def create_app(settings: Settings, ledger: Ledger, serve: ServeSettings, tokens: Tokens) -> FastAPI:
    """Build the application over one ledger; the caller runs it (uvicorn) and closes the ledger after."""
    app = FastAPI(
        title="OMS supervision API",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,  # the interactive docs pull scripts from a CDN; the schema itself is served
        redoc_url=None,
    )
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.state.web = WebContext(settings, ledger, serve, tokens, Signer(), LoginLimiter(serve.login_attempts), templates)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        response = await _authenticate(request, call_next)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app


async def _authenticate(request: Request, call_next: Any) -> Response:
    web = context_of(request)
    path = request.url.path
    request.state.role = None
    request.state.via = None
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, presented = header.partition(" ")
        wait = web.limiter.retry_after(client_of(request))
        if wait:
            return _too_many(wait)
        role = web.tokens.role_of(presented.strip()) if scheme.lower() == "bearer" else None
        if role is None:
            web.limiter.failed(client_of(request))
            return _unauthorized(request)
        request.state.role, request.state.via = role, "bearer"
    elif cookie := request.cookies.get(SESSION_COOKIE):
        role = web.signer.role(cookie)
        if role is not None:
            request.state.role, request.state.via = role, "cookie"
            request.state.session = cookie
    if request.state.role is None and path not in PUBLIC_PATHS and not path.startswith(PUBLIC_PREFIXES):
        return _unauthorized(request)
    try:
        response: Response = await call_next(request)
    except ConfigError as exc:  # e.g. a broker's keys are missing in this process's settings
        return JSONResponse({"detail": str(exc)}, 409)
    except BrokerUnavailable as exc:
        return JSONResponse({"detail": f"the broker could not be reached: {exc}; nothing was concluded"}, 503)
    except Exception as exc:  # no traceback reaches a person: the log has it, the answer says where to look
        log.exception("web.request_failed", path=path, method=request.method)
        return JSONResponse({"detail": f"internal error ({type(exc).__name__}); the OMS log has the details"}, 500)
    return response


def _unauthorized(request: Request) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse(
            {"detail": "a token is needed: Authorization: Bearer TOKEN"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    body = '<!doctype html><title>Log in</title><p>You are not logged in. <a href="/login">Log in</a></p>'
    return HTMLResponse(body, status_code=401)


def _too_many(wait: int) -> Response:
    return JSONResponse(
        {"detail": f"too many failed logins; try again in {wait} s"},
        status_code=429,
        headers={"Retry-After": str(wait)},
    )
