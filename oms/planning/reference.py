"""The security master as an overlay: the user's file first, then reference data from the broker, cached.

For every symbol a plan needs, `build_master` finds:

- what the instrument is (name, asset class, sector, leverage, fractional): the user's security master file when
  it lists the symbol, else the broker's listing (`ReferenceData.security`) with its average daily volume and
  daily volatility computed from `window_sessions` daily bars; those broker facts are cached in the data folder
  (`reference-cache.json`, user-only) with the time they were fetched and reused for `cache_hours`;
- its price, with the time it was observed: a price the user supplied (`--prices FILE`, the `price` column of a
  positions file), else the broker's latest quote, else the file's `last_price` (stamped with the file's load
  time), else the cached price with the time it was fetched.

A symbol nobody knows is one problem naming every place it was looked for. Nothing here guesses a price.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from oms.domain.market import Quote, Security
from oms.planning.errors import PlanError
from oms.planning.prices import spread_bps
from oms.planning.securities import SecurityMaster
from oms.planning.settings import ReferenceSettings
from oms.ports import DailyBar, ReferenceData

CACHE_FILE = "reference-cache.json"
DEFAULT_SPREAD_BPS = Decimal(10)  # when the broker quotes only one side


@dataclass(frozen=True, slots=True)
class CachedFacts:
    """Broker facts about one symbol, and when they were fetched."""

    security: Security
    fetched_at: datetime
    source: str
    delayed: bool = False


class ReferenceCache:
    """A JSON file of `CachedFacts` by symbol in the data folder, written atomically and readable by the user only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict[str, CachedFacts] = {}
        self._dirty = False
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = {}  # no cache yet, or an unreadable one: start again, it is only a cache
        for symbol, entry in (raw if isinstance(raw, dict) else {}).items():
            facts = _facts_from_json(entry)
            if facts is not None:
                self._entries[symbol] = facts

    @classmethod
    def in_folder(cls, folder: Path) -> ReferenceCache:
        return cls(folder / CACHE_FILE)

    def fresh(self, symbol: str, *, now: datetime, max_age: timedelta) -> CachedFacts | None:
        facts = self._entries.get(symbol)
        if facts is None or now - facts.fetched_at > max_age:
            return None
        return facts

    def any_age(self, symbol: str) -> CachedFacts | None:
        return self._entries.get(symbol)

    def put(self, facts: CachedFacts) -> None:
        self._entries[facts.security.symbol] = facts
        self._dirty = True

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        document = {symbol: _facts_to_json(facts) for symbol, facts in sorted(self._entries.items())}
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            os.fchmod(handle, 0o600)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(document, stream, indent=1)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self._dirty = False


async def build_master(
    symbols: Iterable[str],
    *,
    user: SecurityMaster | None,
    user_place: str = "the security master",
    reference: ReferenceData | None = None,
    cache: ReferenceCache | None = None,
    supplied: Mapping[str, Quote] | None = None,
    supplied_place: str = "--prices",
    settings: ReferenceSettings | None = None,
    now: datetime | None = None,
) -> SecurityMaster:
    """Return a SecurityMaster holding every symbol in `symbols` with its price and the time it was observed.

    Raise PlanError (code UNKNOWN_SYMBOL) listing every symbol no source knows, each naming where it was looked.
    """
    settings = settings or ReferenceSettings()
    now = now or datetime.now(UTC)
    wanted = sorted({s.upper() for s in symbols})
    supplied = dict(supplied or {})
    live: dict[str, Quote] = {}
    if reference is not None and wanted:
        live = await reference.quotes(wanted)
    securities: dict[str, Security] = {}
    quotes: dict[str, Quote] = {}
    origins: dict[str, str] = {}
    problems: list[str] = []
    max_age = timedelta(hours=settings.cache_hours)
    for symbol in wanted:
        listed = user.security(symbol) if user is not None else None
        facts: CachedFacts | None = None
        if listed is None and cache is not None:
            facts = cache.fresh(symbol, now=now, max_age=max_age)
        if listed is None and facts is None and reference is not None:
            facts = await _fetch(reference, symbol, live.get(symbol), settings, now)
            if facts is not None and cache is not None:
                cache.put(facts)
        if listed is None and facts is None and cache is not None:
            facts = cache.any_age(symbol)  # the broker cannot say now: an older answer, its age shown
        base = listed or (facts.security if facts else None)
        quote, origin = _price(symbol, supplied, supplied_place, live, reference, user, listed, user_place, facts)
        if base is None or quote is None:
            problems.append(_unknown(symbol, base is None, user_place, reference, cache, supplied_place, supplied))
            continue
        spread = spread_bps(quote)
        securities[symbol] = replace(base, last_price=quote.price, spread_bps=spread or base.spread_bps)
        quotes[symbol] = quote
        origins[symbol] = origin
    if cache is not None:
        cache.save()
    if problems:
        raise PlanError(problems, code="UNKNOWN_SYMBOL")
    return SecurityMaster(securities, loaded_at=user.loaded_at if user else now, quotes=quotes, origins=origins)


