"""The JSON API under /api/: batches, one batch, the operator's actions, and the live event feed (SSE)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from oms.execution.engine import BatchNotFound
from oms.web import actions, queries
from oms.web.context import client_of, context_of, require_operator

router = APIRouter(prefix="/api", tags=["supervision"])
FEED_SECONDS = 0.25  # how often the feed looks for new rows: a fill shows well within a second
HEARTBEAT_SECONDS = 15.0


class ApproveBody(BaseModel):
    orders: list[str] = Field(default_factory=list, description="Warned orders to approve too (ids or prefixes).")
    all: bool = Field(default=False, description="Approve warned orders as well, as `oms approve --all`.")


class ReasonBody(BaseModel):
    reason: str = Field(default="", max_length=500)


class Outcome(BaseModel):
    ok: bool = True
    detail: str
    orders: list[str] = Field(default_factory=list)


def actor(request: Request) -> actions.Actor:
    return actions.Actor(role=str(request.state.role), client=client_of(request))


def refused(exc: Exception) -> HTTPException:
    if isinstance(exc, BatchNotFound):
        return HTTPException(404, str(exc))
    return HTTPException(409, str(exc))


@router.get("/batches")
def list_batches(request: Request) -> dict[str, Any]:
    """Batches, newest first, each with its state and who must act next; the kill switches that are on."""
    return queries.batch_list(context_of(request).ledger)


@router.get("/batches/{batch_id}")
def get_batch(batch_id: str, request: Request) -> dict[str, Any]:
    """One batch: waves, orders, fills, funding, risk findings and its audit trail."""
    detail = queries.batch_detail(context_of(request).ledger, batch_id)
    if detail is None:
        raise HTTPException(404, f"no batch {batch_id!r} in the ledger")
    return detail


@router.post("/batches/{batch_id}/approve", dependencies=[Depends(require_operator)])
def approve_batch(batch_id: str, body: ApproveBody, request: Request) -> Outcome:
    """Approve a batch: orders without warnings, plus warned orders named in `orders`, or all with `all`."""
    web = context_of(request)
    try:
        ids = actions.approve(
            web.settings, web.ledger, actor(request), batch_id, order_ids=body.orders, all_orders=body.all
        )
    except (BatchNotFound, actions.ActionRefused) as exc:
        raise refused(exc) from None
    return Outcome(detail=f"{len(ids)} orders approved", orders=ids)


@router.post("/halt", dependencies=[Depends(require_operator)])
async def halt(body: ReasonBody, request: Request) -> Outcome:
    """The kill switch: refuse new submissions and cancel open orders at the broker."""
    web = context_of(request)
    cancelled = await actions.halt(
        web.settings, web.ledger, actor(request), reason=body.reason or "halted from the web"
    )
    return Outcome(detail=f"halted; {cancelled} open orders asked to cancel")


@router.post("/resume", dependencies=[Depends(require_operator)])
async def resume(request: Request) -> Outcome:
    """Lift the kill switch and send again what it cut short (as `oms resume`)."""
    web = context_of(request)
    waiting = await actions.resume(web.settings, web.ledger, actor(request))
    if waiting:
        return Outcome(detail=f"still halted: the broker has not confirmed the cancels of {', '.join(waiting)}")
    return Outcome(detail="resumed")


@router.post("/orders/{order_id}/cancel", dependencies=[Depends(require_operator)])
async def cancel_order(order_id: str, body: ReasonBody, request: Request) -> Outcome:
    """Cancel one order (at the broker when it works there)."""
    web = context_of(request)
    try:
        status = await actions.cancel_order(
            web.settings, web.ledger, actor(request), order_id, reason=body.reason or "cancelled from the web"
        )
    except (BatchNotFound, actions.ActionRefused) as exc:
        raise refused(exc) from None
    return Outcome(detail=f"order is {status}", orders=[order_id])


@router.post("/batches/{batch_id}/cancel", dependencies=[Depends(require_operator)])
async def cancel_batch(batch_id: str, body: ReasonBody, request: Request) -> Outcome:
    """Cancel every open order of a batch; unsent ones end at once, working ones at the broker."""
    web = context_of(request)
    try:
        count = await actions.cancel_batch(
            web.settings, web.ledger, actor(request), batch_id, reason=body.reason or "batch cancelled from the web"
        )
    except (BatchNotFound, actions.ActionRefused) as exc:
        raise refused(exc) from None
    return Outcome(detail=f"{count} orders asked to cancel")


@router.get("/events", response_class=StreamingResponse)
async def events(request: Request, after: int | None = None) -> StreamingResponse:
    """Server-Sent Events: each new row of the ledger's order-event log, and kill-switch changes.

    Resumes after `Last-Event-ID` (or `?after=`); without either it starts with rows written from now on.
    """
    ledger = context_of(request).ledger
    header = request.headers.get("last-event-id", "")
    last = int(header) if header.isdigit() else after
    if last is None:
        last = await asyncio.to_thread(queries.last_event_id, ledger)
    return StreamingResponse(
        _feed(request, last),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _feed(request: Request, last: int) -> AsyncIterator[str]:
    ledger = context_of(request).ledger
    halts = await asyncio.to_thread(queries.halt_signature, ledger)
    yield "retry: 1000\n\n"
    quiet = 0.0
    while not await request.is_disconnected():
        rows = await asyncio.to_thread(queries.events_after, ledger, last)
        for row in rows:
            last = row["id"]
            yield f"id: {last}\nevent: order\ndata: {json.dumps(row)}\n\n"
        now = await asyncio.to_thread(queries.halt_signature, ledger)
        if now != halts:
            halts = now
            yield f"event: control\ndata: {json.dumps({'halts': now})}\n\n"
            rows = rows or [{}]
        quiet = 0.0 if rows else quiet + FEED_SECONDS
        if quiet >= HEARTBEAT_SECONDS:
            quiet = 0.0
            yield ": still here\n\n"
        await asyncio.sleep(FEED_SECONDS)
