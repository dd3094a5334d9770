"""A schedule in plain words, for a ticket or a status line: "4 orders of 250 shares, one every 15 minutes"."""

from __future__ import annotations

from itertools import pairwise

from oms.domain.enums import Algo
from oms.execution.algos.slices import Schedule
from oms.text import duration as format_duration
from oms.text import quantity as format_quantity
from oms.text import shares


def _every(schedule: Schedule) -> str:
    """Return "one every 15 minutes" when the children are evenly spaced, else when each one starts."""
    times = [child.not_before for child in schedule.slices]
    gaps = {later - earlier for earlier, later in pairwise(times)}
    if len(gaps) == 1:
        text = format_duration(gaps.pop())
        return f"one every {text[2:] if text in ('1 hour', '1 minute', '1 second') else text}"
    # Uneven only after small children were merged; then say when each starts, if that stays readable.
    offsets = [format_duration(at - times[0]) for at in times[1:]]
    if len(offsets) > 5:
        return "at uneven intervals"
    return f"at the start, then {', '.join(offsets[:-1])} and {offsets[-1]} after it"


def describe(schedule: Schedule) -> str:
    """Say what the schedule will do, in the words a person would use at a trading desk."""
    slices = schedule.slices
    if schedule.algo is Algo.MARKET:
        return f"One market order for {shares(schedule.quantity)}"
    if schedule.algo is Algo.LIMIT:
        return f"One limit order for {shares(schedule.quantity)}"
    if len(slices) == 1:
        return f"One order for {shares(schedule.quantity)}, at once"
    count = len(slices)
    sizes = [child.quantity for child in slices]
    low, high = min(sizes), max(sizes)
    span = format_duration(schedule.end - schedule.start)
    if schedule.algo is Algo.IS:
        return (
            f"{count} orders over {span}, front-loaded: {shares(sizes[0])} first, then smaller, "
            f"down to {shares(sizes[-1])}, {_every(schedule)}"
        )
    if schedule.profile_name is not None:
        return (
            f"{count} orders over {span}, sized to the {schedule.profile_name} "
            f"({format_quantity(low)} to {shares(high)} each)"
        )
    if low == high:
        size = f"{count} orders of {shares(low)}"
    else:
        size = (
            f"{count} orders of {format_quantity(low)} to {shares(high)} ({format_quantity(schedule.quantity)} in all)"
        )
    return f"{size}, {_every(schedule)}"
