"""Notifications through apprise: a batch awaits approval, an order is blocked or rejected, a cycle keeps failing,
the kill switch changes, a batch finishes (with its fill rate and cost).

Each notice has a key (`awaiting_approval:<batch>`, `rejected:<order>`, ...). Before sending, the process that
sees the event claims the key by inserting a row in the ledger's `notifications` table; a second process, or
the same one after a restart, finds the row and sends nothing. Events older than the first start of the notifier
are not announced (a first start on an old ledger does not replay its history).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from oms.domain.values import utcnow
from oms.logging import get_logger
from oms.store import Ledger
from oms.store.tables import AuditRow, BatchRow, FillRow, NotificationRow, OrderEventRow, OrderRow
from oms.web.settings import NotifySettings

log = get_logger("oms.notify")
NOTES = NotificationRow.__table__  # type: ignore[attr-defined]
BATCHES = BatchRow.__table__  # type: ignore[attr-defined]
ORDERS = OrderRow.__table__  # type: ignore[attr-defined]
EVENTS = OrderEventRow.__table__  # type: ignore[attr-defined]
AUDIT = AuditRow.__table__  # type: ignore[attr-defined]
FILLS = FillRow.__table__  # type: ignore[attr-defined]
WATERMARK = "watermark"

Sender = Callable[[str, str], bool]


@dataclass(frozen=True)
class Notice:
    key: str
    kind: str
    subject: str
    title: str
    body: str


def apprise_sender(urls: tuple[str, ...]) -> Sender:
    """Send through every configured apprise URL; True when at least one took the message."""
    import apprise

    def send(title: str, body: str) -> bool:
        client = apprise.Apprise()
        for url in urls:
            client.add(url)
        return bool(client.notify(title=title, body=body))

    return send


class Notifier:
    """Finds what is worth telling in the ledger and tells it once."""

    def __init__(self, ledger: Ledger, settings: NotifySettings, send: Sender | None = None) -> None:
        self.ledger = ledger
        self.settings = settings
        self.send = send or (apprise_sender(settings.urls) if settings.urls else None)
        self.since = self._watermark()

    def _watermark(self) -> datetime:
        with self.ledger.unit_of_work() as uow:
            row = uow.connection.execute(select(NOTES.c.at).where(NOTES.c.key == WATERMARK)).first()
            if row is not None:
                return row.at
            now = utcnow()
            try:
                uow.connection.execute(
                    insert(NOTES).values(
                        key=WATERMARK, kind=WATERMARK, subject="", at=now, title="", body="", outcome="skipped"
                    )
                )
                uow.commit()
            except IntegrityError:
                uow.rollback()
                return self._watermark()
            return now

    def run_once(self) -> int:
        """Send every notice not sent before; returns how many this call sent."""
        return sum(1 for notice in self.pending() if self.deliver(notice))

    def deliver(self, notice: Notice) -> bool:
        """Claim the notice's key, then send it; False when another process or an earlier run had it."""
        with self.ledger.unit_of_work() as uow:
            try:
                uow.connection.execute(
                    insert(NOTES).values(
                        key=notice.key,
                        kind=notice.kind,
                        subject=notice.subject[:120],
                        at=utcnow(),
                        title=notice.title[:200],
                        body=notice.body[:2000],
                        outcome="pending",
                    )
                )
                uow.commit()
            except IntegrityError:
                uow.rollback()
                return False
        outcome = "skipped"
        if self.send is not None:
            try:
                outcome = "sent" if self.send(notice.title, notice.body) else "failed"
            except Exception as exc:  # a notification service must never take the OMS down with it
                log.warning("notify.failed", kind=notice.kind, error=type(exc).__name__)
                outcome = "failed"
        with self.ledger.unit_of_work() as uow:
            uow.connection.execute(
                update(NOTES).where(NOTES.c.key == notice.key).values(outcome=outcome, sent_at=utcnow())
            )
            uow.commit()
        log.info("notify.sent" if outcome == "sent" else f"notify.{outcome}", kind=notice.kind, key=notice.key)
        return outcome == "sent"

    def pending(self) -> list[Notice]:
        with self.ledger.reading() as uow:
            done = {row.key for row in uow.connection.execute(select(NOTES.c.key).where(NOTES.c.at >= self.since))}
            found = [*self._batches(uow), *self._rejections(uow), *self._switches(uow)]
        return [n for n in found if n.key not in done]

    def _batches(self, uow: Any) -> list[Notice]:
        rows = uow.connection.execute(
            select(BATCHES).where(
                BATCHES.c.updated_at >= self.since, BATCHES.c.status.in_(("awaiting_approval", "finished"))
            )
        )
        notices = []
        for row in rows:
            if row.status == "awaiting_approval":
                notices.append(
                    Notice(
                        f"awaiting_approval:{row.id}",
                        "awaiting_approval",
                        row.id,
                        f"OMS: batch {row.id} awaits approval",
                        f"Batch {row.id} ({row.mode}, {row.broker}) waits for an operator to approve it.",
                    )
                )
            else:
                notices.append(
                    Notice(
                        f"finished:{row.id}",
                        "batch_finished",
                        row.id,
                        f"OMS: batch {row.id} finished",
                        finished_text(uow, row.id),
                    )
                )
        return notices

    def _rejections(self, uow: Any) -> list[Notice]:
        rows = uow.connection.execute(
            select(
                EVENTS.c.order_id,
                ORDERS.c.client_order_id,
                ORDERS.c.symbol,
                ORDERS.c.side,
                ORDERS.c.quantity,
                ORDERS.c.status_reason,
                ORDERS.c.batch_id,
            )
            .join(ORDERS, ORDERS.c.id == EVENTS.c.order_id)
            .where(EVENTS.c.to_status == "rejected", EVENTS.c.at >= self.since)
        )
        return [
            Notice(
                f"rejected:{row.order_id}",
                "order_rejected",
                row.batch_id or "",
                f"OMS: order {row.client_order_id} blocked or rejected",
                f"{row.side} {_qty(row.quantity)} {row.symbol} (batch {row.batch_id}): {row.status_reason or ''}",
            )
            for row in rows
        ]

    def _switches(self, uow: Any) -> list[Notice]:
        rows = uow.connection.execute(
            select(AUDIT).where(AUDIT.c.action.in_(("halt", "resume")), AUDIT.c.at >= self.since)
        )
        notices = []
        for row in rows:
            reason = (row.details or {}).get("reason") or ""
            word = "ON (halted)" if row.action == "halt" else "OFF (resumed)"
            notices.append(
                Notice(
                    f"audit:{row.id}",
                    "kill_switch",
                    row.subject,
                    f"OMS: kill switch {word}",
                    f"{row.subject}: kill switch {word} by {row.actor}" + (f": {reason}" if reason else ""),
                )
            )
        return notices

    def cycle_failing(self, name: str, failures: int, since: datetime, error: str) -> bool:
        """A scheduler's cycle failed `failures` times in a row since `since`: tell it once per such streak."""
        if failures < self.settings.failing_cycles:
            return False
        notice = Notice(
            f"cycle_failing:{name}:{since.isoformat()}",
            "cycle_failing",
            name[:120],
            f"OMS: the cycle of {name} keeps failing",
            f"{failures} cycles in a row failed since {since:%Y-%m-%d %H:%M:%S} UTC; last error: {error}",
        )
        return self.deliver(notice)


