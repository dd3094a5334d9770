"""The quote at arrival, as the engine records it on an order and as TCA reads it back.

The engine calls `arrival_details(quote, venue_now)` where it releases an order and stores the result as the
`arrival` note. Keeping both sides here means the words written and the words read cannot drift apart.

One clock: a venue with a session clock of its own (the simulator) stamps its fills on that clock, so the arrival
is stamped on it too (`venue_at`); TCA measures every duration of the order from there. Without one, the venue's
fills carry real time and the arrival is the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from oms.domain import Order
from oms.domain.market import Quote, VenueQuote
from oms.domain.values import decimal_text

VENUE = "venue"
WALL = "wall"
BPS = Decimal(10_000)


def arrival_details(quote: Quote | None, venue_now: datetime | None) -> dict[str, str | None]:
    """Return the details of an `arrival` note: the price, the bid and ask when quoted, and when, on which clock.

    A venue quote's own time is the freshest reading of the venue's clock; otherwise `venue_now` (the engine's last
    reading of it, or None when the venue keeps real time).
    """
    if isinstance(quote, VenueQuote):
        venue_now = quote.at
    return {
        "arrival_price": decimal_text(quote.price) if quote is not None else None,
        "bid": decimal_text(quote.bid) if quote is not None and quote.bid is not None else None,
        "ask": decimal_text(quote.ask) if quote is not None and quote.ask is not None else None,
        "quote_at": quote.at.isoformat() if quote is not None else None,
        "venue_at": venue_now.isoformat() if venue_now is not None else None,
    }


@dataclass(frozen=True, slots=True)
class RecordedArrival:
    """What the engine noted when it released the order."""

    price: Decimal
    at: datetime  # on `clock`
    clock: str  # VENUE or WALL
    bid: Decimal | None = None
    ask: Decimal | None = None

    @property
    def spread_bps(self) -> Decimal | None:
        """The quoted spread (ask - bid) over the midpoint, in basis points; None unless both sides were quoted."""
        if self.bid is None or self.ask is None or self.ask < self.bid or self.bid <= 0:
            return None
        return (self.ask - self.bid) / ((self.ask + self.bid) / 2) * BPS


def recorded_arrival(order: Order) -> RecordedArrival | None:
    """Return the first event carrying an `arrival_price` (the engine's arrival note), or None."""
    for event in order.events:
        details = event.details
        text = details.get("arrival_price")
        if not text:
            continue
        venue_at = details.get("venue_at")
        at, clock = (datetime.fromisoformat(venue_at), VENUE) if venue_at else (event.at, WALL)
        return RecordedArrival(
            price=Decimal(text),
            at=at,
            clock=clock,
            bid=_decimal(details.get("bid")),
            ask=_decimal(details.get("ask")),
        )
    return None


def _decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text else None
