"""Split a whole number of lots by integer weights, exactly: the arithmetic under every algorithm.

Quantities are handled here as integer counts of the smallest lot (one share, or the fractional step), and
weights as non-negative integers, so the split is exact and the same on every machine: no floats, no rounding
that could lose or invent a share.
"""

from __future__ import annotations

from collections.abc import Sequence


def split_by_weights(total: int, weights: Sequence[int]) -> list[int]:
    """Share `total` units among `weights` proportionally; the parts sum to `total` exactly.

    Each part gets the floor of its exact share; the units left over go one each to the parts with the largest
    remainders, the earlier part first on a tie (so equal weights front-load the odd unit, never back-load it).
    """
    if total < 0:
        raise ValueError(f"total must not be negative, got {total}")
    if not weights:
        raise ValueError("at least one weight is needed")
    if any(weight < 0 for weight in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise ValueError("at least one weight must be positive")
    parts = []
    remainders = []
    for index, weight in enumerate(weights):
        part, remainder = divmod(total * weight, weight_sum)
        parts.append(part)
        remainders.append((-remainder, index))
    left = total - sum(parts)
    for _, index in sorted(remainders)[:left]:
        parts[index] += 1
    return parts


def enforce_minimum(parts: Sequence[int], minimum: int) -> list[tuple[int, int]]:
    """Merge parts smaller than `minimum` into a neighbour; return `(index, quantity)` of the parts kept.

    A small part is carried forward into the next kept part (it trades a little later, never earlier than
    planned); small parts at the very end fold back into the last kept part. Zero parts simply vanish. When the
    whole total is below `minimum`, it stays one part: a parent smaller than the minimum child is still traded.
    The kept indices are increasing and the quantities sum to `sum(parts)`.
    """
    if minimum < 1:
        raise ValueError(f"minimum must be at least 1 unit, got {minimum}")
    kept: list[tuple[int, int]] = []
    carry = 0
    first_nonzero: int | None = None
    for index, part in enumerate(parts):
        if part > 0 and first_nonzero is None:
            first_nonzero = index
        carry += part
        if carry >= minimum:
            kept.append((index, carry))
            carry = 0
    if carry:
        if kept:
            index, quantity = kept[-1]
            kept[-1] = (index, quantity + carry)
        else:
            kept.append((first_nonzero if first_nonzero is not None else 0, carry))
    return kept
