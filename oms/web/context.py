"""What every route of the web application shares: its context, the session cookies, the CSP and the operator's
guard (so the pages and the API need not import the application that includes them)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from fastapi import HTTPException, Request
from fastapi.templating import Jinja2Templates

from oms.config import Settings
from oms.store import Ledger
from oms.web.security import OPERATOR, LoginLimiter, Signer, Tokens
from oms.web.settings import ServeSettings

SESSION_COOKIE = "oms_session"
LOGIN_COOKIE = "oms_login"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


@dataclass
class WebContext:
    """What every route needs, built once by `create_app`."""

    settings: Settings
    ledger: Ledger
    serve: ServeSettings
    tokens: Tokens
    signer: Signer
    limiter: LoginLimiter
    templates: Jinja2Templates


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def context_of(request: Request) -> WebContext:
    web: WebContext = request.app.state.web
    return web


def style_hash(css: str) -> str:
    """A CSP source for one inline stylesheet (the self-contained batch report carries its CSS inline)."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"


async def require_operator(request: Request) -> None:
    """An action: the operator role, and for a browser session a CSRF token bound to that session."""
    if request.state.role != OPERATOR:
        raise HTTPException(403, "only an operator may do this; this session is a viewer")
    if request.state.via == "cookie":
        presented = request.headers.get("x-csrf-token", "")
        if not presented and "form" in request.headers.get("content-type", ""):
            presented = str((await request.form()).get("csrf", ""))
        if not context_of(request).signer.csrf_ok(request.state.session, presented):
            raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")


async def require_session_csrf(request: Request) -> None:
    """A form any logged-in person may send (log out): the CSRF token of the session."""
    if request.state.via == "cookie":
        presented = str((await request.form()).get("csrf", ""))
        if not context_of(request).signer.csrf_ok(request.state.session, presented):
            raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")