def _price(
    symbol: str,
    supplied: Mapping[str, Quote],
    supplied_place: str,
    live: Mapping[str, Quote],
    reference: ReferenceData | None,
    user: SecurityMaster | None,
    listed: Security | None,
    user_place: str,
    facts: CachedFacts | None,
) -> tuple[Quote | None, str]:
    if symbol in supplied:
        return supplied[symbol], "given"
    if symbol in live and reference is not None:
        delayed = facts is not None and facts.delayed
        return live[symbol], reference.source + (" delayed" if delayed else "")
    if listed is not None and user is not None:
        return user.quote(symbol), "file"
    if facts is not None:
        quote = Quote(symbol, facts.security.last_price, facts.fetched_at)
        return quote, "cache"
    return None, ""


async def _fetch(
    reference: ReferenceData, symbol: str, quote: Quote | None, settings: ReferenceSettings, now: datetime
) -> CachedFacts | None:
    listing = await reference.security(symbol)
    if listing is None:
        return None
    bars = await reference.daily_bars(symbol, settings.window_sessions)
    adv, volatility = bar_statistics(bars[-settings.window_sessions :])
    price = quote.price if quote else (bars[-1].close if bars else None)
    if price is None or adv is None:
        return None
    factor = leverage_factor(listing.name)
    security = Security(
        symbol=symbol,
        name=listing.name or symbol,
        asset_class=listing.asset_class.lower() or "equity",
        sector=listing.exchange or "unknown",
        last_price=price,
        adv=adv,
        spread_bps=(spread_bps(quote) if quote else None) or DEFAULT_SPREAD_BPS,
        daily_volatility=volatility,
        leveraged=abs(factor) > 1 or factor < 0,
        leverage_factor=factor,
        fractional=listing.fractionable,
    )
    return CachedFacts(security, now, listing.where or reference.source, listing.delayed)


def bar_statistics(bars: list[DailyBar]) -> tuple[Decimal | None, Decimal]:
    """Average daily volume and the standard deviation of daily log returns of the closes over the bars given."""
    volumes = [bar.volume for bar in bars if bar.volume > 0]
    adv = (sum(volumes, Decimal(0)) / len(volumes)).quantize(Decimal(1)) if volumes else None
    closes = [float(bar.close) for bar in bars if bar.close > 0]
    returns = [math.log(b / a) for a, b in itertools.pairwise(closes)]
    if len(returns) < 2:
        return adv, Decimal("0.02")  # too little history to measure: an ordinary fund's day, said in the docs
    mean = sum(returns) / len(returns)
    variance = sum((r - mean) ** 2 for r in returns) / (len(returns) - 1)
    return adv, Decimal(str(round(math.sqrt(variance), 6)))


_TIMES = re.compile(r"(?<![\w.])(-?[234])x\b", re.IGNORECASE)
_INVERSE = re.compile(r"\b(inverse|short|bear)\b", re.IGNORECASE)


def leverage_factor(name: str) -> Decimal:
    """A geared fund's factor read from its name ("3x", UltraPro, Ultra; Inverse/Short/Bear negate it), else 1.

    A heuristic for instruments the user's security master does not list; the file's `leverage_factor` wins.
    """
    text = name or ""
    lowered = text.lower()
    factor = Decimal(1)
    if match := _TIMES.search(text):
        factor = abs(Decimal(match.group(1)))
    elif "ultrapro" in lowered:
        factor = Decimal(3)
    elif "ultra" in lowered:
        factor = Decimal(2)
    return -factor if _INVERSE.search(text) else factor


def _unknown(
    symbol: str,
    no_listing: bool,
    user_place: str,
    reference: ReferenceData | None,
    cache: ReferenceCache | None,
    supplied_place: str,
    supplied: Mapping[str, Quote],
) -> str:
    places = [user_place]
    if cache is not None:
        places.append(f"the reference cache {cache.path}")
    places.append(f"{reference.source} reference data" if reference is not None else "no broker (use --from-broker)")
    if supplied:
        places.append(supplied_place)
    what = "no such instrument" if no_listing else "no price"
    return f"symbol: {symbol}: {what}; looked in {', '.join(places)}"


def _facts_to_json(facts: CachedFacts) -> dict[str, Any]:
    fields = asdict(facts.security).items()
    security = {key: str(value) if isinstance(value, Decimal) else value for key, value in fields}
    return {
        "security": security,
        "fetched_at": facts.fetched_at.isoformat(),
        "source": facts.source,
        "delayed": facts.delayed,
    }


def _facts_from_json(entry: Any) -> CachedFacts | None:
    try:
        raw = dict(entry["security"])
        decimals = ("last_price", "adv", "spread_bps", "daily_volatility", "leverage_factor")
        for key in decimals:
            raw[key] = Decimal(raw[key])
        at = datetime.fromisoformat(entry["fetched_at"])
        if at.tzinfo is None:
            return None
        return CachedFacts(Security(**raw), at.astimezone(UTC), str(entry["source"]), bool(entry.get("delayed")))
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None