def finished_text(uow: Any, batch_id: str) -> str:
    """Fill rate and cost of a finished batch: filled value over ordered value, slippage and commissions."""
    orders = list(
        uow.connection.execute(select(ORDERS).where(ORDERS.c.batch_id == batch_id, ORDERS.c.parent_id.is_(None)))
    )
    commissions = uow.connection.execute(
        select(FILLS.c.commission).where(FILLS.c.order_id.in_([o.id for o in orders]), FILLS.c.allocation.is_(False))
    )
    commission = sum((Decimal(r.commission) for r in commissions), Decimal(0))
    ordered = filled = slippage = Decimal(0)
    for order in orders:
        reference = order.decision_price or order.limit_price or order.average_fill_price or Decimal(0)
        ordered += order.quantity * reference
        if order.filled_quantity and order.average_fill_price is not None:
            filled += order.filled_quantity * reference
            sign = 1 if order.side == "buy" else -1
            slippage += sign * (order.average_fill_price - reference) * order.filled_quantity
    complete = sum(1 for o in orders if o.status == "filled")
    rate = f"{filled / ordered * 100:.1f}%" if ordered else "n/a"
    cost = slippage + commission
    bps = f" ({cost / filled * 10000:.1f} bps)" if filled else ""
    return (
        f"Batch {batch_id} finished: fill rate {rate} of the ordered value ({complete}/{len(orders)} orders filled); "
        f"cost {_money(cost)}{bps}: slippage {_money(slippage)} against the decision price, "
        f"commissions {_money(commission)}."
    )


def _money(value: Decimal) -> str:
    return f"${value.quantize(Decimal('0.01')):,}"


def _qty(value: Decimal) -> str:
    return f"{value.normalize():f}"


def failure_notices(settings: Any, ledger: Ledger, name: str) -> Callable[[int, datetime, Exception], None] | None:
    """The scheduler's hook for failed cycles when `[notify] urls` are set (None otherwise, or when misconfigured:
    `oms serve` and the settings check say why; a daemon does not stop for a notification setting)."""
    from oms.config import ConfigError

    try:
        notify = NotifySettings.from_settings(settings)
    except ConfigError:
        return None
    if not notify.urls:
        return None
    notifier = Notifier(ledger, notify)

    def told(failures: int, since: datetime, exc: Exception) -> None:
        notifier.cycle_failing(name, failures, since, f"{type(exc).__name__}: {str(exc)[:300]}")

    return told
