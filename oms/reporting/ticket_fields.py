"""The manual order ticket and the exact text of each of its fields, shared by every rendering.

Each rendering (terminal, Markdown, HTML) shows the same words and the same numbers, because they all take them
from `ticket_rows` here: a person comparing the printed sheet with the screen never finds two versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from oms.domain.enums import OrderType, Side, TimeInForce
from oms.domain.order import Order
from oms.domain.values import require_aware
from oms.execution.ticks import format_price
from oms.text import money as dollars
from oms.text import quantity as format_quantity

TIME_IN_FORCE_WORDS = {
    TimeInForce.DAY: "DAY: good for today's session only",
    TimeInForce.GTC: "GTC: good till cancelled",
    TimeInForce.IOC: "IOC: fill what you can at once, cancel the rest",
    TimeInForce.FOK: "FOK: fill all at once or nothing",
    TimeInForce.OPG: "OPG: in the opening auction only",
    TimeInForce.CLS: "CLS: in the closing auction only",
}
ORDER_TYPE_WORDS = {
    OrderType.MARKET: "Market",
    OrderType.LIMIT: "Limit",
    OrderType.STOP: "Stop",
    OrderType.STOP_LIMIT: "Stop limit",
}
NEW_YORK = ZoneInfo("America/New_York")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class Ticket:
    """One order for a person to enter at a broker, with everything needed to enter it right."""

    number: int
    batch_id: str
    wave: int
    symbol: str
    side: Side
    quantity: Decimal
    order_type: OrderType
    time_in_force: TimeInForce
    client_order_id: str
    algorithm: str
    limit_price: Decimal | None = None
    reference_price: Decimal | None = None
    expected_cost_bps: Decimal | None = None
    warnings: tuple[str, ...] = ()
    enter_after_wave: int | None = None
    security_name: str | None = None
    reference_at: datetime | None = None  # when the reference (decision) price was taken
    slice_of: str | None = None  # "slice 2 of 4 of B1-0003" for a child of an algorithm's parent
    resizes: tuple[str, ...] = ()  # "78.5156 to 73.5687 shares: <reason>", oldest first
    for_the_open: datetime | None = None  # handed over while the market was closed: enter it for this open

    def __post_init__(self) -> None:
        for name in ("quantity", "limit_price", "reference_price", "expected_cost_bps"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, Decimal) or not value.is_finite()):
                raise TypeError(f"ticket {self.number}: {name} must be a finite Decimal, got {value!r}")
        if self.quantity <= 0:
            raise ValueError(f"ticket {self.number}: quantity must be positive, got {self.quantity}")
        if self.order_type.needs_limit_price and self.limit_price is None:
            raise ValueError(f"ticket {self.number}: a {self.order_type.value} order needs a limit price")

    @classmethod
    def from_order(
        cls,
        order: Order,
        *,
        number: int,
        algorithm: str,
        warnings: tuple[str, ...] = (),
        enter_after_wave: int | None = None,
        security_name: str | None = None,
        now: datetime | None = None,
    ) -> Ticket:
        """Make the ticket of a ledger order; its decision price, taken when it was planned, is the reference.

        A ticket handed over while the market was closed says which open it is for until that open (`now`).
        """
        from oms.domain.facts import for_the_open
        from oms.reporting.ticket_plan import resizes, slice_words

        opens = for_the_open(order)
        if opens is not None and now is not None and now >= opens:
            opens = None

        if order.batch_id is None or order.client_order_id is None:
            raise ValueError(f"order {order.id} needs a batch and a client order id before it can be a ticket")
        return cls(
            number=number,
            batch_id=order.batch_id,
            wave=order.wave,
            symbol=order.symbol,
            side=order.side,
            quantity=order.quantity,
            order_type=order.order_type,
            time_in_force=order.time_in_force,
            client_order_id=order.client_order_id,
            algorithm=algorithm,
            limit_price=order.limit_price,
            reference_price=order.decision_price,
            expected_cost_bps=order.expected_cost_bps,
            warnings=warnings,
            enter_after_wave=enter_after_wave,
            security_name=security_name,
            reference_at=order.created_at if order.decision_price is not None else None,
            slice_of=slice_words(order),
            resizes=resizes(order),
            for_the_open=opens,
        )

    @property
    def expected_cost_dollars(self) -> Decimal | None:
        """Return the expected cost in dollars, to the cent, when a reference price is known."""
        if self.expected_cost_bps is None or self.reference_price is None:
            return None
        value = self.quantity * self.reference_price * self.expected_cost_bps / Decimal(10_000)
        return value.quantize(CENT, ROUND_HALF_UP)

    @property
    def headline(self) -> str:
        """Return the one-line summary: "SELL 1,000 TQQQ"."""
        return f"{self.side.value.upper()} {format_quantity(self.quantity)} {self.symbol}"


def price_text(price: Decimal) -> str:
    """Return a price to its tick with a dollar sign: "$12.50", "$0.4321"."""
    return f"${format_price(price)}"


def cost_text(ticket: Ticket) -> str:
    """Return the expected cost: "8.5 bps (about $42.10)", or "not estimated"."""
    if ticket.expected_cost_bps is None:
        return "not estimated"
    text = f"{ticket.expected_cost_bps.quantize(TENTH, ROUND_HALF_UP):f} bps"
    amount = ticket.expected_cost_dollars
    return f"{text} (about {dollars(amount)})" if amount is not None else text


def reference_text(ticket: Ticket) -> str:
    """Return "$71.35, decision price of Mon 2026-11-24 09:35 New York time" (the time when it is known)."""
    if ticket.reference_price is None:
        return "none"
    text = price_text(ticket.reference_price)
    if ticket.reference_at is None:
        return text
    return f"{text}, decision price of {ticket.reference_at.astimezone(NEW_YORK):%a %Y-%m-%d %H:%M} New York time"


def time_in_force_text(ticket: Ticket) -> str:
    """Return the time in force in words; a DAY ticket for a coming open is good for that session, not today's."""
    if ticket.for_the_open is not None and ticket.time_in_force is TimeInForce.DAY:
        return f"DAY: good for the session of {ticket.for_the_open.astimezone(NEW_YORK):%a %Y-%m-%d} only"
    return TIME_IN_FORCE_WORDS[ticket.time_in_force]


