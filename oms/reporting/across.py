"""Execution quality across batches: realised slippage grouped by algorithm, urgency and symbol, against the
cost the guidance expected. This is the feedback loop: where realised cost runs above expectation, the guidance's
thresholds are due for a change (docs/TCA.md says how).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oms.reporting import display
from oms.reporting.tca import OrderTca
from oms.reporting.tca_batch import Totals, totals

DIRECT = "direct"  # orders sent without an algorithm


@dataclass(frozen=True, slots=True)
class Group:
    dimension: str  # "algo", "urgency" or "symbol"
    key: str
    totals: Totals


@dataclass(frozen=True, slots=True)
class AcrossReport:
    since: datetime | None
    batch_ids: tuple[str, ...]
    overall: Totals
    groups: tuple[Group, ...]

    def by(self, dimension: str) -> list[Group]:
        return [g for g in self.groups if g.dimension == dimension]


DIMENSIONS: dict[str, Callable[[OrderTca], str]] = {
    "algo": lambda row: row.algo.value if row.algo else DIRECT,
    "urgency": lambda row: row.urgency.value,
    "symbol": lambda row: row.symbol,
}


def across_batches(rows: Iterable[OrderTca], *, since: datetime | None = None) -> AcrossReport:
    """Group measured orders from any number of batches by algorithm, urgency and symbol."""
    measured = list(rows)
    groups: list[Group] = []
    for dimension, key_of in DIMENSIONS.items():
        buckets: dict[str, list[OrderTca]] = defaultdict(list)
        for row in measured:
            buckets[key_of(row)].append(row)
        groups.extend(Group(dimension, key, totals(buckets[key])) for key in sorted(buckets))
    batch_ids = tuple(sorted({row.batch_id for row in measured if row.batch_id}))
    return AcrossReport(since=since, batch_ids=batch_ids, overall=totals(measured), groups=tuple(groups))


def group_json(group: Group) -> dict[str, Any]:
    t = group.totals
    return {
        "key": group.key,
        "orders": t.orders,
        "filled_orders": t.filled_orders,
        "filled_notional": display.money(t.filled_notional),
        "fill_rate": display.percent(t.fill_rate),
        "slippage_bps": display.bps(t.slippage_arrival_bps),
        "expected_cost_bps": display.bps(t.expected_cost_bps),
        "cost_above_expected_bps": display.bps(t.cost_above_expected_bps),
        "shortfall": display.money(t.shortfall.total),
        "shortfall_bps": display.bps(t.shortfall_bps),
    }


def across_json(report: AcrossReport) -> dict[str, Any]:
    """Return the across-batch report in the shape `oms report --since DATE --json` prints."""
    return {
        "since": report.since.isoformat() if report.since else None,
        "batches": list(report.batch_ids),
        "totals": display.totals_json(report.overall),
        **{f"by_{dimension}": [group_json(g) for g in report.by(dimension)] for dimension in DIMENSIONS},
    }
