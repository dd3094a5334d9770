"""The pages a supervisor reads: log in, batches, one batch, the kill switch, and a finished batch's report."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from oms.execution.engine import BatchNotFound
from oms.web import actions, queries
from oms.web.context import (
    CSP,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    client_of,
    context_of,
    require_operator,
    require_session_csrf,
    style_hash,
)
from oms.web.security import OPERATOR, SESSION_SECONDS

router = APIRouter(include_in_schema=False)
NEW_YORK = ZoneInfo("America/New_York")


def local_time(text: str | None) -> str:
    """An ISO time from the ledger as a person in New York reads it."""
    if not text:
        return ""
    return datetime.fromisoformat(text).astimezone(NEW_YORK).strftime("%Y-%m-%d %H:%M:%S %Z")


def render(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    web = context_of(request)
    session = getattr(request.state, "session", "")
    with web.ledger.reading() as uow:
        halts = queries.halts(uow)
    values = {
        "role": request.state.role,
        "operator": request.state.role == OPERATOR,
        "csrf": web.signer.csrf(session) if session else "",
        "halts": halts,
        "local": local_time,
        "message": request.query_params.get("done", "")[:200],
        **values,
    }
    return web.templates.TemplateResponse(request, template, values, status_code=status)


def back(url: str, message: str) -> RedirectResponse:
    from urllib.parse import quote

    return RedirectResponse(f"{url}?done={quote(message)}", status_code=303)


@router.get("/login")
def login_page(request: Request, error: str = "") -> Response:
    web = context_of(request)
    nonce = secrets.token_hex(16)
    response = render(
        request, "login.html", status=401 if error else 200, login_csrf=web.signer.csrf(nonce), error=error
    )
    response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="strict", secure=web.serve.tls, max_age=900)
    return response


@router.post("/login")
def login(request: Request, token: str = Form(""), csrf: str = Form("")) -> Response:
    web = context_of(request)
    client = client_of(request)
    wait = web.limiter.retry_after(client)
    if wait:
        return HTMLResponse(
            f"Too many failed logins; try again in {wait} s.", status_code=429, headers={"Retry-After": str(wait)}
        )
    if not web.signer.csrf_ok(request.cookies.get(LOGIN_COOKIE, ""), csrf):
        raise HTTPException(403, "missing or wrong CSRF token; reload the login page")
    role = web.tokens.role_of(token.strip())
    if role is None:
        web.limiter.failed(client)
        return login_page(request, error="That token is not valid.")
    web.limiter.succeeded(client)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        web.signer.session(role),
        httponly=True,
        samesite="strict",
        secure=web.serve.tls,
        max_age=SESSION_SECONDS,
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout", dependencies=[Depends(require_session_csrf)])
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def batches_page(request: Request) -> Response:
    return render(request, "batches.html", listing=queries.batch_list(context_of(request).ledger))


@router.get("/batches/{batch_id}")
def batch_page(batch_id: str, request: Request) -> Response:
    detail = queries.batch_detail(context_of(request).ledger, batch_id)
    if detail is None:
        raise HTTPException(404, f"no batch {batch_id!r} in the ledger")
    return render(request, "batch.html", batch=detail)


@router.post("/batches/{batch_id}/approve", dependencies=[Depends(require_operator)])
async def approve(batch_id: str, request: Request) -> Response:
    form = await request.form()
    web = context_of(request)
    named = [str(v) for v in form.getlist("order")]
    try:
        ids = actions.approve(
            web.settings, web.ledger, _actor(request), batch_id, order_ids=named, all_orders=form.get("all") == "1"
        )
    except (BatchNotFound, actions.ActionRefused) as exc:
        return back(f"/batches/{batch_id}", str(exc))
    return back(f"/batches/{batch_id}", f"{len(ids)} orders approved")


@router.post("/orders/{order_id}/cancel", dependencies=[Depends(require_operator)])
async def cancel_order(order_id: str, request: Request, batch: str = Form("")) -> Response:
    web = context_of(request)
    target = f"/batches/{batch}" if re.fullmatch(r"[A-Za-z0-9_-]{1,40}", batch) else "/"
    try:
        status = await actions.cancel_order(
            web.settings, web.ledger, _actor(request), order_id, reason="cancelled from the web"
        )
    except (BatchNotFound, actions.ActionRefused) as exc:
        return back(target, str(exc))
    return back(target, f"order is {status}")


@router.get("/batches/{batch_id}/cancel")
def cancel_batch_page(batch_id: str, request: Request) -> Response:
    detail = queries.batch_detail(context_of(request).ledger, batch_id)
    if detail is None:
        raise HTTPException(404, f"no batch {batch_id!r} in the ledger")
    return render(
        request,
        "confirm.html",
        title=f"Cancel batch {batch_id}?",
        action=f"/batches/{batch_id}/cancel",
        explain=f"{detail['orders']} orders: unsent ones end now, working ones are cancelled at the broker.",
        button="Cancel the batch",
        ask_reason=True,
        back_to=f"/batches/{batch_id}",
    )


@router.post("/batches/{batch_id}/cancel", dependencies=[Depends(require_operator)])
async def cancel_batch(batch_id: str, request: Request, reason: str = Form("")) -> Response:
    web = context_of(request)
    try:
        count = await actions.cancel_batch(
            web.settings, web.ledger, _actor(request), batch_id, reason=reason[:500] or "batch cancelled from the web"
        )
    except (BatchNotFound, actions.ActionRefused) as exc:
        return back(f"/batches/{batch_id}", str(exc))
    return back(f"/batches/{batch_id}", f"{count} orders asked to cancel")


@router.get("/halt")
def halt_page(request: Request) -> Response:
    return render(
        request,
        "confirm.html",
        title="Halt everything?",
        action="/halt",
        button="Halt now",
        explain="The kill switch refuses every new submission and cancels open orders at the broker.",
        ask_reason=True,
        back_to="/",
    )


@router.post("/halt", dependencies=[Depends(require_operator)])
async def halt(request: Request, reason: str = Form("")) -> Response:
    web = context_of(request)
    cancelled = await actions.halt(
        web.settings, web.ledger, _actor(request), reason=reason[:500] or "halted from the web"
    )
    return back("/", f"halted; {cancelled} open orders asked to cancel")


@router.get("/resume")
def resume_page(request: Request) -> Response:
    return render(
        request,
        "confirm.html",
        title="Resume?",
        action="/resume",
        button="Resume",
        explain="Lift the kill switch: what the halt cut short is sent again, buys still waiting for the sells' fills.",
        ask_reason=False,
        back_to="/",
    )


@router.post("/resume", dependencies=[Depends(require_operator)])
async def resume(request: Request) -> Response:
    web = context_of(request)
    waiting = await actions.resume(web.settings, web.ledger, _actor(request))
    if waiting:
        return back("/", f"still halted: the broker has not confirmed the cancels of {', '.join(waiting)}")
    return back("/", "resumed")


@router.get("/batches/{batch_id}/report")
def report(batch_id: str, request: Request) -> Response:
    """The execution-quality report of a batch, the same self-contained page `oms report --html` writes."""
    from oms.reporting.ledger_reports import BatchNotFound as ReportNotFound
    from oms.reporting.ledger_reports import report_batch
    from oms.reporting.report_html import render_html

    web = context_of(request)
    try:
        html = render_html(report_batch(web.ledger, batch_id))
    except ReportNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    # Style elements of the page and of its inline SVG charts (matplotlib writes <style type="text/css">).
    styles = [style_hash(css) for css in re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.S)]
    attributes = [style_hash(css) for css in set(re.findall(r'style="([^"]*)"', html))]
    sources = " ".join([*styles, "'unsafe-hashes'", *attributes] if attributes else styles)
    policy = CSP.replace("style-src 'self'", f"style-src {sources}")
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})


def _actor(request: Request) -> actions.Actor:
    return actions.Actor(role=str(request.state.role), client=client_of(request))
