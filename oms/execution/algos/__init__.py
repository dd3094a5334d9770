"""Child-order schedules: how a parent order is split over time by its algorithm.

`build_schedule` is pure and deterministic: the same parent, start and settings give the same children, the
same quantities, times and client order ids, on every run. The engine calls it when it releases a parent and
again after a restart, and gets the same answer.

- market, limit: one child for the whole quantity at the start.
- TWAP: equal children at equal intervals (`slice_interval_minutes`) across the horizon.
- VWAP: one child per volume-profile bucket the horizon overlaps, sized by the bucket's share of the day's
  volume times the part of the bucket inside the horizon (see `oms.execution.algos.volume_profile`). A horizon that
  starts mid-session takes only the buckets still ahead; one outside the session falls back to equal children.
- IS (implementation shortfall): children on the TWAP grid whose sizes decay geometrically, each `is_decay` of
  the one before (0.85 low, 0.7 normal, 0.5 high urgency by default), so more urgency trades more at once,
  accepting impact to cut the risk of the price running away.

Every schedule sums exactly to the parent's quantity, in whole shares unless the security trades in fractions,
with no child below the minimum child size (a small child is merged into the next one; a parent smaller than the
minimum is one child). Times never go backwards and stay within the horizon, which never passes the close.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from oms.domain.enums import Algo, Side, Urgency
from oms.domain.errors import DomainError
from oms.domain.values import require_aware, to_decimal
from oms.execution.algos.child_ids import child_client_order_id
from oms.execution.algos.settings import AlgoSettings
from oms.execution.algos.slices import ChildSlice, LotRules, Schedule
from oms.execution.algos.splitting import enforce_minimum, split_by_weights
from oms.execution.algos.volume_profile import U_SHAPED, TradingSession, VolumeProfile, session_of
from oms.execution.algos.words import describe

__all__ = [
    "ChildSlice",
    "LotRules",
    "Schedule",
    "ScheduleError",
    "TradingSession",
    "VolumeProfile",
    "build_schedule",
    "describe",
]

DEFAULT_SETTINGS = AlgoSettings()


class ScheduleError(DomainError):
    """A parent that cannot be scheduled as asked (quantity off the lot size, and the like)."""

    code = "INVALID_SCHEDULE"


def build_schedule(
    *,
    parent_client_order_id: str,
    quantity: Decimal | int | str,
    side: Side,
    algo: Algo,
    start: datetime,
    horizon: timedelta | None = None,
    session: TradingSession | None = None,
    urgency: Urgency = Urgency.NORMAL,
    lots: LotRules | None = None,
    settings: AlgoSettings = DEFAULT_SETTINGS,
    profile: VolumeProfile | None = None,
) -> Schedule:
    """Split a parent into its children.

    The horizon runs from `start` for `horizon` (to the session's close when omitted), clipped to the close; a
    start before the open waits for the open. `session` defaults to the regular US session of `start`'s New York
    date; the engine passes its market clock's session (a half day, the simulator's session).
    """
    start = require_aware(start, "start")
    lots = lots or LotRules.from_settings(settings, fractional=False)
    units, min_units = _lot_units(to_decimal(quantity, "quantity"), lots)
    if horizon is not None and horizon < timedelta(0):
        raise ScheduleError(f"horizon must not be negative, got {horizon}", code="INVALID_HORIZON")
    session = session or session_of(start)
    window_start, end = _window(start, horizon, session)

    interval: timedelta | None = None
    profile_name: str | None = None
    note = ""
    if algo in (Algo.MARKET, Algo.LIMIT):
        times, weights = [window_start], [1]
    elif algo is Algo.VWAP and session.open <= window_start < session.close and end > window_start:
        profile = profile or _default_profile(settings.vwap_profile)
        times, weights = _bucketed(profile.bucket_overlaps(session, window_start, end), settings.max_slices)
        profile_name = profile.name
    else:
        times, interval = _grid(window_start, end, settings, max(1, units // min_units))
        equal = algo is not Algo.IS
        weights = [1] * len(times) if equal else _geometric(len(times), settings.is_decay[urgency])
        if algo is Algo.VWAP:
            note = "the horizon is outside the regular session, so the children are equal"

    kept = enforce_minimum(split_by_weights(units, weights), min_units)
    slices = []
    for number, (index, part) in enumerate(kept, start=1):
        due = times[kept[number][0]] if number < len(kept) else max(end, times[index])
        slices.append(
            ChildSlice(
                sequence=number,
                quantity=Decimal(part) * lots.step,
                not_before=times[index],
                due=due,
                client_order_id=child_client_order_id(
                    parent_client_order_id, number, max_length=settings.client_order_id_max_length
                ),
            )
        )
    return Schedule(
        parent_client_order_id=parent_client_order_id,
        algo=algo,
        side=side,
        urgency=urgency,
        quantity=Decimal(units) * lots.step,
        start=window_start,
        end=max(end, window_start),
        slices=tuple(slices),
        interval=interval if len(slices) > 1 else None,
        profile_name=profile_name,
        note=note,
    )


def _lot_units(quantity: Decimal, lots: LotRules) -> tuple[int, int]:
    """Return the quantity and the minimum child as whole counts of the lot step, refusing what does not fit."""
    if quantity <= 0:
        raise ScheduleError(f"quantity must be positive, got {quantity}", code="INVALID_QUANTITY")
    step = lots.step
    if step <= 0 or lots.min_child_quantity <= 0:
        raise ScheduleError("lot step and minimum child must be positive", code="INVALID_LOT_RULES")
    units, remainder = divmod(quantity, step)
    if remainder:
        if lots.fractional:
            raise ScheduleError(f"quantity {quantity} is finer than the step {step}", code="QUANTITY_NOT_ON_STEP")
        raise ScheduleError(
            f"quantity {quantity} is not whole shares and the security does not trade fractions",
            code="QUANTITY_NOT_WHOLE",
        )
    min_units = max(1, math.ceil(lots.min_child_quantity / step))
    return int(units), min_units


def _window(start: datetime, horizon: timedelta | None, session: TradingSession) -> tuple[datetime, datetime]:
    """Return the working window: from the start (or the open, if later) to the horizon's end, capped at the close.

    Outside the session (after its close) nothing is capped: the caller chose the times and we keep them.
    """
    if start >= session.close:
        return start, start + (horizon or timedelta(0))
    window_start = max(start, session.open)
    end = session.close if horizon is None else min(start + horizon, session.close)
    return window_start, max(end, window_start)


def _grid(start: datetime, end: datetime, settings: AlgoSettings, most: int) -> tuple[list[datetime], timedelta]:
    """Return equally spaced times from `start`, one per interval, fewer (spread wider) when capped."""
    duration = int((end - start).total_seconds())
    interval = settings.slice_interval_minutes * 60
    natural = max(1, math.ceil(duration / interval))
    count = min(natural, settings.max_slices, most)
    spacing = interval if count == natural else duration // count
    return [start + timedelta(seconds=i * spacing) for i in range(count)], timedelta(seconds=spacing)


def _geometric(count: int, ratio: Decimal) -> list[int]:
    """Return integer weights r^0, r^1, ... r^(count-1) with exact ratios (numerators and denominators)."""
    fraction = Fraction(ratio)
    p, q = fraction.numerator, fraction.denominator
    return [p**i * q ** (count - 1 - i) for i in range(count)]


def _bucketed(overlaps: list[tuple[datetime, int]], most: int) -> tuple[list[datetime], list[int]]:
    """Return the buckets' times and weights, joining neighbours when there are more buckets than `most`."""
    size = max(1, math.ceil(len(overlaps) / most))
    groups = [overlaps[i : i + size] for i in range(0, len(overlaps), size)]
    return [group[0][0] for group in groups], [sum(weight for _, weight in group) for group in groups]


@lru_cache(maxsize=8)
def _default_profile(weights: tuple[Decimal, ...]) -> VolumeProfile:
    if weights == U_SHAPED.weights:
        return U_SHAPED
    return VolumeProfile("configured intraday volume", weights)
