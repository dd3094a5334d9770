"""Trading sessions and the intraday volume profile VWAP follows.

The default profile is a stylised U-shape over the US regular session (09:30-16:00 America/New_York) in
thirteen half-hour buckets: busy after the open, quiet around lunch, busiest into the close (the closing auction
alone is a large share of a day's volume in US equities). It is an illustrative shape of the kind published in
market-structure studies, not data measured by this project; pass your own `VolumeProfile` when you have
measured one for your names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from oms.domain.values import require_aware

NEW_YORK = ZoneInfo("America/New_York")
REGULAR_OPEN = time(9, 30)
REGULAR_CLOSE = time(16, 0)
_MICROSECOND = timedelta(microseconds=1)

# Percent of the day's volume per half hour, 09:30 first; they sum to 100.
U_SHAPED_PERCENTS = ("12", "9", "7.5", "6.5", "6", "5.5", "5", "5", "5.5", "6", "7", "9", "16")


@dataclass(frozen=True, slots=True)
class TradingSession:
    """One trading session: the open and the close, aware datetimes in UTC."""

    open: datetime
    close: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "open", require_aware(self.open, "session open"))
        object.__setattr__(self, "close", require_aware(self.close, "session close"))
        if self.close <= self.open:
            raise ValueError(f"session close {self.close} must be after its open {self.open}")

    @property
    def seconds(self) -> int:
        return int((self.close - self.open).total_seconds())


def regular_session(day: date) -> TradingSession:
    """Return the US regular session 09:30-16:00 America/New_York of `day`, daylight saving included.

    It knows no holidays or half days: the engine passes the market clock's real session when it has one.
    """
    return TradingSession(
        open=datetime.combine(day, REGULAR_OPEN, tzinfo=NEW_YORK).astimezone(UTC),
        close=datetime.combine(day, REGULAR_CLOSE, tzinfo=NEW_YORK).astimezone(UTC),
    )


def session_of(at: datetime) -> TradingSession:
    """Return the regular session of the New York calendar day that `at` falls on."""
    return regular_session(require_aware(at).astimezone(NEW_YORK).date())


@dataclass(frozen=True, slots=True)
class VolumeProfile:
    """Relative volume in equal buckets spanning a session, first bucket at the open.

    Weights are relative (they need not sum to 1 or 100). A shorter session (a half day, a simulated session)
    stretches or squeezes the same shape onto its own open and close.
    """

    name: str
    weights: tuple[Decimal, ...]

    def __post_init__(self) -> None:
        if not self.weights:
            raise ValueError("a volume profile needs at least one bucket")
        for weight in self.weights:
            if not isinstance(weight, Decimal) or not weight.is_finite() or weight < 0:
                raise ValueError(f"volume profile weights must be finite, non-negative Decimals, got {weight!r}")
        if sum(self.weights) <= 0:
            raise ValueError("a volume profile needs at least one positive weight")

    def bucket_overlaps(self, session: TradingSession, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
        """Return, per bucket, `(bucket start clipped to start, weight)` for the buckets overlapping [start, end).

        A bucket's weight is its profile weight times the fraction of it inside the window, scaled to integers
        with exact ratios, ready for splitting. Bucket edges fall on whole seconds from the open; the last bucket
        absorbs any odd seconds (its weight is still per its own length, so the shape is kept).
        """
        count = len(self.weights)
        length = session.seconds // count
        exact: list[tuple[datetime, Fraction]] = []
        for index, weight in enumerate(self.weights):
            bucket_start = session.open + timedelta(seconds=index * length)
            bucket_end = session.close if index == count - 1 else bucket_start + timedelta(seconds=length)
            overlap_start = max(bucket_start, start)
            overlap_end = min(bucket_end, end)
            if overlap_end <= overlap_start:
                continue
            covered = _ratio(overlap_end - overlap_start, bucket_end - bucket_start)
            exact.append((overlap_start, Fraction(weight) * covered))
        scale = math.lcm(*(weight.denominator for _, weight in exact)) if exact else 1
        return [(at, int(weight * scale)) for at, weight in exact]


def _ratio(part: timedelta, whole: timedelta) -> Fraction:
    return Fraction(part // _MICROSECOND, whole // _MICROSECOND)


U_SHAPED = VolumeProfile("usual U-shaped intraday volume", tuple(Decimal(p) for p in U_SHAPED_PERCENTS))
