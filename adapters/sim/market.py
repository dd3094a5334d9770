"""The simulated market: a seeded price walk per symbol, an intraday volume profile and the cost of a fill.

Prices are floats inside the simulator (a random walk is statistics, not money); every price that leaves it is
rounded to the tick and becomes a `Decimal`.
"""

from __future__ import annotations

import hashlib
import math
from decimal import ROUND_HALF_EVEN, Decimal
from statistics import NormalDist

from adapters.sim.clock import SESSION_SECONDS
from oms.domain.enums import Side
from oms.domain.market import Security

_NORMAL = NormalDist()
_CENT = Decimal("0.01")
_HUNDREDTH_CENT = Decimal("0.0001")


def shock(seed: int, symbol: str, step: int) -> float:
    """Return the standard normal shock of `symbol` at `step`: a pure function of seed, symbol and step.

    Hashing instead of a stateful generator makes every price reproducible whichever process computes it and in
    whatever order, and leaves no generator state to persist.
    """
    digest = hashlib.blake2b(f"{seed}:{symbol}:{step}".encode(), digest_size=8).digest()
    uniform = (int.from_bytes(digest, "big") + 0.5) / 2.0**64
    return _NORMAL.inv_cdf(uniform)


def step_volatility(security: Security, step_seconds: float) -> float:
    return float(security.daily_volatility) * math.sqrt(step_seconds / SESSION_SECONDS)


def walk(mid: float, from_step: int, to_step: int, *, seed: int, symbol: str, sigma: float) -> float:
    """Return the mid price at `to_step`, given the mid at `from_step` (a driftless geometric walk)."""
    for step in range(from_step + 1, to_step + 1):
        mid *= math.exp(sigma * shock(seed, symbol, step) - 0.5 * sigma * sigma)
    return mid


def volume_weight(fraction_of_session: float) -> float:
    """Return the U-shaped intraday volume weight at a point of the session (averages 1 over the session)."""
    centred = 2.0 * fraction_of_session - 1.0
    return 0.6 + 1.2 * centred * centred


def step_volume(security: Security, step_seconds: float, fraction_of_session: float) -> float:
    """Return the shares the market trades in one step at this point of the session."""
    return float(security.adv) * step_seconds / SESSION_SECONDS * volume_weight(fraction_of_session)


def half_spread(security: Security, mid: float) -> float:
    return mid * float(security.spread_bps) / 20_000.0


def touch(side: Side, security: Security, mid: float) -> float:
    """Return the price a marketable order meets first: the ask for a buy, the bid for a sell."""
    return mid + side.sign * half_spread(security, mid)


def impacted_price(side: Side, security: Security, mid: float, quantity: Decimal, coefficient: float) -> float:
    """Return the touch moved against the order by square-root impact: coefficient * sigma_daily * sqrt(qty / ADV)."""
    adv = float(security.adv) or 1.0
    impact = coefficient * float(security.daily_volatility) * math.sqrt(float(quantity) / adv)
    return touch(side, security, mid) + side.sign * mid * impact


def to_tick(price: float) -> Decimal:
    """Round a price to the US equity tick: a cent at or above $1, a hundredth of a cent below."""
    value = Decimal(repr(price))
    return value.quantize(_CENT if value >= 1 else _HUNDREDTH_CENT, rounding=ROUND_HALF_EVEN)


def lot(security: Security, shares: float) -> Decimal:
    """Return the fillable size of `shares`: whole shares, or ten-thousandths for a fractional security."""
    unit = _HUNDREDTH_CENT if security.fractional else Decimal(1)
    return (Decimal(repr(max(shares, 0.0))) // unit) * unit
