"""Stopping a whole batch: its working orders cancelled at the broker, its unsent ones ended, who and when recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oms.domain import Batch, InvalidTransition, OrderStatus
from oms.domain.batch import CANCELLED_BY
from oms.execution import controls
from oms.logging import get_logger

log = get_logger("oms.operations")


@dataclass
class BatchCancel:
    """What `cancel_batch` did (client order ids)."""

    batch: Batch
    asked_at_broker: list[str] = field(default_factory=list)
    ended_unsent: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    still_working: list[str] = field(default_factory=list)


async def cancel_batch(wiring: Any, batch_ref: str, *, actor: str, reason: str) -> BatchCancel:
    """Cancel a batch: unsent orders end with the reason, working ones are cancelled at the broker. BatchNotFound."""
    engine = wiring.engine
    batch = engine.find_batch(batch_ref)
    if not batch.status.is_open:
        raise InvalidTransition(f"batch {batch.id} is {batch.status.value}; nothing to cancel")
    now = engine.clock()
    why = f"batch cancelled by {actor}: {reason}"
    with engine.ledger.unit_of_work() as uow:
        stored = uow.batches.get(batch.id) or batch
        stored.details = {
            **stored.details,
            CANCELLED_BY: actor,
            "cancelled_at": now.isoformat(),
            "cancel_reason": reason,
        }
        uow.batches.save(stored)
        controls.record(uow, actor, "cancel_batch", batch.id, reason=reason)
        uow.commit()
    done = BatchCancel(stored)
    for order in engine.batch_orders(batch.id):
        if order.parent_id is not None or not order.is_open:
            continue
        coid = order.client_order_id or order.id
        try:
            result = await engine.cancel_order(order.id, actor=actor, reason=why)
        except InvalidTransition:
            done.refused.append(coid)
            continue
        if order.status in (OrderStatus.NEW, OrderStatus.VALIDATED):
            done.ended_unsent.append(coid)
        elif result.status is OrderStatus.PENDING_CANCEL or result.is_terminal:
            done.asked_at_broker.append(coid)
        else:
            done.refused.append(coid)
    await engine.cycle()  # book what the broker confirms at once; the batch closes when nothing is left open
    done.still_working = [o.client_order_id or o.id for o in engine.batch_orders(batch.id) if o.is_open]
    done.batch = engine.find_batch(batch.id)
    log.warning("batch.cancelled", batch_id=batch.id, by=actor, reason=reason, working=len(done.still_working))
    return done