def open_text(opens: datetime) -> str:
    """Return "the open of Fri 2026-12-04 (09:30 New York time)"."""
    local = opens.astimezone(NEW_YORK)
    return f"the open of {local:%a %Y-%m-%d} ({local:%H:%M} New York time)"


def for_the_open_text(ticket: Ticket) -> str | None:
    """Return what a ticket handed over while the market was closed asks, or None for one to enter now."""
    if ticket.for_the_open is None:
        return None
    return f"For {open_text(ticket.for_the_open)}: enter it before then; it trades from the open"


def enter_after_text(ticket: Ticket) -> str | None:
    """Return the sequencing note, or None when the ticket can be entered at once."""
    if ticket.enter_after_wave is None:
        return None
    return f"Enter after wave {ticket.enter_after_wave} has filled"


def ticket_rows(ticket: Ticket) -> list[tuple[str, str]]:
    """Return the ticket's fields as (label, text) in the order a person enters them at a broker."""
    limit = price_text(ticket.limit_price) if ticket.limit_price is not None else "none (market order)"
    rows = [("Symbol", ticket.symbol)]
    if ticket.security_name:
        rows.append(("Security", ticket.security_name))
    rows += [
        ("Side", ticket.side.value.upper()),
        ("Quantity", f"{format_quantity(ticket.quantity)} shares"),
    ]
    rows += [("Resized", text) for text in ticket.resizes]
    rows += [
        ("Order type", ORDER_TYPE_WORDS[ticket.order_type]),
        ("Limit price", limit),
        ("Time in force", time_in_force_text(ticket)),
        ("Client order id", ticket.client_order_id),
        ("Algorithm", ticket.algorithm),
    ]
    if ticket.slice_of:
        rows.append(("Slice", ticket.slice_of))
    rows.append(("Expected cost", cost_text(ticket)))
    if ticket.reference_price is not None:
        rows.append(("Reference price", reference_text(ticket)))
    rows.append(("Wave", str(ticket.wave)))
    for note in (for_the_open_text(ticket), enter_after_text(ticket)):
        if note:
            rows.append(("When", note))
    return rows


def ordered(tickets: list[Ticket]) -> list[Ticket]:
    """Return tickets in the order to enter them: by wave, then by number."""
    return sorted(tickets, key=lambda ticket: (ticket.wave, ticket.number))


def title(batch_id: str) -> str:
    return f"Order tickets for batch {batch_id}"


def summary_line(tickets: list[Ticket], generated_at: datetime | None = None) -> str:
    """Return "3 tickets in 2 waves" (which open they are for, and when they were made, in UTC, when known)."""
    waves = sorted({ticket.wave for ticket in tickets})
    text = (
        f"{len(tickets)} ticket{'' if len(tickets) == 1 else 's'} in {len(waves)} wave{'' if len(waves) == 1 else 's'}"
    )
    opens = sorted({ticket.for_the_open for ticket in tickets if ticket.for_the_open is not None})
    if opens:
        text += f", for {open_text(opens[0])}"
    if generated_at is not None:
        text += f", made {require_aware(generated_at).strftime('%Y-%m-%d %H:%M:%S UTC')}"
    return text


INSTRUCTIONS = (
    "Enter the tickets in order, sells before buys. Copy the client order id into the broker's order reference "
    "field. Record every fill (quantity, price, time) with oms fill, and write down any deviation and why."
)
