"""Waves and priorities: sells first so their proceeds exist before any buy needs them.

Order within each side: leveraged first (they carry the most risk per dollar), then the recommendation's own
`priority` (lower first; none last), then larger value first, then symbol, then file order, so the same input
always gives the same sequence. Sells form wave 1 and buys wave 2 (wave 1 when there are no sells). `priority`
is the order's rank in the whole plan, 1 first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import TypeVar

from oms.domain.enums import Side

T = TypeVar("T")
SELL_WAVE = 1
_NO_PRIORITY = 1 << 62


@dataclass(frozen=True, slots=True)
class SequenceKey:
    """The facts an order is sequenced by."""

    side: Side
    leveraged: bool
    value: Decimal
    symbol: str
    priority: int | None = None


def sequence(items: Sequence[T], key: Callable[[T], SequenceKey]) -> list[tuple[T, int, int]]:
    """Return `(item, wave, priority)` for every item, in release order."""
    keyed = [(_sort_key(key(item), position), item) for position, item in enumerate(items)]
    keyed.sort(key=itemgetter(0))
    has_sells = any(not sort_key[0] for sort_key, _ in keyed)
    buy_wave = SELL_WAVE + 1 if has_sells else SELL_WAVE
    return [
        (item, buy_wave if sort_key[0] else SELL_WAVE, rank) for rank, (sort_key, item) in enumerate(keyed, start=1)
    ]


def _sort_key(key: SequenceKey, position: int) -> tuple[bool, bool, int, Decimal, str, int]:
    # The first element is True for a buy: sells sort first and the wave is read back from it.
    return (
        key.side is Side.BUY,
        not key.leveraged,
        _NO_PRIORITY if key.priority is None else key.priority,
        -key.value,
        key.symbol,
        position,
    )
