"""What changed between two looks at the ledger, for a daemon to say: batches picked up, waves released, finished."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from oms.domain import Batch, BatchStatus, OrderStatus


@dataclass
class Progress:
    """One line per event since the last look (plain text, no printing here)."""

    lines: list[str] = field(default_factory=list)


@dataclass
class BatchWatch:
    """Remembers, per batch this process works, which waves it has seen released."""

    works: Callable[[Batch], bool]
    released: dict[str, set[int]] = field(default_factory=dict)

    def look(self, ledger: Any, broker: str, finished: list[str]) -> Progress:
        progress = Progress()
        with ledger.reading() as uow:
            batches = [
                b
                for b in uow.batches.list(open_only=True, limit=10_000)
                if b.broker == broker and b.status is BatchStatus.EXECUTING and self.works(b)
            ]
            orders = {b.id: uow.orders.for_batch(b.id) for b in batches}
        for batch in batches:
            if batch.id not in self.released:
                self.released[batch.id] = set()
                count = sum(1 for o in orders[batch.id] if o.parent_id is None)
                progress.lines.append(f"picked up batch {batch.id}: {count} orders from {batch.source}")
            sent = [
                o
                for o in orders[batch.id]
                if o.parent_id is None and o.status not in (OrderStatus.NEW, OrderStatus.VALIDATED)
            ]
            for wave in sorted({o.wave for o in sent} - self.released[batch.id]):
                released = [o for o in sent if o.wave == wave]
                progress.lines.append(f"batch {batch.id}: wave {wave} released ({len(released)} orders)")
                self.released[batch.id].add(wave)
        for batch_id in finished:
            if self.released.pop(batch_id, None) is not None:
                progress.lines.append(f"batch {batch_id} finished")
        return progress
